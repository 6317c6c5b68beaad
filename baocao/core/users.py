"""Who a service function records as the author of a change."""

from django.contrib.auth.models import AnonymousUser, User

MaybeUser = User | AnonymousUser | None


def acting_user(user: MaybeUser) -> User | None:
    """The user to store in `created_by`/`updated_by`: None for anonymous callers and commands."""
    return user if isinstance(user, User) else None

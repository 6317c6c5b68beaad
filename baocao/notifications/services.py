"""Telling people: the one way a notice is written (:func:`notify`), who holds a role for a unit
(:func:`holders`), the inbox's reads (:func:`unread_count`) and marks (:func:`mark_read`,
:func:`mark_all_read`), and each user's preference.

The services of collection, assignments and reports call :func:`notify` inside their own transaction: the
notice is part of the change (a rolled-back step leaves no notice) and the e-mail leaves only after the
commit (``transaction.on_commit``), through Django's mail framework (``EMAIL_BACKEND``: a file backend in
the demo and the tests, SMTP in production; see README)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from baocao.accounts.models import Role, RoleAssignment
from baocao.accounts.permissions import ROLE_ACTIONS, Action
from baocao.core import clock
from baocao.core.text import nfc
from baocao.notifications.models import Kind, Notification, Preference
from baocao.orgunits.models import OrgUnit

__all__ = [
    "Kind",
    "PreferenceError",
    "holders",
    "mark_all_read",
    "mark_read",
    "notify",
    "preference_for",
    "save_preference",
    "unread_count",
]

log = logging.getLogger(__name__)

MAX_REMINDER_DAYS = 20  # working days; a preference beyond a month of work would be a typo


def preference_for(user: User) -> Preference:
    """The user's preference; the defaults (in-app and e-mail, reminders 2 working days ahead), unsaved,
    when they never chose."""
    found = Preference.objects.filter(user=user).first()
    return found or Preference(user=user)


class PreferenceError(ValueError):
    """A preference that cannot be stored; the message is Vietnamese and names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@transaction.atomic
def save_preference(user: User, *, email: bool, reminders: bool, reminder_days: int) -> Preference:
    """Store the user's own choice (only the user changes it: the view passes ``request.user``)."""
    if not 0 <= reminder_days <= MAX_REMINDER_DAYS:
        raise PreferenceError(
            "reminder_days",
            f"Số ngày làm việc nhắc trước hạn: từ 0 đến {MAX_REMINDER_DAYS} (đã nhập {reminder_days}).",
        )
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"email": email, "reminders": reminders, "reminder_days": reminder_days}
    )
    return preference


def holders(unit: OrgUnit, action: Action) -> list[User]:
    """The active users whose role, valid today, allows ``action`` on ``unit`` (a role on the unit or on
    a unit above it). The administrator's role is left out: it allows everything, and its holder would
    otherwise be told of every step of every unit."""
    roles = [role.value for role, actions in ROLE_ACTIONS.items() if action in actions and role != Role.ADMIN]
    assignments = (
        RoleAssignment.objects.active_on(clock.today())
        .filter(role__in=roles, user__is_active=True)
        .select_related("user", "org_unit")
        .order_by("user__username")
    )
    found: dict[int, User] = {}
    for assignment in assignments:
        if unit.path.startswith(assignment.org_unit.path):
            found.setdefault(assignment.user.pk, assignment.user)
    return list(found.values())


def notify(
    recipients: Iterable[User | None],
    *,
    kind: Kind | str,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Put a notice in each recipient's inbox (None and inactive users are skipped, each user once) and,
    for those who chose it and have an address, send it by e-mail after the commit. With ``key``, a
    recipient who already has a notice with that key gets nothing (reminders: never twice)."""
    users: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active:
            users.setdefault(user.pk, user)
    if key:
        already = set(
            Notification.objects.filter(key=key, recipient__in=list(users)).values_list(
                "recipient", flat=True
            )
        )
        users = {pk: user for pk, user in users.items() if pk not in already}
    if not users:
        return []
    preferences = {p.user_id: p for p in Preference.objects.filter(user__in=list(users))}
    title, body = nfc(title).strip()[:300], nfc(body).strip()
    created = []
    for user in users.values():
        preference = preferences.get(user.pk) or Preference(user=user)
        created.append(
            Notification.objects.create(
                recipient=user,
                kind=kind,
                title=title,
                body=body,
                url=url,
                key=key,
                emailed=bool(preference.email and user.email),
            )
        )
    mails = [n.pk for n in created if n.emailed]
    if mails:
        transaction.on_commit(lambda: _send_mails(mails))
    return created


def _absolute(url: str) -> str:
    base = getattr(settings, "BAOCAO_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


def _send_mails(ids: list[int]) -> None:
    """Send the e-mail of each notice (after the commit). A mail server that refuses is logged, never
    raised: the step that caused the notice is done and its notice is in the inbox."""
    messages = []
    for notice in Notification.objects.filter(pk__in=ids).select_related("recipient"):
        lines = [notice.title]
        if notice.body:
            lines += ["", notice.body]
        if notice.url:
            lines += ["", f"Xem tại: {_absolute(notice.url)}"]
        lines += [
            "",
            "— Hệ thống thông tin báo cáo (thư tự động; đổi cách nhận thông báo tại /thong-bao/cai-dat/)",
        ]
        messages.append(
            EmailMessage(
                subject=f"[baocao] {notice.title}"[:200],
                body="\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notice.recipient.email],
            )
        )
    try:
        get_connection().send_messages(messages)
    except Exception:  # any mail server error: the notices stay in the inbox
        log.exception("Sending %d notification e-mails failed", len(messages))
        Notification.objects.filter(pk__in=ids).update(emailed=False)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, notice_id: int) -> Notification | None:
    """Mark one of the user's own notices read; None when it is not theirs (or does not exist)."""
    notice = Notification.objects.filter(recipient=user, pk=notice_id).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def mark_all_read(user: User) -> int:
    """Mark every unread notice of the user read; how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())

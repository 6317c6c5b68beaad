"""Who may do what, in one place. Every page, export, command and API endpoint asks here.

A user's roles (:class:`RoleAssignment`) are bound to an org unit and cover its whole subtree while
valid. :func:`units_for` gives the units a user may act on for an action; :func:`can` answers for one
unit; :func:`for_user` narrows any queryset that has an org unit. Superusers may do everything.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from baocao.accounts.models import Role, RoleAssignment
from baocao.orgunits.models import OrgUnit, OrgUnitQuerySet

__all__ = [
    "ROLE_ACTIONS",
    "Action",
    "can",
    "for_user",
    "is_superuser",
    "require",
    "require_actor",
    "units_for",
]


class Action(enum.StrEnum):
    VIEW = "view"  # see a unit's figures, submissions and reports
    ENTER = "enter"  # enter or correct a unit's values and narrative (draft or returned)
    SUBMIT = "submit"  # send a unit's data set to the office
    RETURN = "return"  # send a submission back with a reason
    ACCEPT = "accept"  # accept a submission after checking it
    APPROVE = "approve"  # approve accepted figures
    REOPEN = "reopen"  # reopen approved or locked figures, with a reason
    LOCK = "lock"  # lock approved figures of a period
    COMPILE = "compile"  # prepare reports: drafts, number, date, signer, PDF
    ISSUE = "issue"  # issue a report
    ASSIGN = "assign"  # record directives and the tasks they assign, extend deadlines
    MANAGE = "manage"  # reference data, data sets, report templates, users

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Action.VIEW: "xem",
    Action.ENTER: "nhập số liệu",
    Action.SUBMIT: "gửi số liệu",
    Action.RETURN: "trả lại",
    Action.ACCEPT: "tiếp nhận",
    Action.APPROVE: "phê duyệt",
    Action.REOPEN: "mở lại số liệu đã duyệt",
    Action.LOCK: "khóa số liệu",
    Action.COMPILE: "lập báo cáo",
    Action.ISSUE: "ban hành báo cáo",
    Action.ASSIGN: "giao và theo dõi nhiệm vụ",
    Action.MANAGE: "quản trị danh mục và mẫu",
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.UNIT_STAFF: frozenset({Action.VIEW, Action.ENTER}),
    Role.UNIT_HEAD: frozenset({Action.VIEW, Action.ENTER, Action.SUBMIT}),
    Role.OFFICE: frozenset(
        {Action.VIEW, Action.RETURN, Action.ACCEPT, Action.LOCK, Action.COMPILE, Action.ASSIGN}
    ),
    Role.LEADER: frozenset(
        {Action.VIEW, Action.APPROVE, Action.REOPEN, Action.LOCK, Action.ISSUE, Action.ASSIGN}
    ),
    Role.ADMIN: frozenset(Action),
}

MaybeUser = User | AnonymousUser | None
M = TypeVar("M", bound=Model)


def _roles_with(action: Action) -> list[str]:
    return [role.value for role, actions in ROLE_ACTIONS.items() if action in actions]


def _is_superuser(user: MaybeUser) -> bool:
    return bool(user is not None and user.is_active and user.is_superuser)


def is_superuser(user: MaybeUser) -> bool:
    """An active superuser (who passes every check); pages and the API ask here, never ``is_superuser``."""
    return _is_superuser(user)


def units_for(user: MaybeUser, action: Action | str) -> OrgUnitQuerySet:
    """The org units ``user`` may act on for ``action`` today: the subtrees of their valid roles."""
    action = Action(action)
    if _is_superuser(user):
        return OrgUnit.objects.all()
    condition = Q(pk__in=[])
    for path in _paths_for(user, action):
        condition |= Q(path__startswith=path)
    return OrgUnit.objects.filter(condition)


def _paths_for(user: MaybeUser, action: Action) -> list[str]:
    """The paths of the subtrees ``user`` (not a superuser) may act on for ``action`` today."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    allowed = _roles_with(action)
    return [path for role, path in _valid_roles(user) if role in allowed]


def _within(unit: OrgUnit, paths: list[str]) -> bool:
    """Is a stored unit in one of the subtrees? Decided from the loaded unit's path, as units_for's
    ``path LIKE 'p%'`` decides in SQL, so a check costs no query beyond the roles (read once per user)."""
    return unit.pk is not None and any(unit.path.startswith(path) for path in paths)


def _valid_roles(user: User) -> list[tuple[str, str]]:
    """The user's (role, unit path) pairs valid today, read once per user object (one request, one
    service call) instead of once per permission question."""
    today = timezone.localdate()
    cached = getattr(user, "_baocao_roles", None)
    if cached is None or cached[0] != today:
        pairs = list(
            RoleAssignment.objects.active_on(today).filter(user=user).values_list("role", "org_unit__path")
        )
        cached = (today, pairs)
        user._baocao_roles = cached  # type: ignore[attr-defined]
    return cached[1]


def can(user: MaybeUser, action: Action | str, org_unit: OrgUnit) -> bool:
    """May ``user`` do ``action`` for ``org_unit`` today?"""
    if _is_superuser(user):
        return True
    return _within(org_unit, _paths_for(user, Action(action)))


def require(user: MaybeUser, action: Action | str, org_units: OrgUnit | Iterable[OrgUnit]) -> None:
    """Raise PermissionDenied (Vietnamese, naming the action and unit) unless allowed for every unit."""
    action = Action(action)
    units = [org_units] if isinstance(org_units, OrgUnit) else list(org_units)
    if _is_superuser(user):
        return
    paths = _paths_for(user, action)
    for unit in units:
        if not _within(unit, paths):
            raise PermissionDenied(f"Bạn không có quyền {action.label} của {unit.name}.")


def require_actor(actor: MaybeUser, action: Action | str, org_units: OrgUnit | Iterable[OrgUnit]) -> None:
    """The check every action (state change) starts with. ``actor`` None is the system: a manage.py
    command or the demo loader, trusted. Any user, anonymous included, must hold the right (:func:`require`);
    views and the API always pass ``request.user``."""
    if actor is not None:
        require(actor, action, org_units)


def for_user(
    queryset: QuerySet[M], user: MaybeUser, action: Action | str, field: str = "org_unit"
) -> QuerySet[M]:
    """``queryset`` narrowed to rows whose ``field`` (an org unit) the user may act on."""
    if _is_superuser(user):
        return queryset
    return queryset.filter(**{f"{field}__in": units_for(user, action)})

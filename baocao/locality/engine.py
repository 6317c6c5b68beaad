"""Importing a locality bundle: the dry run and the real import are one run of the sections in one
transaction (``baocao.locality.sections``); the dry run rolls it back, the real import keeps it only
when nothing went wrong. What an object was before and after the run decides whether it is created,
changed (with the fields that changed) or unchanged — so the dry run reports exactly what the import
does, and importing the same bundle twice reports (and changes) nothing the second time.

Scope: the superuser and the system (actor None: manage.py) may import anything; an administrator bound
to a unit creates and replaces only objects owned by units of that unit's subtree; shared catalogs may
be created but not changed by them. The first object outside is named and the whole bundle refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from baocao.accounts.permissions import Action, MaybeUser, is_superuser, units_for
from baocao.core.users import acting_user
from baocao.locality.bundle import Bundle, BundleError
from baocao.locality.models import LocalityImport
from baocao.locality.sections import SECTIONS, Fields, OrgUnits, Section, Touched, Users
from baocao.orgunits.models import OrgUnit

__all__ = [
    "FieldChange",
    "ImportPlan",
    "ImportResult",
    "PasswordLink",
    "PlanItem",
    "apply_import",
    "plan_import",
]

Status = Literal["created", "changed", "unchanged"]
STATUS_LABELS: dict[str, str] = {"created": "tạo mới", "changed": "thay đổi", "unchanged": "không đổi"}


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One object of the bundle: its kind (``section``, Vietnamese), ``file``, ``line`` (None for YAML),
    ``key`` (its code, or the codes that identify it) and what the import does with it."""

    section: str
    file: str
    line: int | None
    key: str
    status: Status
    changes: tuple[FieldChange, ...] = ()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def describe(self) -> str:
        """One Vietnamese line: ``Chỉ tiêu THU_NSNN: thay đổi — name: “A” → “B”``."""
        text = f"{self.section} {self.key}: {self.status_label}"
        if self.changes:
            text += " — " + "; ".join(
                f"{c.field}: “{_short(c.old)}” → “{_short(c.new)}”" for c in self.changes
            )
        return text


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class ImportPlan:
    """What importing the bundle does (or did): every object of it, in bundle order, and the errors
    (each naming file, row and column). ``ok``: no error, the import may be applied."""

    bundle_name: str
    bundle_sha256: str
    items: list[PlanItem] = field(default_factory=list)
    errors: list[BundleError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def with_status(self, status: Status) -> list[PlanItem]:
        return [item for item in self.items if item.status == status]

    @property
    def created(self) -> list[PlanItem]:
        return self.with_status("created")

    @property
    def changed(self) -> list[PlanItem]:
        return self.with_status("changed")

    @property
    def unchanged(self) -> list[PlanItem]:
        return self.with_status("unchanged")

    def summary(self) -> str:
        return (
            f"{len(self.created)} tạo mới, {len(self.changed)} thay đổi, {len(self.unchanged)} không đổi"
            + (f", {len(self.errors)} lỗi" if self.errors else "")
        )

    def lines(self, *, unchanged: bool = False, done: bool = False) -> list[str]:
        """The plan in Vietnamese, for the command and the page: errors first, then what is created,
        what changes, and how many objects are left alone (each listed with ``unchanged``); ``done``:
        worded as what the import did rather than what it will do."""
        out = [f"Bộ cấu hình “{self.bundle_name}” (SHA-256 {self.bundle_sha256[:16]}…): {self.summary()}."]
        if self.errors:
            out.append("Lỗi (không ghi gì):")
            out += [f"  - {e}" for e in self.errors]
        titles = ("Đã tạo mới", "Đã thay đổi") if done else ("Sẽ tạo mới", "Sẽ thay đổi")
        for status, title in zip(("created", "changed"), titles, strict=True):
            items = self.with_status(status)  # type: ignore[arg-type]
            if items:
                out.append(f"{title} ({len(items)}):")
                out += [f"  - {item.describe()}" for item in items]
        if self.unchanged:
            out.append(f"Giữ nguyên: {len(self.unchanged)} đối tượng không đổi.")
            if unchanged:
                out += [f"  - {item.section} {item.key}" for item in self.unchanged]
        return out


@dataclass(frozen=True, slots=True)
class PasswordLink:
    """A user of the bundle without a password yet and the path of their one-time set-password page
    (empty in a dry run: the link is made when the import is applied)."""

    username: str
    full_name: str
    path: str


@dataclass(slots=True)
class ImportResult:
    plan: ImportPlan
    dry_run: bool
    applied: bool = False
    record: LocalityImport | None = None
    password_links: list[PasswordLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan.ok


def plan_import(actor: MaybeUser, bundle: Bundle) -> ImportPlan:
    """The dry run: what :func:`apply_import` would create, change and leave alone, and every error;
    nothing is written. ``actor`` None is the system (the command without ``--as``)."""
    return apply_import(actor, bundle, dry_run=True).plan


def apply_import(actor: MaybeUser, bundle: Bundle, *, dry_run: bool) -> ImportResult:
    """Import the bundle in one transaction, all or nothing: on any error (or with ``dry_run``) nothing
    is written and ``result.plan.errors`` lists the problems. Applied, it records a
    :class:`LocalityImport` (who, when, bundle name and hash, what was created and changed) and returns
    the set-password links of the bundle's users who have no password yet."""
    plan = ImportPlan(bundle.name, bundle.sha256, errors=list(bundle.errors))
    result = ImportResult(plan, dry_run=dry_run)
    if not bundle.ok:
        return result
    roots = _scope_roots(actor)
    if roots is not None and not roots:
        plan.errors.append(
            BundleError(None, None, None, "Bạn không có quyền quản trị đơn vị nào: không nhập được.")
        )
        return result
    with transaction.atomic():
        touched_users: list[str] = []
        for section in SECTIONS:
            if not section.present(bundle):
                continue
            before = section.snapshot()
            touched = section.apply(bundle, plan.errors)
            after = section.snapshot()
            refusal = _record(plan, section, touched, before, after, actor, roots)
            if refusal is not None:
                plan.errors[:] = [refusal]
                break
            if isinstance(section, Users):
                touched_users = [t.key for t in touched]
        if plan.errors or dry_run:
            result.password_links = [] if plan.errors else _links(touched_users, make=False)
            transaction.set_rollback(True)
            return result
        result.record = LocalityImport.objects.create(
            actor=acting_user(actor),
            actor_name=actor.get_username() if isinstance(actor, User) else "",
            bundle_name=bundle.name[:255],
            bundle_sha256=bundle.sha256,
            created_count=len(plan.created),
            changed_count=len(plan.changed),
            unchanged_count=len(plan.unchanged),
            changes=[
                {
                    "section": item.section,
                    "file": item.file,
                    "key": item.key,
                    "status": item.status,
                    "changes": [[c.field, c.old, c.new] for c in item.changes],
                }
                for item in plan.items
                if item.status != "unchanged"
            ],
        )
        result.applied = True
        result.password_links = _links(touched_users, make=True)
    return result


def _scope_roots(actor: MaybeUser) -> list[str] | None:
    """The paths of the subtrees ``actor`` may manage; None: everything (the system, the superuser)."""
    if actor is None or is_superuser(actor):
        return None
    paths = sorted(units_for(actor, Action.MANAGE).values_list("path", flat=True))
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def _record(
    plan: ImportPlan,
    section: Section,
    touched: list[Touched],
    before: dict[str, Fields],
    after: dict[str, Fields],
    actor: MaybeUser,
    roots: list[str] | None,
) -> BundleError | None:
    """Add the section's objects to the plan; the first one outside the actor's scope is the refusal."""
    for item in touched:
        old, new = before.get(item.key), after.get(item.key, {})
        if old is None:
            status: Status = "created"
            changes: tuple[FieldChange, ...] = ()
        else:
            changes = tuple(
                FieldChange(name, old.get(name, ""), new.get(name, ""))
                for name in dict.fromkeys([*old, *new])
                if old.get(name, "") != new.get(name, "")
            )
            status = "changed" if changes else "unchanged"
        plan.items.append(PlanItem(section.label, item.file, item.line, item.key, status, changes))
        if roots is None or status == "unchanged":
            continue
        refusal = _outside(section, item, old, new, status, roots)
        if refusal is not None:
            return refusal
    return None


def _outside(
    section: Section, item: Touched, old: Fields | None, new: Fields, status: Status, roots: list[str]
) -> BundleError | None:
    where = f"{section.label} “{item.key}”"
    owners_new = section.owners(new)
    owners_old = section.owners(old) if old is not None else set()
    if owners_new is None or owners_old is None:  # a shared catalog object
        if status == "created" and owners_old is not None:
            return None
        why = (
            "chưa có vai trò ở đơn vị nào"
            if isinstance(section, Users)
            else "là danh mục dùng chung của mọi địa phương"
        )
        return BundleError(
            item.file,
            item.line,
            None,
            f"{where} {why}: chỉ quản trị hệ thống được sửa. Bộ cấu hình bị từ chối, không ghi gì.",
        )
    codes = owners_new | owners_old
    if isinstance(section, OrgUnits) and old is not None and old.get("parent") == new.get("parent"):
        codes = {new["code"]}  # an org unit edited in place: its own parent (maybe above the scope) stays
    elif isinstance(section, OrgUnits):  # created or moved: the unit and its (old and new) parent
        codes = {new["code"], new.get("parent", ""), old.get("parent", "") if old else ""} - {""}
    paths = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "path"))
    for code in sorted(codes):
        path = paths.get(code, "")
        if not any(path.startswith(root) for root in roots):
            return BundleError(
                item.file,
                item.line,
                None,
                f"{where} thuộc đơn vị “{code}”, nằm ngoài phạm vi quản trị của bạn. "
                "Bộ cấu hình bị từ chối, không ghi gì.",
            )
    return None


def _links(usernames: list[str], *, make: bool) -> list[PasswordLink]:
    links = []
    for user in User.objects.filter(username__in=usernames, is_active=True).order_by("username"):
        if user.has_usable_password():
            continue
        path = ""
        if make:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            path = reverse("password_set", args=[uid, default_token_generator.make_token(user)])
        links.append(PasswordLink(user.username, user.get_full_name() or user.username, path))
    return links

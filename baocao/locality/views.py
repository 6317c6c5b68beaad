"""The administrator's bundle page (``/dia-phuong/``, issue 13): upload a locality bundle (a .zip of its
folder or its .xlsx workbook), read the dry run — what will be created, changed (field by field) and
left alone, grouped by kind — then apply exactly that; download the current bundle of one's own subtree;
read the history of imports.

"Exactly that": the uploaded file is kept on the server between the two steps (``MEDIA_ROOT/
locality-uploads/``, a random name held in the user's session with the file's SHA-256 and a digest of
the plan shown); "Áp dụng" posts the digest it showed, the file is read again, checked against its hash,
and imported in a transaction that is rolled back if what the import did differs from the plan shown
(the database changed meanwhile) — the new dry run is then shown instead. The permission and the scope
(a unit administrator imports only into their subtree) are decided by the import itself
(``baocao.locality.engine``); this page only asks who may open it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from baocao.accounts.permissions import Action, is_superuser, units_for
from baocao.locality.api import (
    Bundle,
    BundleError,
    ImportPlan,
    ImportResult,
    PlanItem,
    apply_import,
    export_files,
    plan_import,
    read_bundle,
    workbook_bytes,
)
from baocao.locality.forms import BundleUploadForm
from baocao.locality.models import LocalityImport
from baocao.orgunits.models import OrgUnit

SESSION_KEY = "locality_upload"
UPLOAD_DIR_NAME = "locality-uploads"
KEEP_SECONDS = 24 * 3600  # an upload not applied within a day is removed at the next upload
HISTORY_ROWS = 30
_TOKEN_CHARS = frozenset("0123456789abcdef")

NOTHING_TO_APPLY = "Chưa có bộ cấu hình nào đã chạy thử để áp dụng: hãy tải tệp lên và bấm “Chạy thử” trước."
OTHER_UPLOAD = (
    "Kết quả chạy thử trên trang này không phải của tệp tải lên gần nhất (có thể đã tải tệp khác ở cửa sổ "
    "khác): hãy tải tệp lên và chạy thử lại."
)
CANNOT_KEEP = (
    "Máy chủ không lưu được tệp tạm để áp dụng (thư mục MEDIA_ROOT không ghi được): kết quả chạy thử dưới "
    "đây vẫn đúng, nhưng chưa áp dụng được — hãy báo quản trị máy chủ."
)
CHANGED_SINCE = (
    "Dữ liệu đã thay đổi từ lúc chạy thử nên chưa áp dụng gì. Dưới đây là kết quả chạy thử mới: hãy xem lại "
    "rồi bấm “Áp dụng”."
)


# ----------------------------------------------------------------------------------------- who, where


def _require_admin(request: HttpRequest) -> list[OrgUnit] | None:
    """The top units of the user's administration (None: the superuser, everything); 403 for anyone
    who administers nothing."""
    user = request.user
    if is_superuser(user):
        return None
    units = list(units_for(user, Action.MANAGE).order_by("path"))
    roots: list[OrgUnit] = []
    for unit in units:
        if not any(unit.path.startswith(root.path) for root in roots):
            roots.append(unit)
    if not roots:
        raise PermissionDenied("Trang bộ cấu hình địa phương dành cho quản trị viên của một đơn vị.")
    return roots


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR_NAME


def _upload_path(request: HttpRequest, token: str) -> Path:
    return _upload_dir() / f"{request.user.pk}-{token}.zip"


def _stored(request: HttpRequest) -> dict[str, str] | None:
    entry = request.session.get(SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    token = entry.get("token")
    if not isinstance(token, str) or len(token) != 32 or not set(token) <= _TOKEN_CHARS:
        return None
    return entry


def _forget(request: HttpRequest) -> None:
    entry = _stored(request)
    request.session.pop(SESSION_KEY, None)
    if entry is not None:
        try:
            _upload_path(request, entry["token"]).unlink(missing_ok=True)
        except OSError:
            pass  # the folder is gone or unreadable: the session no longer points at the file anyway


def _keep(request: HttpRequest, data: bytes, plan: ImportPlan) -> None:
    """Keep the upload for "Áp dụng": the file under a random name, its hash and the plan's digest in
    the session. The user's previous upload, and anyone's older than a day, are removed."""
    _forget(request)
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.zip"):
        try:
            if now - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # removed by another request meanwhile
    token = secrets.token_hex(16)
    _upload_path(request, token).write_bytes(data)
    request.session[SESSION_KEY] = {
        "token": token,
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "plan": plan_digest(plan),
        "name": plan.bundle_name,
    }


def plan_digest(plan: ImportPlan) -> str:
    """A fingerprint of everything the page shows of a plan (every object, status and field change)."""
    content = [
        plan.bundle_sha256,
        [
            [i.section, i.file, i.line, i.key, i.status, [[c.field, c.old, c.new] for c in i.changes]]
            for i in plan.items
        ],
        [str(e) for e in plan.errors],
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------- showing


@dataclass
class Group:
    """The objects of one kind (đơn vị, chỉ tiêu, biểu mẫu ...) in a plan."""

    section: str
    created: list[PlanItem] = field(default_factory=list)
    changed: list[PlanItem] = field(default_factory=list)
    unchanged: list[PlanItem] = field(default_factory=list)


def grouped(plan: ImportPlan) -> list[Group]:
    groups: dict[str, Group] = {}
    for item in plan.items:
        group = groups.setdefault(item.section, Group(item.section))
        getattr(group, item.status).append(item)
    return list(groups.values())


def _history(request: HttpRequest, roots: list[OrgUnit] | None) -> list[LocalityImport]:
    records = LocalityImport.objects.select_related("actor")
    if roots is not None:
        records = records.filter(actor_id=request.user.pk)
    return list(records[:HISTORY_ROWS])


def _page(
    request: HttpRequest, roots: list[OrgUnit] | None, status: int = 200, **context: Any
) -> HttpResponse:
    context.setdefault("form", BundleUploadForm())
    plan = context.get("plan")
    if plan is not None:
        context.setdefault("groups", grouped(plan))
        context.setdefault("digest", plan_digest(plan))
    context.update(
        roots=roots,
        everything=roots is None,
        history=_history(request, roots),
    )
    return render(request, "locality/bundle.html", context, status=status)


def _read(data: bytes) -> Bundle:
    return read_bundle(data)


def _links(request: HttpRequest, result: ImportResult) -> list[dict[str, str]]:
    return [
        {"username": link.username, "name": link.full_name, "url": request.build_absolute_uri(link.path)}
        for link in result.password_links
        if link.path
    ]


# ----------------------------------------------------------------------------------------- pages


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    roots = _require_admin(request)
    return _page(request, roots)


@login_required
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    """Step 1: the dry run of the uploaded bundle (nothing written)."""
    roots = _require_admin(request)
    form = BundleUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, roots, status=400, form=form)
    data: bytes = form.cleaned_data["file"]
    plan = plan_import(request.user, _read(data))
    name = getattr(request.FILES.get("file"), "name", "")
    if plan.ok and (plan.created or plan.changed):
        try:
            _keep(request, data, plan)
        except OSError:  # MEDIA_ROOT missing or not writable: say so rather than answer 500
            request.session.pop(SESSION_KEY, None)
            return _page(
                request, roots, status=503, plan=plan, file_name=name, problem=CANNOT_KEEP, cannot_keep=True
            )
    else:
        _forget(request)
    return _page(request, roots, status=200 if plan.ok else 400, plan=plan, file_name=name)


@login_required
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    """Step 2: import the file of the dry run, if what it does is still what was shown."""
    roots = _require_admin(request)
    entry = _stored(request)
    path = _upload_path(request, entry["token"]) if entry is not None else None
    if entry is None or path is None or not path.is_file():
        return _page(
            request,
            roots,
            status=400,
            problem=NOTHING_TO_APPLY,
        )
    if request.POST.get("plan") != entry.get("plan"):
        return _page(
            request,
            roots,
            status=409,
            problem=OTHER_UPLOAD,
        )
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.get("file_sha256"):
        _forget(request)
        return _page(
            request, roots, status=409, problem="Tệp đã lưu không còn như lúc chạy thử: hãy tải tệp lên lại."
        )
    bundle = _read(data)
    with transaction.atomic():
        result = apply_import(request.user, bundle, dry_run=False)
        if result.applied and plan_digest(result.plan) != entry["plan"]:
            transaction.set_rollback(True)  # the database changed since the dry run: nothing is kept
            stale = True
        else:
            stale = False
    if stale or not result.applied:
        plan = plan_import(request.user, bundle)
        if plan.ok and (plan.created or plan.changed):
            _keep(request, data, plan)
        else:
            _forget(request)
        return _page(
            request,
            roots,
            status=409,
            plan=plan,
            file_name=entry.get("name", ""),
            problem=CHANGED_SINCE,
        )
    _forget(request)
    return _page(
        request,
        roots,
        result=result,
        applied=result.plan,
        applied_groups=grouped(result.plan),
        links=_links(request, result),
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The current bundle of the user's subtree (``?don_vi=CODE``; the superuser may omit it: everything),
    as a .zip of the folder or (``?dinh_dang=xlsx``) the workbook."""
    roots = _require_admin(request)
    code = request.GET.get("don_vi", "")
    unit: OrgUnit | None = None
    if code or roots is not None:
        allowed = units_for(request.user, Action.MANAGE)
        unit = allowed.filter(code=code).first() if code else (roots[0] if roots else None)
        if unit is None:
            raise Http404("Không có đơn vị này trong phạm vi quản trị của bạn.")
    files = export_files(unit)
    name = "bo-cau-hinh-" + (re.sub(r"[^A-Za-z0-9_-]", "_", unit.code) if unit else "toan-bo")
    if request.GET.get("dinh_dang") == "xlsx":
        response = HttpResponse(
            workbook_bytes(files),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, text in files.items():
            info = zipfile.ZipInfo(f"{name}/{file_name}", date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


__all__ = ["BundleError", "Group", "apply", "check", "export", "grouped", "index", "plan_digest"]

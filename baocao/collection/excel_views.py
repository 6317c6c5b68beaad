"""Pages of the Excel round trip: download a unit's form for a period, upload it back with a dry run
that lists every row, then import all-or-nothing.

Between the dry run and the import the file travels back to the browser in a hidden field (base64).
That is safe because the import re-reads and re-validates the whole file and checks the user's
permission again; the field is only offered when it fits the request size Django accepts
(DATA_UPLOAD_MAX_MEMORY_SIZE), otherwise the user chooses the file again.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from baocao.accounts.permissions import Action, require
from baocao.collection import excel
from baocao.core.csvio import ImportRejected, RowError
from baocao.core.periods import Period, PeriodError
from baocao.indicators.models import DataSet
from baocao.orgunits.models import OrgUnit


def _form(
    request: HttpRequest, code: str, unit_code: str, period_id: str, action: Action
) -> tuple[DataSet, OrgUnit, Period]:
    """The data set, unit and period of the URL (404 when unknown) if the user may ``action`` (403)."""
    data_set = get_object_or_404(DataSet, code=code)
    org_unit = get_object_or_404(data_set.org_units.all(), code=unit_code)
    try:
        period = Period.parse(period_id)
    except PeriodError as exc:
        raise Http404(str(exc)) from None
    if period.type != data_set.period_type:
        raise Http404(f"Biểu “{data_set.name}” không báo cáo theo kỳ {period.label}.")
    require(request.user, action, org_unit)
    return data_set, org_unit, period


@login_required
@require_GET
def excel_download(request: HttpRequest, data_set: str, unit: str, period: str) -> HttpResponse:
    form, org_unit, period_obj = _form(request, data_set, unit, period, Action.VIEW)
    response = HttpResponse(excel.export_form(form, org_unit, period_obj), content_type=excel.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{excel.file_name(form, org_unit, period_obj)}"'
    return response


def _uploaded(request: HttpRequest) -> bytes:
    """The chosen file, or the file of the dry run carried in the hidden field."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is not None and upload.size > excel.MAX_FILE_SIZE:
            raise ImportRejected([RowError(None, None, "Tệp quá lớn; biểu mẫu Excel tối đa 5 MB.")])
        return upload.read()
    content = request.POST.get("content", "")
    if content and len(content) <= excel.MAX_FILE_SIZE * 4 // 3 + 4:
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            pass
    raise ImportRejected([RowError(None, None, "Hãy chọn tệp Excel (.xlsx) của biểu mẫu.")])


def _carriable(data: bytes) -> str:
    """The file as base64 for the hidden field, or "" when the import request would be too large."""
    encoded = base64.b64encode(data).decode("ascii")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return encoded if limit is None or len(encoded) < limit - 64 * 1024 else ""


@login_required
@require_http_methods(["GET", "POST"])
def excel_upload(request: HttpRequest, data_set: str, unit: str, period: str) -> HttpResponse:
    form, org_unit, period_obj = _form(request, data_set, unit, period, Action.ENTER)
    context: dict[str, object] = {"data_set": form, "org_unit": org_unit, "period": period_obj}
    if request.method == "POST":
        dry_run = request.POST.get("action") != "import"
        try:
            data = _uploaded(request)
            result = excel.import_form(data, form, org_unit, period_obj, request.user, dry_run=dry_run)
        except ImportRejected as exc:
            context["errors"] = exc.errors
        else:
            if not dry_run:
                messages.success(request, f"Nhập từ tệp Excel: {result.summary()}")
                return redirect("collection:entry", form.code, org_unit.code, period_obj.id)
            context.update(result=result, preview=excel.preview(result.rows), content=_carriable(data))
    return render(request, "collection/excel_upload.html", context)

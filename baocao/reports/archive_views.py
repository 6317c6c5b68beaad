"""The office's page for the archive import (issue 14, point 5): paste or upload a past report, review
the proposed values, dry run, import. Decisions are the action's (:mod:`baocao.reports.archive`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.accounts.permissions import for_user, units_for
from baocao.collection.types import ImportRejected
from baocao.core import clock
from baocao.core.period_choices import current_period, window_label
from baocao.core.periods import Period, PeriodError, PeriodType
from baocao.core.text import search_key
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit
from baocao.reports import archive
from baocao.reports.models import ReportType

MAX_UPLOAD = archive.MAX_DOCX_BYTES


def _report_types(request: HttpRequest) -> list[ReportType]:
    allowed = set(units_for(request.user, archive.IMPORT_ACTION).values_list("pk", flat=True))
    visible = for_user(ReportType.objects.filter(is_active=True), request.user, archive.IMPORT_ACTION)
    return [t for t in visible.select_related("org_unit") if t.org_unit_id in allowed]


ARCHIVE_YEARS = 15  # how far back the period list reaches (the pickers elsewhere show two years)


def _past_periods(types: list[ReportType]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods a past report may be of, per period type of the report types, newest first, with
    their Decree 09 windows."""
    groups = []
    for type_ in dict.fromkeys(t.period_type_enum for t in types):
        current = current_period(type_, clock.today())
        per_year = {PeriodType.MONTH: 12, PeriodType.QUARTER: 4, PeriodType.HALF_YEAR: 2}.get(type_, 1)
        periods = [current.shift(-n) for n in range(ARCHIVE_YEARS * per_year)]
        groups.append((type_.label, [(p.id, window_label(p)) for p in periods]))
    return groups


def _named(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their unit's name (the table shows names, never codes)."""
    names = dict(OrgUnit.objects.filter(code__in={r["org_unit"] for r in table}).values_list("code", "name"))
    return [{**r, "unit_name": names.get(r["org_unit"], r["org_unit"])} for r in table]


def _indicator_options() -> list[str]:
    """The picker's options: code, name, unit and the name without accents (typing "pham phap" finds
    "Phạm pháp": the browser's list matches any part of the option)."""
    return [
        f"{i.code} — {i.name} ({i.unit.name}) — {search_key(i.name)}"
        for i in Indicator.objects.filter(is_active=True)
        .select_related("unit")
        .order_by("sort_order", "code")
    ]


@login_required
def archive_page(request: HttpRequest) -> HttpResponse:
    types = _report_types(request)
    if not types:
        raise PermissionDenied("Chỉ văn phòng (người lập báo cáo) được nhập báo cáo cũ.")
    context: dict[str, Any] = {
        "types": types,
        "errors": [],
        "step": "paste",
        "kinds": archive.KINDS,
        "periods": _past_periods(types),
    }
    if request.method != "POST":
        return render(request, "reports/archive_page.html", context)
    post = request.POST
    report_type = next((t for t in types if str(t.pk) == post.get("report_type")), None)
    try:
        period = Period.parse(post.get("period", "").strip())
    except PeriodError as exc:
        context["errors"].append(f"Kỳ báo cáo: {exc}")
        return render(request, "reports/archive_page.html", context, status=400)
    if report_type is None:
        context["errors"].append("Loại báo cáo: hãy chọn một loại báo cáo trong danh sách.")
        return render(request, "reports/archive_page.html", context, status=400)
    context.update(report_type=report_type, period=period, text=post.get("text", ""))
    step = post.get("step", "doc")
    try:
        if step == "doc":
            upload = request.FILES.get("docx")
            if upload is not None:
                if upload.size and upload.size > MAX_UPLOAD:
                    raise archive.ArchiveError("Tệp .docx quá lớn (tối đa 5 MB).")
                text = archive.read_docx(upload.read(MAX_UPLOAD + 1))
            else:
                text = post.get("text", "")
            reading = archive.read_archive(
                text, user=request.user, org_unit=report_type.org_unit, period=period, report_type=report_type
            )
            seen: dict[tuple[str, str, str], int] = {}
            table = []
            for r in reading.rows:
                first = seen.setdefault((r.code, r.org_unit, r.kind), r.line)
                table.append(
                    {
                        "indicator": f"{r.code} — {r.name} ({r.unit})",
                        "org_unit": r.org_unit,
                        "kind": r.kind,
                        "value": r.value_text,
                        "number": r.number,
                        "sentence": r.sentence,
                        "duplicate": first != r.line,
                    }
                )
            context.update(
                step="review",
                reading=reading,
                text=reading.text,
                table=_named(table),
                options=_indicator_options(),
            )
            if not reading.rows:
                context["errors"].append(
                    "Không đề xuất được số liệu nào từ văn bản này (có thể không phải một báo cáo): "
                    "văn bản được giữ nguyên, các con số chưa gán được liệt kê bên dưới."
                )
            return render(request, "reports/archive_page.html", context)
        rows = archive.rows_from_review(post, report_type.org_unit)
        if not rows:
            context["errors"].append("Không còn dòng nào để nhập: hãy giữ ít nhất một dòng có chỉ tiêu.")
            context["step"] = "paste"
            return render(request, "reports/archive_page.html", context, status=400)
        dry_run = step != "nhap"
        result = archive.import_archive(
            request.user, rows, org_unit=report_type.org_unit, period=period, dry_run=dry_run
        )
        context.update(
            step="dry_run" if dry_run else "done",
            result=result,
            table=_named(rows),
            options=_indicator_options(),
        )
        return render(request, "reports/archive_page.html", context)
    except archive.ArchiveError as exc:
        context["errors"].append(str(exc))
    except ImportRejected as exc:
        context["errors"].extend(str(e) for e in exc.errors)
        context.update(
            step="rejected",
            table=_named(archive.rows_from_review(post, report_type.org_unit)),
            options=_indicator_options(),
        )
    return render(request, "reports/archive_page.html", context, status=400)

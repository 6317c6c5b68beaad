"""The monthly briefing page, its one-page PDF and the draft instruction letter (DOCX)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.page_scope import period_from_request, unit_from_request
from baocao.briefing.services import Briefing, briefing_document, build_briefing, instruction_letter
from baocao.reports.docx import render_docx
from baocao.reports.pdf import PdfError, convert_to_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _briefing(request: HttpRequest) -> Briefing | None:
    unit = unit_from_request(request, units_for(request.user, Action.VIEW))
    if unit is None:
        return None
    period, _ = period_from_request(request, unit)
    return build_briefing(request.user, unit, period)


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def briefing_page(request: HttpRequest) -> HttpResponse:
    briefing = _briefing(request)
    return render(request, "briefing/briefing.html", {"b": briefing})


@login_required
def briefing_pdf(request: HttpRequest) -> HttpResponse:
    briefing = _briefing(request)
    if briefing is None:
        return HttpResponse("Bạn chưa được giao đơn vị nào để xem số liệu.", status=400)
    try:
        pdf = convert_to_pdf(render_docx(briefing_document(briefing)))
    except PdfError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _file(pdf, "application/pdf", f"tom-tat-{briefing.period.id}.pdf")


@login_required
def letter_docx(request: HttpRequest) -> HttpResponse:
    briefing = _briefing(request)
    if briefing is None:
        return HttpResponse("Bạn chưa được giao đơn vị nào để xem số liệu.", status=400)
    data = render_docx(instruction_letter(briefing))
    return _file(data, DOCX, f"cong-van-chi-dao-{briefing.period.id}.docx")

"""The unit's narrative page (issue 14): one editor per section assigned to the unit, with the section's
preview as the report prints it and the numbers recognised as the clerk types.

The clerk writes plain text with bold, italic, superscript and paragraphs (Quill, static/baocao/
narrative.js). A figure is a chip: a template tag the clerk sees only as the value it prints. The page
posts the editors' HTML; :func:`baocao.reports.markup.from_editor` sanitises it and turns chips back into
``{{ expression }}`` so the report renders the narrative from data as it renders every block. Saving goes
through :func:`baocao.reports.narrative.save_narrative` (who may write, when, the audit trail).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.figures import FigureLookupError
from baocao.core.periods import Period, PeriodError
from baocao.core.text import search_key
from baocao.indicators.models import DataSet, Indicator, ValueType
from baocao.orgunits.models import OrgUnit
from baocao.reports import markup, narrative
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import Contribution, ReportSection, ReportType
from baocao.reports.recognizer import Recognised, recognise

__all__ = ["contributions", "narrative_page", "recognise_numbers"]

# The recogniser reads at most this much of a section at once: a monthly report's section is a few
# thousand characters, and the recogniser takes about 12 ms a number (200.000 characters dense with numbers
# took almost 2 minutes). A longer paste is kept and saved whole; the page says that the numbers past the
# limit were not checked.
RECOGNISE_LIMIT = 10_000


def narrative_page(request: HttpRequest, unit: str, period: str) -> tuple[OrgUnit, Period]:
    """The unit (404 unless the user may see it) and period (404 when invalid) of a narrative URL."""
    unit_obj = get_object_or_404(units_for(request.user, Action.VIEW), code=unit)
    try:
        return unit_obj, Period.parse(period)
    except PeriodError:
        raise Http404(f"Kỳ “{period[:20]}” không hợp lệ.") from None


class _Contexts:
    """The report's render context per report type, built once per request."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.cache: dict[int, dict[str, Any]] = {}

    def __call__(self, report_type: ReportType) -> dict[str, Any]:
        if report_type.pk not in self.cache:
            self.cache[report_type.pk] = narrative.render_context(report_type, self.period)
        return self.cache[report_type.pk]


def _editor_html(source: str, context: Mapping[str, Any]) -> str:
    return markup.to_editor(source, lambda tag: narrative.show_chip(tag, context))


def _preview_html(
    section: ReportSection, unit: OrgUnit, period: Period, context: Mapping[str, Any], draft: str | None
) -> str:
    parts = narrative.section_preview(section, unit, period, context, draft)
    return render_to_string("collection/narrative_preview.html", {"parts": parts})


def _picker(unit: OrgUnit, period: Period, context: Mapping[str, Any]) -> list[dict[str, str]]:
    """The unit's indicators for the "insert figure" picker and binding an unknown number: name, unit,
    the expression a chip stores and how it prints now (accent-insensitive search key included)."""
    data_sets = DataSet.objects.filter(org_units=unit)
    indicators = (
        Indicator.objects.filter(is_active=True, datasetindicator__data_set__in=data_sets)
        .select_related("unit")
        .distinct()
        .order_by("code")
    )
    out = []
    for indicator in indicators:
        filter_ = "dem" if indicator.value_type == ValueType.INTEGER else "so"
        expression = f"f.{indicator.code}.value|{filter_}"
        chip = narrative.show_chip("{{ " + expression + " }}", context)
        out.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit.name,
                "src": "{{ " + expression + " }}",
                "text": chip.text if chip.ok else "",
                "key": search_key(f"{indicator.name} {indicator.code}"),
                "history": reverse(
                    "collection:value_history", args=[indicator.code, unit.code, period.id, "actual"]
                ),
            }
        )
    return out


@login_required
def contributions(request: HttpRequest, unit: str, period: str) -> HttpResponse:
    """A unit's narrative for the report: one editor per section assigned to the unit. Written by the
    unit while its data set is a draft or returned, or corrected by the office."""
    unit_obj, period_obj = narrative_page(request, unit, period)
    try:
        refusal = narrative.write_refusal(request.user, unit_obj, period_obj)
    except PermissionDenied:
        may_edit, refusal = False, None
    else:
        may_edit = refusal is None
    sections = narrative.sections_for(unit_obj, period_obj)
    current = {
        key: narrative.joined_text(group)
        for key, group in groupby(
            Contribution.objects.filter(
                report_type__in={s.report_type_id for s in sections}, org_unit=unit_obj, period=period_obj.id
            ).order_by("report_type", "section_key", "sort_order", "pk"),
            key=lambda c: (c.report_type_id, c.section_key),
        )
    }
    posted: dict[int, str] = {}
    if request.method == "POST":
        for name in request.POST:
            if name[:1] == "s" and name[1:].isascii() and name[1:].isdigit() and len(name) < 20:
                posted[int(name[1:])] = markup.from_editor(request.POST.get(name, ""))
        known = ReportSection.objects.select_related("report_type").in_bulk(list(posted)[:500])
        texts = {known[pk]: value for pk, value in posted.items() if pk in known}
        try:
            saved = narrative.save_narrative(unit_obj, period_obj, texts, request.user)
        except narrative.NarrativeClosed as exc:
            messages.error(request, f"Chưa lưu: {exc}")
        except TemplateProblems as exc:
            messages.error(request, "Chưa lưu: " + " ".join(exc.problems))
        else:
            done = f"Đã lưu nội dung {saved} mục." if saved else "Nội dung không thay đổi."
            messages.success(request, done)
            return redirect(request.path)
    contexts = _Contexts(period_obj)
    rows = []
    for section in sections:
        context = contexts(section.report_type)
        source = posted.get(section.pk, current.get((section.report_type_id, section.key), ""))
        rows.append(
            {
                "section": section,
                "editor": _editor_html(source, context),
                "empty": not source.strip(),
                "preview": _preview_html(section, unit_obj, period_obj, context, source),
                "writers": narrative.assigned_units(section.report_type, section.key),
            }
        )
    picker = _picker(unit_obj, period_obj, contexts(sections[0].report_type)) if sections and may_edit else []
    return render(
        request,
        "collection/contributions.html",
        {
            "unit": unit_obj,
            "period": period_obj,
            "rows": rows,
            "may_edit": may_edit,
            "refusal": refusal,
            "empty": [row["section"] for row in rows if row["empty"]],  # before the head submits
            "picker": picker,
            "recognise_url": reverse("collection:narrative_recognise", args=[unit_obj.code, period_obj.id]),
        },
    )


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": [{"row": None, "field": None, "message": message}]}, status=status)


def _mention(result: Recognised, text: str, unit: OrgUnit, period: Period) -> dict[str, Any]:
    binding = result.binding
    start, end = (binding.start, binding.end) if binding else (result.mention.start, result.mention.end)
    item: dict[str, Any] = {
        "start": start,
        "end": end,
        "text": text[start:end],
        "status": result.status,
        "stored": result.stored_text,
        "candidates": [c.code for c in result.candidates][:10],
    }
    if binding:
        item.update(
            code=binding.code,
            name=binding.name,
            src="{{ " + binding.expression + " }}",
            history=reverse(
                "collection:value_history", args=[binding.code, unit.code, period.id, binding.kind]
            ),
        )
    return item


_NEXT_PERIOD_WORDS = ("ky_sau", "ky sau", "ky toi", "thang toi", "thang sau")


def _about_next_period(section: ReportSection) -> bool:
    """Whether the section (or one above it) is about the next period's tasks ("Nhiệm vụ trọng tâm công
    tác {{ ky_sau }}"): its numbers are then next period's plans, which the recogniser matches instead."""
    current: ReportSection | None = section
    while current is not None:
        key = search_key(current.title)
        if "nhiem vu" in key and any(word in key for word in _NEXT_PERIOD_WORDS):
            return True
        current = current.parent
    return False


@login_required
@require_POST
def recognise_numbers(request: HttpRequest, unit: str, period: str) -> JsonResponse:
    """The numbers of a section's text as the clerk types (JSON ``{section, text, html}``): each bound,
    mismatched or unknown, with the offsets in ``text``; and the section's preview with ``html`` as the
    unit's draft. Errors are Vietnamese JSON, never a 500."""
    unit_obj, period_obj = narrative_page(request, unit, period)
    if request.content_type != "application/json":
        # A form post (its body already read as a form by the CSRF check) is not what the page sends.
        return _error("Dữ liệu gửi lên phải là JSON (Content-Type: application/json).", 415)
    try:
        body = json.loads(request.body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _error("Dữ liệu gửi lên không phải JSON hợp lệ.")
    if not isinstance(body, dict):
        return _error("Dữ liệu gửi lên phải là một đối tượng JSON {section, text, html}.")
    text, html_text, section_id = body.get("text"), body.get("html"), body.get("section")
    if not isinstance(text, str) or not isinstance(html_text, str) or not isinstance(section_id, int):
        return _error("Thiếu “section” (số), “text” hoặc “html” (chuỗi).")
    sections = {s.pk: s for s in narrative.sections_for(unit_obj, period_obj)}
    section = sections.get(section_id)
    if section is None:
        return _error(f"Mục {section_id} không giao cho {unit_obj.name} viết trong kỳ này.", 404)
    # offsets must stay those of the editor's text: the page sends it NFC (narrative.js), never re-normalised
    try:
        context = narrative.render_context(section.report_type, period_obj)
        results = recognise(
            text[:RECOGNISE_LIMIT],
            report_type=section.report_type,
            org_unit=unit_obj,
            period=period_obj,
            user=request.user,
            plans_ahead=_about_next_period(section),
        )
        preview = _preview_html(section, unit_obj, period_obj, context, markup.from_editor(html_text))
    except FigureLookupError as exc:  # the unit or an indicator went away meanwhile (reference data edited)
        return _error(f"Chưa đối chiếu được số liệu: {exc}", 409)
    return JsonResponse(
        {
            "mentions": [_mention(r, text, unit_obj, period_obj) for r in results],
            "preview": preview,
            "limit": RECOGNISE_LIMIT if len(text) > RECOGNISE_LIMIT else None,
        }
    )

"""Links from the figures a page prints to their passports (analytics.passport).

``{% passport_body item %}`` prints a report's body item as ``{% body_item %}`` does and turns each number
that is one of the figures the report used (``figures_used`` in the context: the report's figure
snapshot, ``CODE|kind`` → its formatted value, previous, last year, year to date) into a link to that
figure's passport. A number two figures share, or of one digit, is left as text: it could be either."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.template import Context
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from baocao.analytics.passport import passport_url
from baocao.core.numbers import format_number
from baocao.reports.document import BodyItem, Paragraph, Table
from baocao.reports.templatetags.reports import body_item

register = template.Library()

NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![\w]|[.,]\d)")
FIELDS = ("value", "previous", "last_year", "ytd")


def figure_links(run: Any, figures: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Formatted number → passport address, for the numbers that name one figure only."""
    found: dict[str, str | None] = {}
    issued = getattr(run, "is_issued", False)
    for key, data in figures.items():
        if key.startswith("ky_sau:") or "|" not in key:
            continue
        code, kind = key.split("|", 1)
        url = passport_url(code, run.org_unit.code, run.period, kind, run.pk if issued else None)
        for name in FIELDS:
            text = data.get(name)
            if not isinstance(text, str) or len(text) < 2:
                continue
            found[text] = url if found.get(text, url) == url else None  # two figures: ambiguous
    return {text: url for text, url in found.items() if url}


@register.simple_tag(takes_context=True)
def passport_body(context: Context, item: BodyItem) -> SafeString:
    html = body_item(item)
    if not isinstance(item, Paragraph | Table):
        return html
    links = context.render_context.get("passport_links")
    if links is None:
        run, figures = context.get("run"), context.get("figures_used") or {}
        links = figure_links(run, figures) if run is not None and run.pk else {}
        context.render_context["passport_links"] = links
    if not links:
        return html

    def link(match: re.Match[str]) -> str:
        url = links.get(match.group(1))
        if url is None:
            return match.group(0)
        return f'<a class="figure-link" href="{escape(url)}" title="Hộ chiếu số liệu">{match.group(1)}</a>'

    # Numbers only in the text between tags (an attribute never holds one of them).
    parts = re.split(r"(<[^>]*>)", str(html))
    return mark_safe(
        "".join(p if p.startswith("<") else NUMBER.sub(link, p) for p in parts)
    )  # every part escaped by body_item


@register.filter
def person(user: Any) -> str:
    """Who did it: the full name, else the user name; the demo loader and commands are "hệ thống"."""
    if user is None:
        return "hệ thống"
    return str(user.get_full_name() or user.get_username())


@register.simple_tag
def passport_href(indicator: str, unit: str, period: Any, kind: str) -> str:
    """The passport's address of a figure (``period``: a Period or its id)."""
    return passport_url(indicator, unit, str(getattr(period, "id", period)), str(kind))


@register.simple_tag
def passport_number(value: Decimal | None, indicator: str, unit: str, period: Any, kind: str) -> str:
    """A figure's number, written the Vietnamese way, linked to its passport (nothing when missing)."""
    if value is None:
        return ""
    return format_html(
        '<a class="figure-link" href="{}" title="Hộ chiếu số liệu">{}</a>',
        passport_href(indicator, unit, period, kind),
        format_number(value),
    )


@register.simple_tag
def pivot_cell(pivot: Any, row: Any, index: int, value: Decimal | None) -> str:
    """An explorer cell: its number linked to the passport of the row's figure in the column's period."""
    return passport_number(value, row.indicator.code, row.unit.code, pivot.periods[index], pivot.query.kind)

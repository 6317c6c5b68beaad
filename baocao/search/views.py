"""Search from the header (``/tim-kiem/?q=...``): accent- and case-insensitive, across the indicators,
units, tasks and reports the user may see.

Every searchable model keeps an accent-free ``search_key`` (:class:`baocao.core.models.NormalizedTextMixin`,
:func:`baocao.core.text.search_key`); the query is folded the same way, so "thu ngan sach" finds
"Thu ngân sách" and "dong dang" finds "Đồng Đăng". Every word typed must occur (in any order). Scope:
units, tasks and reports through :mod:`baocao.accounts.permissions` (VIEW); indicators are reference
data, listed to anyone who may view some unit's figures. Results are grouped by kind and ordered in
Vietnamese collation (:mod:`baocao.core.collation`), whole-phrase matches first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from baocao.accounts.permissions import Action, for_user, units_for
from baocao.assignments.models import Task
from baocao.assignments.views import visible_tasks
from baocao.core.collation import sort_key
from baocao.core.periods import Period, PeriodError
from baocao.core.text import clean, search_key
from baocao.indicators.models import Indicator
from baocao.reports.models import ReportRun

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
PER_KIND = 20
MAX_REPORTS_SCANNED = 2000  # reports are matched in Python (name of their type + period label)


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    phrase: bool = False  # the whole query occurs as typed (ranked first)


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


def _words_condition(words: list[str], *fields: str) -> Q:
    """Every word occurs in one of ``fields`` (search keys)."""
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__contains": word})
        condition &= any_field
    return condition


def _ranked(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=lambda h: (not h.phrase, sort_key(h.title)))


def _indicators(user: object, words: list[str], phrase: str) -> Group:
    group = Group("indicators", "Chỉ tiêu")
    if not units_for(user, Action.VIEW).exists():  # type: ignore[arg-type]
        return group
    found: QuerySet[Indicator] = Indicator.objects.filter(is_active=True).filter(
        _words_condition(words, "search_key")
    )
    group.total = found.count()
    rows = found.select_related("unit", "sector").order_by("code")[: PER_KIND * 5]
    hits = [
        Hit(
            title=i.name,
            url=reverse("analytics:dashboard_indicator") + "?" + urlencode({"indicator": i.code}),
            detail=" · ".join(part for part in (i.sector.name, i.unit.name) if part),
            phrase=phrase in i.search_key,
        )
        for i in rows
    ]
    group.hits = _ranked(hits)[:PER_KIND]
    return group


def _units(user: object, words: list[str], phrase: str) -> Group:
    group = Group("units", "Đơn vị")
    found = units_for(user, Action.VIEW).filter(_words_condition(words, "search_key"))  # type: ignore[arg-type]
    group.total = found.count()
    hits = [
        Hit(
            title=u.name,
            url=reverse("home") + "?" + urlencode({"unit": u.code}),
            detail=u.get_type_display(),
            phrase=phrase in u.search_key,
        )
        for u in found.order_by("path")[: PER_KIND * 5]
    ]
    group.hits = _ranked(hits)[:PER_KIND]
    return group


def _tasks(user: object, words: list[str], phrase: str) -> Group:
    group = Group("tasks", "Nhiệm vụ")
    found: QuerySet[Task] = visible_tasks(user).filter(
        _words_condition(words, "search_key", "directive__search_key")
    )
    group.total = found.count()
    hits = []
    for task in found[: PER_KIND * 5]:
        directive = str(task.directive) if task.directive_id else ""
        hits.append(
            Hit(
                title=str(task),
                url=reverse("assignments:task", args=[task.pk]),
                detail=" · ".join(part for part in (task.lead_unit.name, directive) if part),
                phrase=phrase in task.search_key,
            )
        )
    group.hits = _ranked(hits)[:PER_KIND]
    return group


def _period_label(period_id: str) -> str:
    try:
        return Period.parse(period_id).label
    except PeriodError:
        return period_id


def _reports(user: object, words: list[str], phrase: str) -> Group:
    group = Group("reports", "Báo cáo")
    runs = (
        for_user(ReportRun.objects.all(), user, Action.VIEW)  # type: ignore[arg-type]
        .select_related("report_type", "org_unit")
        .only("pk", "period", "number", "status", "report_type__name", "org_unit__name")
        .order_by("-period", "pk")[:MAX_REPORTS_SCANNED]
    )
    hits = []
    for run in runs:
        title = f"{run.report_type.name} {_period_label(run.period)}"
        number = f"số {run.number}" if run.number else ""
        key = search_key(" ".join((title, number, run.org_unit.name)))
        if all(word in key for word in words):
            hits.append(
                Hit(
                    title=title,
                    url=reverse("reports:detail", args=[run.pk]),
                    detail=" · ".join(part for part in (run.get_status_display(), number) if part),
                    phrase=phrase in key,
                )
            )
    group.total = len(hits)
    # Newest period first (the scan's order), whole-phrase matches before the others.
    group.hits = sorted(hits, key=lambda h: not h.phrase)[:PER_KIND]
    return group


@login_required
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    query = clean(raw)
    shown = query[:MAX_QUERY_LENGTH]
    context: dict[str, object] = {"query": shown, "search_query": shown, "groups": [], "error": ""}
    if not query:
        context["error"] = "Nhập từ cần tìm (có dấu hoặc không dấu), ví dụ: thu ngan sach."
        return render(request, "search/results.html", context)
    if len(query) > MAX_QUERY_LENGTH:
        context["error"] = (
            f"Từ khóa tìm kiếm dài {len(query):,} ký tự".replace(",", ".")
            + f"; hãy nhập tối đa {MAX_QUERY_LENGTH} ký tự."
        )
        return render(request, "search/results.html", context, status=400)
    phrase = search_key(query)
    # A word without a letter or digit ("%", "--", "'") would match by punctuation alone: left out.
    words = list(dict.fromkeys(w for w in phrase.split() if any(ch.isalnum() for ch in w)))
    if not words:
        context["error"] = "Từ khóa tìm kiếm không có chữ hoặc số nào."
        return render(request, "search/results.html", context)
    if len(words) > MAX_WORDS:
        context["error"] = f"Từ khóa có {len(words)} từ; hãy nhập tối đa {MAX_WORDS} từ."
        return render(request, "search/results.html", context, status=400)
    user = request.user
    groups = [
        _indicators(user, words, phrase),
        _units(user, words, phrase),
        _tasks(user, words, phrase),
        _reports(user, words, phrase),
    ]
    context["groups"] = [g for g in groups if g.total]
    context["total"] = sum(g.total for g in groups)
    return render(request, "search/results.html", context)

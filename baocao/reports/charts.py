"""The `chart` block of report templates: a trend chart drawn on the server and put into the Word report.

An office that wants a revenue chart in its monthly report configures it as data, in the block's source
(a few `key: value` lines, read with core.safeyaml)::

    indicator: THU_NSNN        # required: the indicator's code
    unit: TPLS                 # optional: the unit (its subtree); default the report's unit
    months: 12                 # optional: 1–36 months ending with the report's period (default 12)
    kinds: [actual, estimate]  # optional: actual / estimate / cumulative (default: those with data)
    last_year: true            # optional: the same months of the previous year (default true)
    plan: true                 # optional: the plan lines where a plan exists (default true)
    style: line                # optional: line or bar (default line)
    title: Thu ngân sách       # optional: the caption (default the indicator's name and unit)

The numbers come from the one series function, :func:`baocao.analytics.series.get_series`, which the
browser's ECharts charts also read, so the report's chart and the dashboard's show the same values. The
picture is drawn with matplotlib (its Agg canvas, no display and no pyplot state; DejaVu Serif, which
matplotlib ships and which covers Vietnamese), Vietnamese numbers on the axis (1.425;
22,6), at a fixed size (bounded bytes). A chart that cannot be made is marked "[chưa lập được: …]" in place
like any other block (reports.building), and its settings are checked when the template is saved.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import matplotlib
import yaml
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from baocao.analytics.series import LineRole, Series, SeriesError, get_series
from baocao.collection.models import ValueKind
from baocao.core import safeyaml
from baocao.core.numbers import format_number
from baocao.core.periods import Period
from baocao.core.text import clean
from baocao.orgunits.models import OrgUnit
from baocao.reports.document import Chart

__all__ = [
    "ChartError",
    "ChartPicture",
    "ChartSpec",
    "bind_pictures",
    "chart_item",
    "chart_problems",
    "parse_chart",
    "render_png",
]

KEYS = ("indicator", "unit", "months", "kinds", "last_year", "plan", "style", "title")
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
MAX_SOURCE = 2000  # characters of a chart block's settings
# The picture: 140 × 70 mm (the text width of a Decree 30 page less the paragraph's first-line indent) at
# 200 dpi: about 1100 × 550 pixels, a PNG of some tens of kilobytes.
WIDTH_MM, HEIGHT_MM, DPI = 140, 70, 200
# DejaVu Serif ships inside matplotlib itself and covers Vietnamese: the picture is the same on every server.
# (Debian's first "Liberation Serif" is version 1, without ơ, ư, ự, ồ...; matplotlib would pick it.)
FONT = "DejaVu Serif"
STYLES = {"line": "đường", "bar": "cột"}


class ChartError(ValueError):
    """A chart block that cannot be made (Vietnamese message, naming the setting)."""


@dataclass(frozen=True)
class ChartSpec:
    indicator: str
    unit: str | None = None
    months: int = DEFAULT_MONTHS
    kinds: tuple[str, ...] | None = None
    last_year: bool = True
    plan: bool = True
    style: str = "line"
    title: str = ""


def _example() -> str:
    return "ví dụ:\nindicator: THU_NSNN\nmonths: 12"


def parse_chart(source: str) -> ChartSpec:
    """The settings of a chart block, or ChartError naming what is wrong."""
    if len(source) > MAX_SOURCE:
        raise ChartError(f"Cấu hình biểu đồ dài quá {MAX_SOURCE} ký tự.")
    try:
        data = safeyaml.load(source, max_nodes=200) if source.strip() else None
    except safeyaml.YamlRejected as exc:
        raise ChartError(f"Cấu hình biểu đồ không đọc được: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" ở dòng {mark.line + 1}" if mark is not None else ""
        raise ChartError(f"Cấu hình biểu đồ không đọc được{line}; {_example()}") from None
    if data is None:
        raise ChartError(f"Cấu hình biểu đồ thiếu mã chỉ tiêu (indicator); {_example()}")
    if not isinstance(data, dict):
        raise ChartError(f"Cấu hình biểu đồ phải là các dòng “khóa: giá trị”; {_example()}")
    unknown = [str(k) for k in data if k not in KEYS]
    if unknown:
        raise ChartError(
            f"Cấu hình biểu đồ có khóa không dùng được: {', '.join(unknown)}; các khóa: {', '.join(KEYS)}."
        )
    indicator = data.get("indicator")
    if not isinstance(indicator, str) or not indicator.strip():
        raise ChartError(f"Cấu hình biểu đồ thiếu mã chỉ tiêu (indicator); {_example()}")
    unit = data.get("unit")
    if unit is not None and (not isinstance(unit, str) or not unit.strip()):
        raise ChartError("Cấu hình biểu đồ: unit phải là mã đơn vị, ví dụ: unit: TPLS.")
    months = data.get("months", DEFAULT_MONTHS)
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        raise ChartError(
            f"Cấu hình biểu đồ: months phải là số nguyên từ 1 đến {MAX_MONTHS} (nhận {months!r})."
        )
    kinds = data.get("kinds")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, list) or not kinds or any(k not in ValueKind.values for k in kinds):
            raise ChartError(
                "Cấu hình biểu đồ: kinds là một hoặc vài loại số liệu trong: "
                f"{', '.join(f'{v} ({label})' for v, label in ValueKind.choices)}."
            )
    flags = {}
    for key in ("last_year", "plan"):
        value = data.get(key, True)
        if not isinstance(value, bool):
            raise ChartError(f"Cấu hình biểu đồ: {key} phải là true hoặc false.")
        flags[key] = value
    style = data.get("style", "line")
    if style not in STYLES:
        raise ChartError("Cấu hình biểu đồ: style phải là line (đường) hoặc bar (cột).")
    title = data.get("title", "")
    if not isinstance(title, str) or len(title) > 300:
        raise ChartError("Cấu hình biểu đồ: title phải là một dòng chữ (tối đa 300 ký tự).")
    return ChartSpec(
        indicator.strip(),
        unit.strip() if isinstance(unit, str) else None,
        months,
        tuple(dict.fromkeys(kinds)) if kinds else None,
        flags["last_year"],
        flags["plan"],
        style,
        clean(title),
    )


def chart_problems(source: str, codes: Collection[str] | None = None) -> list[str]:
    """What is wrong with a chart block's settings before it is saved (empty: it can be saved): the
    settings, the indicator code among `codes` (the indicators that exist) and the unit code."""
    try:
        spec = parse_chart(source)
    except ChartError as exc:
        return [str(exc)]
    problems = []
    if codes is not None and spec.indicator not in codes:
        problems.append(f"Cấu hình biểu đồ: không có chỉ tiêu mã {spec.indicator}.")
    if spec.unit is not None and not OrgUnit.objects.filter(code=spec.unit).exists():
        problems.append(f"Cấu hình biểu đồ: không có đơn vị mã {spec.unit}.")
    return problems


# ------------------------------------------------------------------------------------------------ drawing

_COLOURS = {
    ValueKind.ACTUAL.value: "#1f4e9c",
    ValueKind.ESTIMATE.value: "#c0392b",
    ValueKind.CUMULATIVE.value: "#2e7d32",
}


def _axis_number(value: float, _position: object = None) -> str:
    """An axis label the Vietnamese way (1.425; 22,6): at most two decimals."""
    if not math.isfinite(value):
        return ""
    return format_number(Decimal(str(round(float(value), 2))))


def _floats(values: tuple[Decimal | None, ...]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _lines(series: Series, spec: ChartSpec) -> list[Any]:
    wanted = []
    for line in series.lines:
        if line.role == LineRole.LAST_YEAR and not spec.last_year:
            continue
        if line.role == LineRole.PLAN and not spec.plan:
            continue
        if line.has_data:
            wanted.append(line)
    return wanted


def render_png(series: Series, spec: ChartSpec) -> bytes:
    """The chart as a PNG of a fixed size (no title: the report prints the caption as text)."""
    figure = MplFigure(figsize=(WIDTH_MM / 25.4, HEIGHT_MM / 25.4), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # the Agg renderer, bound to this figure only: no pyplot, no global state
    with matplotlib.rc_context({"font.family": FONT, "font.size": 7.5}):
        axes = figure.add_subplot()
        x = list(range(len(series.months)))
        lines = _lines(series, spec)
        bars = [line for line in lines if line.role == LineRole.VALUE] if spec.style == "bar" else []
        width = 0.8 / max(len(bars), 1)
        for n, line in enumerate(bars):
            offset = (n - (len(bars) - 1) / 2) * width
            axes.bar(
                [i + offset for i in x],
                _floats(line.values),
                width=width,
                label=line.label,
                color=_COLOURS.get(line.kind, "#555555"),
            )
        for line in lines:
            if line in bars:
                continue
            colour = _COLOURS.get(line.kind, "#555555")
            values = _floats(line.values)
            if line.role == LineRole.VALUE:
                axes.plot(
                    x, values, color=colour, linewidth=1.8, marker="o", markersize=2.5, label=line.label
                )
            elif line.role == LineRole.LAST_YEAR:
                axes.plot(
                    x,
                    values,
                    color=colour,
                    alpha=0.55,
                    linewidth=1.2,
                    linestyle="--",
                    marker="o",
                    markersize=2,
                    label=line.label,
                )
            else:
                axes.plot(
                    x,
                    values,
                    color="#8b1a1a",
                    linewidth=1.2,
                    linestyle=":",
                    marker="D",
                    markersize=2.5,
                    drawstyle="steps-mid",
                    label=line.label,
                )
        labels = series.month_labels()
        step = max(1, math.ceil(len(labels) / 12))
        axes.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
        axes.yaxis.set_major_formatter(FuncFormatter(_axis_number))
        axes.set_ylabel(series.unit_name)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_ylim(bottom=min(0, axes.get_ylim()[0]))
        if lines:
            figure.legend(loc="outside lower center", ncol=3, frameon=False, fontsize=7)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return out.getvalue()


def _description(series: Series, spec: ChartSpec) -> str:
    """The chart's values as text (the picture's alternative text and the preview's caption)."""
    parts = []
    for line in _lines(series, spec):
        values = [
            f"{label} {format_number(value)}"
            for label, value in zip(series.month_labels(), line.values, strict=True)
            if value is not None
        ]
        parts.append(f"{line.label}: {'; '.join(values)}")
    return ". ".join(parts)


def chart_item(source: str, org_unit: OrgUnit, period: Period, deadline: float | None = None) -> Chart:
    """The chart block of a report for `org_unit` and `period`: settings → series → picture."""
    spec = parse_chart(source)
    if deadline is not None and time.monotonic() > deadline:
        raise ChartError("Hết thời gian lập báo cáo trước khi vẽ biểu đồ.")
    if spec.unit is not None:
        # The report's own subtree only, as its text blocks' figures: whoever may read the report may not
        # see another unit's data, and whoever edits its template may not fetch it that way.
        named = OrgUnit.objects.filter(code=spec.unit).only("path", "name").first()
        if named is not None and not named.path.startswith(org_unit.path):
            raise ChartError(
                f"Biểu đồ: đơn vị {named.name} ({spec.unit}) không thuộc {org_unit.name}; biểu đồ của báo "
                "cáo chỉ vẽ số liệu của đơn vị lập báo cáo và các đơn vị trực thuộc."
            )
    try:
        series = get_series(
            spec.unit or org_unit, period, spec.indicator, months=spec.months, kinds=spec.kinds
        )
    except SeriesError as exc:
        raise ChartError(f"Biểu đồ: {exc}") from None
    chart = series[spec.indicator]
    if not chart.has_data:
        first, last = chart.months[0].label, chart.months[-1].label
        raise ChartError(
            f"Biểu đồ: chỉ tiêu {spec.indicator} của {chart.org_unit.name} chưa có số liệu nào "
            f"từ {first} đến {last}."
        )
    span = f"{chart.months[0].label} – {chart.months[-1].label}"
    title = spec.title or f"Biểu đồ: {chart.indicator.name} ({chart.unit_name}), {span}"
    return Chart(
        title=title, image=render_png(chart, spec), width_mm=WIDTH_MM, description=_description(chart, spec)
    )


# ------------------------------------------------------------------------------------------------ Word


class ChartPicture:
    """A chart in the Word frame's paragraph slot (``{{r item.text }}``, which takes whole runs): a run
    holding the picture (a docxtpl InlineImage), a line break and the italic caption. The frame's template
    object, which the picture is added to, is bound by :func:`bind_pictures` before rendering."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.template: DocxTemplate | None = None

    def __html__(self) -> str:
        if self.template is None:
            raise ChartError("Biểu đồ chưa gắn với khung văn bản Word.")
        picture = InlineImage(self.template, io.BytesIO(self.chart.image), width=Mm(self.chart.width_mm))
        # InlineImage closes the text run it expects to sit in and opens one after: give it that run.
        runs = f'<w:r><w:t xml:space="preserve">{picture}</w:t></w:r><w:r><w:br/></w:r>'
        return runs + RichText(self.chart.title, italic=True).xml

    def __str__(self) -> str:
        return self.__html__()


def bind_pictures(context: dict[str, Any], template: DocxTemplate) -> None:
    """Bind every chart of the frame's context (body and annexes) to the frame's template object."""
    items = [*context.get("body", ()), *(i for annex in context.get("annexes", ()) for i in annex["body"])]
    for item in items:
        if isinstance(item.get("text"), ChartPicture):
            item["text"].template = template

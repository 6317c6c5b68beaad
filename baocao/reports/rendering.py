"""Rendering the report's text blocks: templates written by office staff, stored as data.

A block is a Jinja2 template rendered in an immutable sandbox with autoescape and StrictUndefined. It
reads figures by indicator code through :class:`FiguresView` and formats them with Vietnamese filters,
which are thin wrappers around :mod:`baocao.core.numbers` and :mod:`baocao.core.dates`::

    Số thu trong tháng được {{ f.THU_NSNN.value|so }} triệu đồng
    đạt {{ f.THU_NSNN.target("DT_THANG").ratio|phan_tram }} dự toán tháng;
    xảy ra {{ f.HS_VU.value|dem }} vụ ({{ f.HS_VU.value|so_sanh(f.HS_VU.previous, "vụ") }}).

Templates only ever see Decimals, strings, dates and the small read-only views below, never model
instances. A figure with no data is a StrictUndefined carrying a Vietnamese message naming it, so it
can be tested with ``{% if f.HS_VU.previous is defined %}`` and fails clearly when printed or formatted.
Every failure surfaces as :class:`RenderError` with a Vietnamese message.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Manager, Model, QuerySet
from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    nodes,
    pass_context,
)
from jinja2.runtime import Context
from jinja2.sandbox import SecurityError

from baocao.analytics.figures import Figure, FigureLookupError, FigureSet, TargetFigure
from baocao.collection.models import ValueKind
from baocao.core import dates, numbers
from baocao.core.periods import Period, PeriodType
from baocao.core.text import nfc
from baocao.reports.limits import (
    BLOCK_LIMITS,
    BoundedEnvironment,
    BudgetExceeded,
    RenderError,
    TemplateLimits,
    report_deadline,
    template_line,
    within_deadline,
)

__all__ = [
    "FILTERS",
    "OPTIONS_KEY",
    "BlockOptions",
    "BudgetExceeded",
    "FigureView",
    "FiguresView",
    "MissingFigure",
    "NotComparable",
    "RenderError",
    "TargetView",
    "TemplateLimits",
    "make_environment",
    "missing_figures",
    "render_block",
    "report_context",
    "report_deadline",
    "used_figures",
    "validate_block",
]


class MissingFigure(RenderError):
    """A block needs a figure (or a target) that has no data for the period: the template is sound and
    the block renders once the data is there."""


class _MissingValue(UndefinedError):
    """Raised by the undefined value standing for a figure without data."""


def _missing(what: str) -> Undefined:
    return StrictUndefined(hint=f"Thiếu số liệu: {what} chưa có giá trị.", exc=_MissingValue)


def _or_missing(value: Decimal | None, what: str) -> Decimal | Undefined:
    return _missing(what) if value is None else value


class NotComparable(StrictUndefined):
    """A comparison across a succession that cannot be made (a rate of a ward founded on 01/7/2025 has
    no "cùng kỳ"): ``is defined`` is false; a filter given it writes its phrase instead of a number
    ("không so sánh được với cùng kỳ (đơn vị mới thành lập từ 01/7/2025)"), and so does printing it;
    arithmetic on it fails like a missing figure. Never a percentage from a partial base."""

    __slots__ = ("phrase",)

    def __init__(self, phrase: str) -> None:
        super().__init__(hint=f"Không so sánh được: {phrase}.", exc=_MissingValue)
        self.phrase = phrase

    def __str__(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]  # a phrase, not a failure
        return self.phrase


_AGAINST = {
    "previous": "không so sánh được với kỳ trước",
    "last_year": "không so sánh được với cùng kỳ",
    "ytd": "chưa tính được lũy kế từ đầu năm",
}


def _comparison_field(attr: str, against: str, what: str) -> property:
    """Like :func:`_figure_field` for a comparison (``against``: previous, last_year, ytd): where the
    figures layer marked it not comparable, a :class:`NotComparable` carrying the sentence."""

    def read(self: FigureView) -> Any:
        figure = self._figure
        if not getattr(figure, f"{against}_comparable"):
            reason = figure.not_comparable_reason
            return NotComparable(f"{_AGAINST[against]} ({reason})" if reason else _AGAINST[against])
        return _or_missing(getattr(figure, attr), f"{what} của {self._label}")

    return property(read)


# ---------------------------------------------------------------------------------------------- views


def _figure_field(attr: str, what: str) -> property:
    """A read-only attribute of FigureView: the Figure's ``attr``, or a missing value naming it."""
    return property(lambda self: _or_missing(getattr(self._figure, attr), f"{what} của {self._label}"))


class TargetView:
    """A target (kế hoạch, dự toán): ``value``, ``ratio``, ``diff``, ``ytd_ratio``, ``ytd_diff``."""

    __slots__ = ("_label", "_target", "code", "name", "value")

    def __init__(self, target: TargetFigure, figure_label: str) -> None:
        self._target = target
        self._label = f'{figure_label}, kế hoạch "{target.code}"'
        self.code: str = target.code
        self.name: str = target.name
        self.value: Decimal = target.value

    ratio = property(lambda self: _or_missing(self._target.ratio, f"tỷ lệ so với {self._label}"))
    diff = property(lambda self: _or_missing(self._target.diff, f"chênh lệch so với {self._label}"))
    ytd_ratio = property(lambda self: _or_missing(self._target.ytd_ratio, f"tỷ lệ lũy kế / {self._label}"))
    ytd_diff = property(lambda self: _or_missing(self._target.ytd_diff, f"chênh lệch lũy kế / {self._label}"))


class FigureView:
    """One indicator's figure for one kind; ``.estimate``, ``.cumulative``, ``.actual`` switch kind."""

    __slots__ = ("_figure", "_figures", "_label", "code", "kind", "kind_label", "name", "org_unit", "unit")

    def __init__(self, figures: FiguresView, figure: Figure) -> None:
        self._figures = figures
        self._figure = figure
        self.code: str = figure.indicator.code
        self.name: str = figure.indicator.name
        self.unit: str = figure.indicator.unit.name
        self.org_unit: str = figure.org_unit.name
        self.kind: str = figure.kind
        self.kind_label: str = figure.kind_label
        self._label = f'chỉ tiêu "{self.code}" ({figure.kind_label.lower()}, {figure.period.label})'

    value = _figure_field("value", "số kỳ này")
    previous = _comparison_field("previous", "previous", "số kỳ trước")
    last_year = _comparison_field("last_year", "last_year", "số cùng kỳ năm trước")
    ytd = _comparison_field("ytd", "ytd", "số lũy kế từ đầu năm")
    change_from_previous = _comparison_field("change_from_previous", "previous", "chênh lệch so với kỳ trước")
    ratio_to_previous = _comparison_field("ratio_to_previous", "previous", "tỷ lệ so với kỳ trước")
    change_from_last_year = _comparison_field(
        "change_from_last_year", "last_year", "chênh lệch so với cùng kỳ"
    )
    ratio_to_last_year = _comparison_field("ratio_to_last_year", "last_year", "tỷ lệ so với cùng kỳ")
    # Across a succession (the 2025 reform): whether each comparison could be made, and why not.
    previous_comparable = property(lambda self: self._figure.previous_comparable)
    last_year_comparable = property(lambda self: self._figure.last_year_comparable)
    ytd_comparable = property(lambda self: self._figure.ytd_comparable)
    not_comparable_reason = property(lambda self: self._figure.not_comparable_reason)
    # The old units the comparisons were added up from ("Phường Chi Lăng", ...), empty when none.
    reaggregated_from = property(lambda self: list(self._figure.reaggregated_from))

    actual = property(lambda self: self._figures.get(self.code, "actual"))
    estimate = property(lambda self: self._figures.get(self.code, "estimate"))
    cumulative = property(lambda self: self._figures.get(self.code, "cumulative"))

    def target(self, code: str) -> TargetView:
        try:
            return TargetView(self._figure.target(code), self._label)
        except FigureLookupError as exc:
            raise MissingFigure(str(exc)) from None


class FiguresView:
    """The template's ``f``: ``f.THU_NSNN`` (or ``f["THU_NSNN"]``) and ``f.ratio(a, b, kind)``."""

    __slots__ = ("_set", "_used")

    def __init__(self, figure_set: FigureSet) -> None:
        self._set = figure_set
        self._used: dict[tuple[str, str], Figure] = {}

    def get(self, code: str, kind: str = "actual") -> FigureView:
        if code not in self._set.indicators:
            raise RenderError(
                f'Không có chỉ tiêu "{code}" trong số liệu của báo cáo (kiểm tra lại mã chỉ tiêu trong mẫu).'
            )
        try:
            figure = self._set.get(code, kind)
        except FigureLookupError as exc:
            raise RenderError(f'Chỉ tiêu "{code}": {exc}') from None
        self._used[(code, kind)] = figure
        return FigureView(self, figure)

    def __getitem__(self, code: str) -> FigureView:
        return self.get(code)

    def ratio(
        self, numerator: str, denominator: str, kind: str = "actual", denominator_kind: str | None = None
    ) -> Decimal | Undefined:
        self.get(numerator, kind)  # unknown codes and kinds → RenderError
        self.get(denominator, denominator_kind or kind)
        value = self._set.ratio(numerator, denominator, kind, denominator_kind)
        return _or_missing(value, f'tỷ lệ "{numerator}" / "{denominator}" ({ValueKind(kind).label.lower()})')


# -------------------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class BlockOptions:
    """Per-block writing options (set on the report type, overridable per block): zero-padded counts
    below 10 ("07 vụ") and the decimals of percentages (12,5% or 13%)."""

    pad_counts: bool = True
    percent_decimals: int = 1


OPTIONS_KEY = "_tuy_chon"


def _options(context: Context) -> BlockOptions:
    options = context.get(OPTIONS_KEY)
    return options if isinstance(options, BlockOptions) else BlockOptions()


PERIOD_KEY = "_ky_bao_cao"

#: What "kỳ trước" is called in running text, by the report's period type: a quarter's report says
#: "so với quý trước", never "tháng trước".
PREVIOUS_PERIOD_WORDS = {
    PeriodType.MONTH: "tháng trước",
    PeriodType.QUARTER: "quý trước",
    PeriodType.HALF_YEAR: "6 tháng trước",
    PeriodType.NINE_MONTHS: "9 tháng năm trước",
    PeriodType.YEAR: "năm trước",
}
#: Shorthands a template may give as the comparison ("so_sanh(..., against='ky_truoc')").
_AGAINST_SHORTHANDS = {"cung_ky": "so với cùng kỳ", "cùng kỳ": "so với cùng kỳ"}


def _against(against: str | None, period: Period | None, default: str) -> str:
    """The comparison phrase: ``"ky_truoc"`` (or nothing, where the default is the previous period) is
    "so với tháng trước" / "so với quý trước" / ... by the report's period type."""
    key = default if against is None else against
    if key in ("ky_truoc", "kỳ trước"):
        words = PREVIOUS_PERIOD_WORDS.get(period.type, "kỳ trước") if period is not None else "kỳ trước"
        return f"so với {words}"
    return _AGAINST_SHORTHANDS.get(key, key)


def _is_python_message(message: str) -> bool:
    """Python's own messages are English (ASCII); ours are Vietnamese."""
    return message.isascii()


def _filter(name: str, func: Callable[..., str]) -> Callable[..., str]:
    """Refuse missing values (naming the figure) and turn formatting errors into RenderError with a
    Vietnamese message (a wrong number of arguments too).

    The filter receives the block's :class:`BlockOptions` as its ``options`` keyword argument, and the
    report's period as ``period`` when it takes one."""
    wants_period = "period" in inspect.signature(func).parameters

    @pass_context
    @functools.wraps(func)
    def wrapper(context: Context, *args: Any, **kwargs: Any) -> str:
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, NotComparable):
                return arg.phrase  # "không so sánh được với cùng kỳ (...)", never a number
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, Undefined):
                arg._fail_with_undefined_error()
            if arg is None:
                raise MissingFigure(f'Bộ lọc "{name}" nhận giá trị trống (không có số liệu).')
        if wants_period:
            period = context.get(PERIOD_KEY)
            kwargs["period"] = period if isinstance(period, Period) else None
        try:
            return func(*args, options=_options(context), **kwargs)
        except (TypeError, ValueError) as exc:
            if _is_python_message(str(exc)):
                raise RenderError(
                    f'Bộ lọc "{name}": sai số lượng hoặc kiểu tham số (xem hướng dẫn viết mẫu).'
                ) from None
            raise RenderError(f'Bộ lọc "{name}": {exc}') from None

    return wrapper


def _number(value: Decimal, decimals: int | None = None, *, options: BlockOptions) -> str:
    return numbers.format_number(value, decimals)


def _percent(ratio: Decimal, decimals: int | None = None, *, options: BlockOptions) -> str:
    return numbers.format_percent(ratio, options.percent_decimals if decimals is None else decimals)


def _count(value: Decimal, pad: bool | None = None, *, options: BlockOptions) -> str:
    return numbers.format_count(value, pad=options.pad_counts if pad is None else pad)


def _money(
    value: Decimal, from_unit: str, to_scale: str, decimals: int | None = None, *, options: BlockOptions
) -> str:
    return numbers.format_money(numbers.convert_scale(value, from_unit, "đồng"), to_scale, decimals)


def _change(
    current: Decimal,
    previous: Decimal,
    unit_word: str = "",
    against: str | None = None,
    decimals: int | None = None,
    pad: bool | None = None,
    *,
    options: BlockOptions,
    period: Period | None = None,
) -> str:
    """ "tăng 03 vụ so với tháng trước" — the comparison word follows the report's period type ("so với
    quý trước" in a quarter's report) unless the template gives its own."""
    pad = options.pad_counts if pad is None else pad
    phrase = _against(against, period, "ky_truoc")
    return numbers.change_phrase(current, previous, unit_word, pad=pad, decimals=decimals, against=phrase)


def _reached(
    ratio: Decimal,
    what: str = "so với cùng kỳ",
    decimals: int | None = None,
    verb: str = "đạt",
    *,
    options: BlockOptions,
    period: Period | None = None,
) -> str:
    return numbers.ratio_phrase(
        ratio,
        options.percent_decimals if decimals is None else decimals,
        verb=verb,
        what=_against(what, period, "cung_ky"),
    )


def _equal_to(
    ratio: Decimal,
    what: str = "so với cùng kỳ",
    decimals: int | None = None,
    *,
    options: BlockOptions,
    period: Period | None = None,
) -> str:
    """ "bằng 87,6% so với cùng kỳ" (``what``: "ky_truoc" for the previous period by the period type)."""
    return _reached(ratio, what, decimals, "bằng", options=options, period=period)


def _growth(
    ratio: Decimal,
    against: str = "so với cùng kỳ",
    decimals: int | None = None,
    *,
    options: BlockOptions,
    period: Period | None = None,
) -> str:
    return numbers.growth_phrase(
        ratio,
        options.percent_decimals if decimals is None else decimals,
        against=_against(against, period, "cung_ky"),
    )


def _approx(
    value: Decimal,
    step: Decimal | int | str = 1,
    qualifier: str = "",
    from_unit: str | None = None,
    to_unit: str | None = None,
    *,
    options: BlockOptions,
) -> str:
    """ "trên 1.260 tỷ đồng", "gần 13.000": rounded to a multiple of ``step`` with the qualifier that
    keeps it true (:func:`~baocao.core.numbers.approx_value`); given ``from_unit`` and ``to_unit`` an
    amount is converted first and written with its unit."""
    step = numbers.parse_number(step) if isinstance(step, str) else step
    suffix = ""
    if from_unit is not None or to_unit is not None:
        if from_unit is None or to_unit is None:
            raise ValueError("cần cả đơn vị gốc và đơn vị viết ra (ví dụ 'triệu đồng', 'tỷ đồng')")
        value = numbers.convert_scale(value, from_unit, to_unit)
        suffix = to_unit
    return numbers.approx_phrase(value, step, qualifier, suffix)


def _approx_percent(
    ratio: Decimal, step: Decimal | int | str = 1, qualifier: str = "", *, options: BlockOptions
) -> str:
    """ "hơn 88%": a ratio as a rounded percentage with its qualifier."""
    step = numbers.parse_number(step) if isinstance(step, str) else step
    return numbers.approx_phrase(ratio * 100, step, qualifier, "%")


def _mixed(
    value: Decimal, from_unit: str = "đồng", smallest: str = "triệu đồng", *, options: BlockOptions
) -> str:
    """ "4 tỷ 500 triệu đồng": an amount (stored in ``from_unit``) in several scales."""
    return numbers.mixed_money(numbers.convert_scale(value, from_unit, "đồng"), smallest)


def _date(value: datetime.date, place: str | None = None, *, options: BlockOptions) -> str:
    return dates.decree30_date(value, place)


def _short_date(value: datetime.date, *, options: BlockOptions) -> str:
    return dates.short_date(value)


FILTERS: dict[str, Callable[..., str]] = {
    "so": _number,
    "phan_tram": _percent,
    "dem": _count,
    "tien": _money,
    "so_sanh": _change,
    "dat": _reached,
    "bang": _equal_to,
    "tang_giam": _growth,
    "lam_tron": _approx,
    "phan_tram_lam_tron": _approx_percent,
    "tien_hon_hop": _mixed,
    "ngay": _date,
    "ngay_ngan": _short_date,
}


def _finalize(value: Any) -> Any:
    """A number printed without a filter is still written the Vietnamese way (``9.050``, ``879,1``); a
    comparison that cannot be made prints its phrase."""
    if isinstance(value, NotComparable):
        return value.phrase
    return numbers.format_number(value) if isinstance(value, Decimal) else value


def make_environment() -> BoundedEnvironment:
    """A new sandbox with the limits of :mod:`baocao.reports.limits` (setting ``BAOCAO_TEMPLATE_LIMITS``):
    autoescape, StrictUndefined, the Vietnamese filters of :data:`FILTERS`, and bare Decimals printed
    with :func:`~baocao.core.numbers.format_number`."""
    env = BoundedEnvironment(
        BLOCK_LIMITS,
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update({name: _filter(name, func) for name, func in FILTERS.items()})
    return env


_environment = functools.cache(make_environment)


# ------------------------------------------------------------------------------------------ rendering

_UNDEFINED = re.compile(r"'(?P<name>[^']*)' is undefined")
_NO_ATTRIBUTE = re.compile(r"'(?P<obj>[^']*)' has no attribute '(?P<name>[^']*)'")


def _undefined_message(message: str) -> str:
    if match := _UNDEFINED.fullmatch(message):
        return f'Mẫu dùng tên "{match["name"]}" không có trong dữ liệu báo cáo.'
    if match := _NO_ATTRIBUTE.fullmatch(message):
        return f'Không có thuộc tính "{match["name"]}" (mẫu chỉ dùng được số liệu và các thuộc tính có sẵn).'
    if _is_python_message(message):
        return "Mẫu dùng một giá trị không có trong dữ liệu báo cáo."
    return message


# Jinja's syntax messages (English) and their Vietnamese wording.
_SYNTAX_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"unexpected end of template.*?(?:block that needs to be closed is '(?P<x>[^']*)')?\.?",
            re.I | re.S,
        ),
        "mẫu kết thúc khi còn thẻ hoặc biểu thức chưa đóng{closing}",
    ),
    (re.compile(r"unexpected char (?P<x>.+?) at \d+"), "ký tự không hợp lệ {x}"),
    (re.compile(r"unexpected '(?P<x>[^']*)'"), "gặp “{x}” không đúng chỗ (kiểm tra dấu ngoặc và dấu }})"),
    (
        re.compile(r"Encountered unknown tag '(?P<x>[^']*)'.*", re.DOTALL),
        "thẻ “{x}” không có hoặc không đúng chỗ",
    ),
    (re.compile(r"expected token '(?P<x>[^']*)', got '(?P<y>[^']*)'"), "thiếu “{x}” (gặp “{y}”)"),
    (re.compile(r"No filter named '(?P<x>[^']*)'.*"), "không có bộ lọc tên “{x}”"),
    (re.compile(r"No test named '(?P<x>[^']*)'.*"), "không có phép thử tên “{x}”"),
    (re.compile(r"tag name expected"), "thiếu tên thẻ sau {{%"),
    (re.compile(r"Block '(?P<x>[^']*)' defined twice"), "khối “{x}” được định nghĩa hai lần"),
)


def _syntax_message(exc: TemplateSyntaxError) -> str:
    message = exc.message or ""
    for pattern, vietnamese in _SYNTAX_MESSAGES:
        if match := pattern.fullmatch(message.strip()):
            found = {k: v or "" for k, v in match.groupdict().items()}
            closing = f" (thiếu thẻ đóng “end{found['x']}”)" if found.get("x") else ""
            message = vietnamese.format(closing=closing, **found)
            break
    else:
        if _is_python_message(message):
            message = "cú pháp mẫu không hợp lệ"
    return f"Lỗi cú pháp mẫu ở dòng {exc.lineno}: {message}"


def _error_line(exc: BaseException) -> int | None:
    """The template line a rendering error came from (the innermost template frame of its traceback)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        frame_globals = tb.tb_frame.f_globals
        template = frame_globals.get("__jinja_template__")
        if isinstance(template, Template):
            line = template.get_corresponding_lineno(tb.tb_lineno)
        elif "__jinja_exception__" in frame_globals:
            line = tb.tb_lineno  # Jinja rewrites the traceback: a frame at the template's own line
        tb = tb.tb_next
    return line


_HAS_LINE = re.compile(r"[Dd]òng \d+")


def _with_line(error: RenderError, line: int | None) -> RenderError:
    """``error`` with the template line at the end of its message ("... (dòng 3)"), same class."""
    message = str(error)
    if line is None or _HAS_LINE.search(message):
        return error
    located = type(error)(
        f"{message[:-1]} (dòng {line})." if message.endswith(".") else f"{message} (dòng {line})"
    )
    located.__dict__.update({k: v for k, v in error.__dict__.items() if k != "args"})
    return located


def _runtime_message(exc: BaseException) -> str:
    if isinstance(exc, ZeroDivisionError | ArithmeticError):
        return "Lỗi khi hiển thị mẫu: phép tính không thực hiện được (chia cho 0 hoặc số không hợp lệ)."
    if isinstance(exc, TypeError):
        return "Lỗi khi hiển thị mẫu: phép tính hoặc giá trị không đúng kiểu (ví dụ cộng số với chữ)."
    if isinstance(exc, LookupError):
        return "Lỗi khi hiển thị mẫu: không có phần tử hoặc khóa được gọi."
    text = str(exc)
    return (
        f"Lỗi khi hiển thị mẫu: {text}"
        if text and not _is_python_message(text)
        else ("Lỗi khi hiển thị mẫu: giá trị không hợp lệ.")
    )


def render_block(source: str, context: Mapping[str, Any], deadline: float | None = None) -> str:
    """Render a block with ``context`` (see :func:`report_context`); the result is NFC text. ``deadline``
    (from :func:`report_deadline`) bounds the time of all the blocks of one report together. Every
    failure is a :class:`RenderError` in Vietnamese naming the template line; the caller names the
    block."""
    for key, value in context.items():
        if isinstance(value, Model | QuerySet | Manager):
            raise RenderError(f'Không được đưa đối tượng cơ sở dữ liệu "{key}" vào mẫu.')
    env = _environment()
    try:
        with within_deadline(deadline):
            return nfc(env.from_string(nfc(source)).render(context))
    except TemplateSyntaxError as exc:
        raise RenderError(_syntax_message(exc)) from None
    except SecurityError as exc:
        raise _with_line(RenderError(_security_message(exc)), _error_line(exc)) from None
    except _MissingValue as exc:
        raise _with_line(MissingFigure(exc.message or str(exc)), _error_line(exc)) from None
    except UndefinedError as exc:
        raise _with_line(RenderError(_undefined_message(exc.message or str(exc))), _error_line(exc)) from None
    except RenderError as exc:
        raise _with_line(exc, _error_line(exc)) from None
    except RecursionError:
        raise _too_deep() from None
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise _with_line(RenderError(_runtime_message(exc)), _error_line(exc)) from None


_UNSAFE = re.compile(r"access to attribute '(?P<x>[^']*)' of '(?P<y>[^']*)' object is unsafe\.?")


def _security_message(exc: SecurityError) -> str:
    message = str(exc)
    if match := _UNSAFE.fullmatch(message):
        return f"Mẫu dùng thao tác không được phép: truy cập thuộc tính “{match['x']}”."
    if not _is_python_message(message):
        return f"Mẫu dùng thao tác không được phép: {message}"
    return "Mẫu dùng thao tác không được phép (ngoài các số liệu và bộ lọc có sẵn)."


def _too_deep() -> RenderError:
    line = template_line()
    where = f"Dòng {line}: " if line else ""
    return BudgetExceeded(f"{where}mẫu lồng nhau quá sâu (biểu thức hoặc lời gọi lồng quá nhiều cấp).")


def validate_block(source: str, codes: Collection[str] | None = None) -> list[str]:
    """Problems of a block without rendering it: syntax (with line number) and, given ``codes``, the
    indicator codes written as ``f.CODE`` / ``f["CODE"]`` that are not among them."""
    env = _environment()
    try:
        tree = env.parse(nfc(source))
        env.compile(tree)  # unknown filters and tests are only found when compiling
    except TemplateSyntaxError as exc:
        return [_syntax_message(exc)]
    except RecursionError:
        return [str(_too_deep())]
    if codes is None:
        return []
    problems: list[str] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, nodes.Getattr | nodes.Getitem)
        if not (isinstance(node.node, nodes.Name) and node.node.name == "f"):
            continue
        code = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(code, str) and code not in codes and not hasattr(FiguresView, code):
            problems.append(f'Dòng {node.lineno}: không có chỉ tiêu "{code}".')
    return problems


def report_context(
    figure_set: FigureSet,
    period: Period,
    org_unit_name: str,
    extra: Mapping[str, Any] | None = None,
    next_figures: FigureSet | None = None,
) -> dict[str, Any]:
    """The standard context of a report's blocks:

    - ``f``: the figures (``f.THU_NSNN.value``, ``f.HS_VU.previous``, ``f.ratio(a, b)``);
    - ``f_ky_sau``: the next period's figures, given ``next_figures`` (plans for next month:
      ``f_ky_sau.XDCB_KHOI_CONG.target("KH_THANG_TOI").value``);
    - ``ky``, ``ky_truoc``, ``ky_sau``, ``cung_ky``: labels of the period, the previous and next ones and
      the same period last year ("tháng 6/2020"); ``nam``: the year;
    - ``ngay_dau_ky``, ``ngay_chot`` (= ``ngay_cuoi_ky``), ``ngay_dau_ky_sau``: the Decree 09 reporting
      window (15/5–14/6/2020 for June) and the first day of the next one;
    - ``don_vi``: the reporting unit's name;
    - ``luy_ke``: "lũy kế 6 tháng" (the months of the year to date at the period's end), and
      ``so_thang_luy_ke`` (6); ``so_voi_ky_truoc``: "so với tháng trước" / "so với quý trước" / ... by the
      period type; plus ``extra``.
    """
    start, end = period.reporting_window
    months = period.calendar_window[1].month
    context: dict[str, Any] = {
        "f": FiguresView(figure_set),
        "ky": period.label,
        "ky_truoc": period.previous().label,
        "ky_sau": period.next().label,
        "cung_ky": period.same_period_last_year().label,
        "nam": period.year,
        "don_vi": org_unit_name,
        "ngay_dau_ky": start,
        "ngay_chot": end,
        "ngay_cuoi_ky": end,
        "ngay_dau_ky_sau": period.next().reporting_window[0],
        "luy_ke": numbers.cumulative_phrase(months),
        "so_thang_luy_ke": months,
        "so_voi_ky_truoc": _against("ky_truoc", period, "ky_truoc"),
        OPTIONS_KEY: BlockOptions(),
        PERIOD_KEY: period,
    }
    if next_figures is not None:
        context["f_ky_sau"] = FiguresView(next_figures)
    context.update(extra or {})
    return context


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else numbers.format_number(value)


def used_figures(context: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The figures the blocks rendered with ``context`` have read, as plain JSON-ready data:
    ``{"THU_NSNN|actual": {"value": "9.050", "previous": ..., "last_year": ..., "ytd": ...,
    "targets": {"DT_THANG": "40.000"}}}``. Issuing a report keeps this to detect later corrections."""
    snapshot: dict[str, dict[str, Any]] = {}
    for name, prefix in (("f", ""), ("f_ky_sau", "ky_sau:")):
        figures = context.get(name)
        if not isinstance(figures, FiguresView):
            continue
        for (code, kind), figure in sorted(figures._used.items()):
            snapshot[f"{prefix}{code}|{kind}"] = {
                "name": figure.indicator.name,
                "kind_label": figure.kind_label,
                "period": figure.period.label,
                "value": _plain(figure.value),
                "previous": _plain(figure.previous),
                "last_year": _plain(figure.last_year),
                "ytd": _plain(figure.ytd),
                "targets": {t.code: _plain(t.value) for t in figure.targets.values()},
            }
    return snapshot


def missing_figures(figure_set: FigureSet) -> FigureSet:
    """The same indicators, kinds and targets with no data at all: a trial render over it runs the
    branches a template takes when figures are missing (``{% if f.X.value is defined %}...{% else %}``)."""
    figures = {
        key: replace(
            figure,
            value=None,
            previous=None,
            last_year=None,
            ytd=None,
            targets={
                code: replace(target, achieved=None, achieved_ytd=None)
                for code, target in figure.targets.items()
            },
        )
        for key, figure in figure_set.figures.items()
    }
    return FigureSet(figure_set.period, figure_set.org_units, figure_set.indicators, figures)

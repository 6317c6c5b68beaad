"""Bounded templates: the sandbox every report template runs in (office blocks, units' narrative, YAML
report types, uploaded Word frames), with limits on what one render may cost.

Jinja's sandbox keeps a template away from Python internals but not from the machine: ``9**(9**7)``,
``'a'*10**8``, two nested ``range(100000)`` loops or a macro calling itself would each take the server
with it. :class:`BoundedEnvironment` adds, for every render:

- ``*``, ``**``, ``+`` and ``%`` intercepted (Jinja's ``intercepted_binops``): no string or list longer
  than ``max_size``, no integer wider than ``max_int_bits``, no ``%`` format widths beyond ``max_size``;
  Python methods and filters that build strings (``center``, ``replace``, ``join``, ``format``) checked
  the same way before they run;
- nothing evaluated while compiling: intercepted operators are never folded, the optimizer is off and
  ``finalize`` needs the render context, so a constant expression costs nothing when a block is saved;
- ``range`` bounded by ``max_range``; every ``for`` loop counts against ``max_iterations`` (loops with
  ``recursive`` are refused);
- the printed text, static and computed, counted against ``max_output`` (inside macros too);
- macro calls nested at most ``max_depth`` deep (a macro calling itself stops there, not in a 500);
- ``seconds`` of wall time per render, and ``report_seconds`` for all the blocks of one report
  (:func:`report_deadline`, passed to :func:`~baocao.reports.rendering.render_block`).

Exceeding any raises :class:`BudgetExceeded` with a Vietnamese message naming the template line. The
limits come from the Django settings ``BAOCAO_TEMPLATE_LIMITS`` (blocks and narrative) and
``BAOCAO_FRAME_LIMITS`` (Word frames), dicts overriding fields of :class:`TemplateLimits`, read at every
render so tests and deployments can tighten them.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import re
import string
import time
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    MutableMapping,
    ValuesView,
)
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jinja2 import Template, TemplateError, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import make_attrgetter
from jinja2.runtime import BlockReference, Context, Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import soft_str

from baocao.core import numbers

__all__ = [
    "BLOCK_LIMITS",
    "FRAME_LIMITS",
    "BoundedEnvironment",
    "BudgetExceeded",
    "RenderError",
    "TemplateLimits",
    "render_scope",
    "report_deadline",
    "template_line",
    "within_deadline",
]


class RenderError(ValueError):
    """A template cannot be rendered; the message is Vietnamese and meant for the office staff."""


class BudgetExceeded(RenderError, TemplateError):
    """A template went over one of its limits (size, loop iterations, output, nesting, time). It is also a
    Jinja ``TemplateError`` with the template ``lineno``, so docxtpl adds the frame's text near it."""

    lineno: int | None = None


@dataclass(frozen=True)
class TemplateLimits:
    """What one render may cost. Sizes count characters of a string or items of a list."""

    max_size: int = 100_000
    max_int_bits: int = 10_000
    max_range: int = 10_000
    max_iterations: int = 20_000
    max_output: int = 1_000_000
    max_depth: int = 30
    seconds: float = 2.0
    report_seconds: float = 20.0  # all the blocks of one report together (see report_deadline)

    def from_settings(self, name: str) -> TemplateLimits:
        """These limits with the fields given in the Django setting ``name`` (a dict) replaced."""
        overrides = getattr(settings, name, None) or {}
        unknown = set(overrides) - {f.name for f in fields(self)}
        if unknown:  # a misspelt limit would silently keep its default
            raise ImproperlyConfigured(f"{name}: không có giới hạn {', '.join(sorted(unknown))}.")
        return replace(self, **overrides)


BLOCK_LIMITS = ("BAOCAO_TEMPLATE_LIMITS", TemplateLimits())
# A Word frame prints the whole report as WordprocessingML: far more text and loop steps than one block.
FRAME_LIMITS = (
    "BAOCAO_FRAME_LIMITS",
    TemplateLimits(max_iterations=200_000, max_output=20_000_000, max_size=2_000_000, seconds=20.0),
)


def _n(value: int | float) -> str:
    return numbers.format_number(Decimal(str(value)))


def template_line() -> int | None:
    """The template line being run by the innermost template frame on the current stack."""
    frame = inspect.currentframe()
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if isinstance(template, Template):
            return template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None


def _exceeded(message: str) -> BudgetExceeded:
    line = template_line()
    exc = BudgetExceeded(f"Dòng {line}: {message}" if line else message)
    exc.lineno = line
    return exc


# ------------------------------------------------------------------------------------------ the budget


class _Budget:
    """The running costs of one render (a block, or all parts of a Word frame)."""

    __slots__ = ("deadline", "depth", "iterations", "limits", "output", "report", "steps")

    def __init__(self, limits: TemplateLimits) -> None:
        self.limits = limits
        self.iterations = 0
        self.output = 0
        self.depth = 0
        self.steps = 0
        now = time.monotonic()
        self.deadline = now + limits.seconds
        report = _report_deadline.get()
        self.report = report is not None and report < self.deadline
        if report is not None and self.report:
            self.deadline = report
        if now > self.deadline:
            self.timed_out()

    def timed_out(self) -> None:
        if self.report:
            raise _exceeded(
                f"cả báo cáo đã chạy quá {_n(self.limits.report_seconds)} giây; "
                "các khối còn lại không lập được (kiểm tra các khối chạy lâu)."
            )
        raise _exceeded(f"mẫu chạy quá {_n(self.limits.seconds)} giây, quá lâu cho một lần lập báo cáo.")

    def step(self) -> None:
        self.steps += 1
        if not self.steps & 255 and time.monotonic() > self.deadline:
            self.timed_out()

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_iterations:
            raise _exceeded(
                f"vòng lặp chạy quá {_n(self.limits.max_iterations)} lượt (giới hạn cho một mẫu); "
                "kiểm tra các vòng lặp lồng nhau."
            )
        self.step()

    def charge(self, size: int) -> None:
        self.output += size
        if self.output > self.limits.max_output:
            raise _exceeded(f"nội dung in ra dài quá {_n(self.limits.max_output)} ký tự.")
        self.step()

    def size(self, size: int, what: str = "chuỗi hoặc danh sách") -> None:
        if size > self.limits.max_size:
            raise _exceeded(f"phép tính tạo {what} dài quá {_n(self.limits.max_size)} phần tử.")


_current: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)
_report_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "report_deadline", default=None
)


def report_deadline(limits: tuple[str, TemplateLimits] = BLOCK_LIMITS) -> float:
    """The time (``time.monotonic()``) by which every block of a report begun now must be rendered."""
    name, default = limits
    return time.monotonic() + default.from_settings(name).report_seconds


@contextlib.contextmanager
def within_deadline(deadline: float | None) -> Iterator[None]:
    """Renders inside stop at ``deadline`` too (None: only their own time limit)."""
    token = _report_deadline.set(deadline)
    try:
        yield
    finally:
        _report_deadline.reset(token)


@contextlib.contextmanager
def render_scope(environment: BoundedEnvironment) -> Iterator[None]:
    """One budget for every template rendered inside (e.g. the parts of a Word frame); a scope already
    open is kept."""
    if _current.get() is not None:
        yield
        return
    token = _current.set(_Budget(environment.limits()))
    try:
        yield
    finally:
        _current.reset(token)


def _budget() -> _Budget:
    budget = _current.get()
    if budget is None:  # a bounded template is only run through render(), which opens a scope
        raise RenderError("Mẫu chỉ được chạy qua hàm hiển thị có giới hạn.")
    return budget


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | dict | set | frozenset | bytes) else None


def _text_size(value: Any, limit: int) -> int:
    """An upper estimate of ``len(str(value))`` (containers print their items' reprs), counted only to just
    past ``limit``: ``str(['a'*100000]*100000)`` is never built to learn that it is too long."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, list | tuple | set | frozenset | KeysView | ValuesView | ItemsView):
            total += 20 + 2 * len(item)  # dict views print as dict_items([...])
            stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, Namespace):
            stack.append(getattr(item, "_Namespace__attrs", {}))  # printed as <Namespace {...}>
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        else:
            total += 100  # numbers, dates, views: their printed form is short
    return total


def _text(value: Any, budget: _Budget) -> str:
    """``str(value)``, refused before it is built when it would be longer than ``max_size``."""
    if isinstance(value, str):
        return value
    if _text_size(value, budget.limits.max_size) > budget.limits.max_size:
        raise _exceeded(f"giá trị in ra hoặc ghép chuỗi dài quá {_n(budget.limits.max_size)} ký tự.")
    return soft_str(value)


def _check_texts(values: Iterable[Any], budget: _Budget) -> None:
    """The values a filter or a format would turn into text are not too long once printed."""
    for value in values:
        _text(value, budget)


def _check_result(value: Any) -> Any:
    size = _length(value)
    if size is not None:
        _budget().size(size)
    return value


# ------------------------------------------------------------------------------- format strings
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _check_percent_format(fmt: str) -> None:
    """``'%100000000d' % 1`` or ``'%*d'`` would build a string of any width: widths are counted."""
    total = 0
    for match in _PERCENT_SPEC.finditer(fmt):
        if "*" in match.group(0):
            raise _exceeded("định dạng “%” không được lấy độ rộng từ tham số (“*”).")
        total += sum(int(d) for d in match.groups() if d)
    _budget().size(total + len(fmt), "chuỗi định dạng")


def _check_brace_format(fmt: str) -> None:
    """``'{:>100000000}'.format(1)``: widths and precisions of ``str.format`` are counted."""
    total = len(fmt)
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # the formatter itself reports it
    for _literal, _field, spec, _conversion in parsed:
        if spec:
            if "{" in spec:
                raise _exceeded("định dạng “{}” không được lấy độ rộng từ tham số.")
            total += sum(int(d) for d in _DIGITS.findall(spec))
    _budget().size(total, "chuỗi định dạng")


# --------------------------------------------------------------------------- code generation


_HELPERS = frozenset({"bounded_iter", "charge_static"})


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles loops, output and ``~`` through the environment's bounded helpers."""

    def _helper_call(self, name: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
        call = nodes.Call(nodes.EnvironmentAttribute(name), args, [], None, None, lineno=lineno)
        call.set_environment(self.environment)
        return call

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        # The parser never produces EnvironmentAttribute: these calls are the compiler's own helpers,
        # called directly rather than through the sandbox's call().
        if isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name in _HELPERS:
            self.write(f"environment.{node.node.name}(")
            for arg in node.args:
                self.visit(arg, frame)
                self.write(", ")
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if node.recursive:
            self.fail("Mẫu không dùng được vòng lặp “recursive” (hãy dùng vòng lặp thường).", node.lineno)
        source = node.iter
        assert isinstance(source, nodes.Expr)
        iterable = self._helper_call("bounded_iter", [source], source.lineno)
        bounded = nodes.For(
            node.target, iterable, node.body, node.else_, node.test, node.recursive, lineno=node.lineno
        )
        bounded.set_environment(self.environment)
        super().visit_For(bounded, frame)

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        static = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        if static:
            charge = self._helper_call("charge_static", [nodes.Const(static)], node.lineno)
            node = nodes.Output([charge, *node.nodes], lineno=node.lineno)
            node.set_environment(self.environment)
        super().visit_Output(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _BoundedTemplate(Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        environment = self.environment
        assert isinstance(environment, BoundedEnvironment)
        with render_scope(environment):
            return super().render(*args, **kwargs)


# ------------------------------------------------------------------------------------- filters

# Filters that would multiply text beyond any check (indent: width × lines) or invent it (lipsum).
_DROPPED_FILTERS = frozenset({"indent"})
# Filters that turn their value (and arguments) into text: checked before, so str() of a huge list is
# never built.
_TEXT_FILTERS = frozenset(
    {
        "capitalize",
        "center",
        "e",
        "escape",
        "forceescape",
        "format",
        "lower",
        "pprint",
        "replace",
        "safe",
        "string",
        "striptags",
        "title",
        "tojson",
        "trim",
        "truncate",
        "upper",
        "urlencode",
        "urlize",
        "wordcount",
        "wordwrap",
        "xmlattr",
    }
)
# Text multiplied by a factor no argument shows: tab width × tabs, a translation table's strings × characters.
_STR_METHODS_REFUSED = frozenset({"expandtabs", "translate"})


def _bounded_filter(
    environment: BoundedEnvironment, name: str, func: Callable[..., Any]
) -> Callable[..., Any]:
    """A default filter that counts as a step, whose integer arguments (widths, counts) and result stay
    within ``max_size`` — and that needs the render context, so it is never run while compiling."""

    @pass_context
    @functools.wraps(func)
    def wrapper(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.step()
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, int) and not isinstance(arg, bool):
                budget.size(abs(arg))
        if name in _TEXT_FILTERS:
            _check_texts((value, *args, *kwargs.values()), budget)
        if name == "sum":
            start = kwargs.get("start", args[1] if len(args) > 1 else 0)
            if _length(start) is not None:  # sum(start=[]) concatenates lists
                items = list(value)
                budget.size(sum(_length(item) or 0 for item in items) + (_length(start) or 0))
                value = items
        if name == "format" and isinstance(value, str):
            _check_percent_format(value)
        elif name == "replace" and isinstance(value, str) and len(args) >= 2:
            old, new = soft_str(args[0]), soft_str(args[1])
            budget.size(len(value) + (value.count(old) * max(len(new) - len(old), 0) if old else 0))
        elif name == "join":
            separator = soft_str(args[0] if args else kwargs.get("d", ""))
            attribute = args[1] if len(args) > 1 else kwargs.get("attribute")
            items = list(value)
            if attribute is not None:
                items = list(map(make_attrgetter(environment, attribute), items))
            texts = [_text(item, budget) for item in items]
            budget.size(sum(map(len, texts)) + len(separator) * len(texts))
            value = texts
            args, kwargs = (separator,), {}
        return _check_result(_call_filter(func, context, value, *args, **kwargs))

    return wrapper


def _call_filter(func: Callable[..., Any], context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
    pass_arg = getattr(func, "jinja_pass_arg", None)
    if pass_arg is None:
        return func(value, *args, **kwargs)
    name = getattr(pass_arg, "name", "")
    if name == "context":
        return func(context, value, *args, **kwargs)
    if name == "eval_context":
        return func(context.eval_ctx, value, *args, **kwargs)
    return func(context.environment, value, *args, **kwargs)


# --------------------------------------------------------------------------------- environment


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the limits of :class:`TemplateLimits` (see the module docstring).

    ``limits`` is ``(setting name, default limits)``: the setting is read at every render."""

    code_generator_class = _BoundedCodeGenerator
    template_class = _BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, limits: tuple[str, TemplateLimits] = BLOCK_LIMITS, **options: Any) -> None:
        inner: Callable[..., Any] | None = options.pop("finalize", None)
        super().__init__(optimized=False, **options)
        self._limits = limits

        @pass_context
        def finalize(context: Context, value: Any) -> Any:
            if inner is not None:
                value = inner(value)
            budget = _budget()
            budget.charge(len(_text(value, budget)))
            return value

        self.finalize = finalize
        self.globals["range"] = self.bounded_range
        self.globals.pop("lipsum", None)
        for name in _DROPPED_FILTERS:
            self.filters.pop(name, None)
        self.filters.update({name: _bounded_filter(self, name, f) for name, f in self.filters.items()})
        # Compiled templates by their source (issue 16: compiling was half of a report's DOCX time; a report
        # renders the same blocks and the same frame every time). Limits are read at render time, so a
        # cached template keeps obeying the settings; a source that does not compile is not cached.
        self._compiled = functools.lru_cache(maxsize=512)(self._compile_source)

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        if isinstance(source, str) and globals is None and template_class is None:
            return self._compiled(source)
        return super().from_string(source, globals, template_class)

    def _compile_source(self, source: str) -> Template:
        return super().from_string(source)

    def limits(self) -> TemplateLimits:
        name, default = self._limits
        return default.from_settings(name)

    # helpers called by the compiled code (see _BoundedCodeGenerator)
    def bounded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        budget = _budget()
        for item in iterable:
            budget.iterate()
            yield item

    def charge_static(self, size: int) -> str:
        _budget().charge(size)
        return ""

    def bounded_concat(self, parts: tuple[Any, ...]) -> str:
        budget = _budget()
        texts = [_text(part, budget) for part in parts]
        budget.size(sum(map(len, texts)), "chuỗi")
        return markup_join(texts) if self.autoescape else str_join(texts)

    def bounded_range(self, *args: int) -> range:
        values = range(*args)
        limit = self.limits().max_range
        if len(values) > limit:
            raise _exceeded(f"range() tạo {_n(len(values))} số, nhiều hơn giới hạn {_n(limit)}.")
        return values

    # sandbox hooks
    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        budget.step()
        limits = budget.limits
        left_int = isinstance(left, int) and not isinstance(left, bool)
        right_int = isinstance(right, int) and not isinstance(right, bool)
        if operator == "**" and left_int and right_int and right > 0 and abs(left) > 1:
            if abs(left).bit_length() * right > limits.max_int_bits:
                raise _exceeded("phép lũy thừa “**” tạo số quá lớn.")
        elif operator == "*" and left_int and right_int:
            if abs(left).bit_length() + abs(right).bit_length() > limits.max_int_bits:
                raise _exceeded("phép nhân “*” tạo số quá lớn.")
        elif operator == "*" and (left_int or right_int):
            times, other = (left, right) if left_int else (right, left)
            size = _length(other)
            if size is not None:
                budget.size(size * max(times, 0))
        elif operator == "+":
            sizes = (_length(left), _length(right))
            if None not in sizes:
                budget.size(sum(s for s in sizes if s is not None))
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left)
            _check_texts(right if isinstance(right, tuple) else (right,), budget)
        return _check_result(super().call_binop(context, operator, left, right))

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in _STR_METHODS_REFUSED:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_brace_format(fmt)
            _check_texts((*args, *kwargs.values()), _budget())
            return str(_check_result(wrapped(*args, **kwargs)))

        return checked

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.step()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) or (
            isinstance(owner, list | tuple | dict | int) and inspect.isbuiltin(__obj)
        ):
            # Methods of Python values (str.center, str.replace, str.join, int.to_bytes, ...; Markup's are
            # Python functions wrapping them): widths and counts bounded, and the text they would build
            # counted before it is built.
            for arg in (*args, *kwargs.values()):
                if isinstance(arg, int) and not isinstance(arg, bool):
                    budget.size(abs(arg))
            name = __obj.__name__
            if isinstance(owner, str) and name == "replace" and len(args) >= 2:
                old, new = soft_str(args[0]), soft_str(args[1])
                budget.size(len(owner) + (owner.count(old) * max(len(new) - len(old), 0) if old else 0))
            elif isinstance(owner, str) and name == "join" and args:
                items = [_text(item, budget) for item in args[0]]
                budget.size(sum(map(len, items)) + len(owner) * len(items))
                args = (items, *args[1:])
        if not isinstance(__obj, Macro | BlockReference):
            return _check_result(super().call(__context, __obj, *args, **kwargs))
        budget.depth += 1
        try:
            if budget.depth > budget.limits.max_depth:
                raise _exceeded(
                    f"macro gọi lồng nhau quá {_n(budget.limits.max_depth)} cấp "
                    "(có thể macro tự gọi lại chính nó)."
                )
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1

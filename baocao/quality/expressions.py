"""Safe expressions of validation rules, e.g. ``THU_NSNN + prev(THU_NSNN)`` or
``est(THU_NSNN) / target(THU_NSNN, "DT_THANG")``.

The text is parsed with :mod:`ast` and only this allow-list is accepted, then turned into a small tree of
our own that is evaluated with :class:`~decimal.Decimal` arithmetic; user text never reaches eval/exec.

* numbers (``2``, ``0.5``), indicator codes (``THU_NSNN``: its actual value in the period),
* ``+ - * /``, unary minus, parentheses,
* ``prev(X)`` previous period, ``last_year(X)`` same period last year, ``ytd(X)`` year to date,
* ``target(X, "DT_THANG")`` the target of that type that applies to the period,
* ``est(X)`` the estimate (ước thực hiện), ``cum(X)`` the cumulative value (lũy kế); they can be wrapped:
  ``prev(est(X))``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

from baocao.core.text import clean

__all__ = ["EvaluationError", "Expression", "ExpressionError", "Operand", "parse_expression"]

MAX_LENGTH = 1000
MAX_NODES = 200

# Function name → the figure's field it reads.
PERIOD_FUNCTIONS = {"prev": "previous", "last_year": "last_year", "ytd": "ytd"}
# Function name → the kind of value it reads.
KIND_FUNCTIONS = {"est": "estimate", "cum": "cumulative"}
FIELD_LABELS = {"previous": "kỳ trước", "last_year": "cùng kỳ năm trước", "ytd": "lũy kế từ đầu năm"}
KIND_LABELS = {"estimate": "ước thực hiện", "cumulative": "lũy kế"}


class ExpressionError(ValueError):
    """The expression cannot be accepted (syntax, unknown code, constant division by zero...)."""


class EvaluationError(ArithmeticError):
    """The expression could not be computed with these values ("không tính được")."""


@dataclass(frozen=True, slots=True)
class Operand:
    """One figure an expression reads: indicator code, kind, which field, and the target type."""

    code: str
    kind: str = "actual"
    field: str = "value"  # value | previous | last_year | ytd | target
    target: str = ""

    def __str__(self) -> str:
        details = [KIND_LABELS[self.kind]] if self.kind in KIND_LABELS else []
        if self.field == "target":
            details.append(f"kế hoạch {self.target}")
        elif self.field in FIELD_LABELS:
            details.append(FIELD_LABELS[self.field])
        return f"{self.code} ({', '.join(details)})" if details else self.code


@dataclass(frozen=True, slots=True)
class _Num:
    value: Decimal


@dataclass(frozen=True, slots=True)
class _Ref:
    operand: Operand


@dataclass(frozen=True, slots=True)
class _Neg:
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Bin:
    op: str
    left: _Node
    right: _Node


_Node = _Num | _Ref | _Neg | _Bin
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


@dataclass(frozen=True)
class Expression:
    source: str
    tree: _Node
    operands: tuple[Operand, ...]  # each once, in reading order

    def evaluate(self, lookup: Callable[[Operand], Decimal | None]) -> Decimal:
        """The value, a missing figure counting as 0. Raises EvaluationError (division by zero...)."""
        with localcontext() as context:
            context.prec = 34
            try:
                return _evaluate(self.tree, lookup)
            except (DivisionByZero, InvalidOperation, ZeroDivisionError):
                raise EvaluationError(f"chia cho 0 trong “{self.source}”") from None


def _evaluate(node: _Node, lookup: Callable[[Operand], Decimal | None]) -> Decimal:
    if isinstance(node, _Num):
        return node.value
    if isinstance(node, _Ref):
        value = lookup(node.operand)
        return Decimal(0) if value is None else value
    if isinstance(node, _Neg):
        return -_evaluate(node.operand, lookup)
    left, right = _evaluate(node.left, lookup), _evaluate(node.right, lookup)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        raise EvaluationError("chia cho 0")
    return left / right


class _Parser:
    def __init__(self, source: str, codes: Collection[str] | None, targets: Collection[str] | None, own: str):
        self.source = source
        self.codes = codes
        self.targets = targets
        self.own = own
        self.operands: dict[Operand, None] = {}

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(f"Biểu thức “{self.source}”: {message}")

    def node(self, node: ast.expr) -> _Node:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise self.fail(f"chỉ nhận số, không nhận {node.value!r}.")
            return _Num(Decimal(str(node.value)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self.node(node.operand)
            return _Neg(inner) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            result = _Bin(_BINARY[type(node.op)], self.node(node.left), self.node(node.right))
            if result.op == "/" and _constant(result.right) == 0:
                raise self.fail("chia cho 0.")
            return result
        if isinstance(node, ast.Name | ast.Call):
            operand = self.operand(node)
            self.operands[operand] = None
            return _Ref(operand)
        raise self.fail(
            "chỉ dùng số, mã chỉ tiêu, + - * /, dấu ngoặc và các hàm prev, last_year, ytd, target, est, cum."
        )

    def code(self, name: str) -> str:
        if self.own and name == self.own:
            raise self.fail(f"quy tắc {self.own} không được tham chiếu chính nó.")
        if self.codes is not None and name not in self.codes:
            raise self.fail(f"không có chỉ tiêu mã {name}.")
        return name

    def operand(self, node: ast.expr) -> Operand:
        if isinstance(node, ast.Name):
            return Operand(self.code(node.id))
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.keywords:
            raise self.fail("chỉ gọi được các hàm prev, last_year, ytd, target, est, cum với mã chỉ tiêu.")
        name, args = node.func.id, node.args
        if name in KIND_FUNCTIONS:
            if len(args) != 1 or not isinstance(args[0], ast.Name):
                raise self.fail(f"{name}(...) nhận đúng một mã chỉ tiêu, ví dụ {name}(THU_NSNN).")
            return Operand(self.code(args[0].id), kind=KIND_FUNCTIONS[name])
        if name in PERIOD_FUNCTIONS or name == "target":
            expected = 2 if name == "target" else 1
            if len(args) != expected:
                example = 'target(THU_NSNN, "DT_THANG")' if name == "target" else f"{name}(THU_NSNN)"
                raise self.fail(f"{name}(...) cần {expected} đối số, ví dụ {example}.")
            inner = self.operand(args[0])
            if inner.field != "value":
                raise self.fail(f"không lồng {name}(...) vào một hàm kỳ hoặc kế hoạch khác.")
            if name != "target":
                return Operand(inner.code, inner.kind, PERIOD_FUNCTIONS[name])
            target = args[1]
            if not isinstance(target, ast.Constant) or not isinstance(target.value, str):
                raise self.fail('loại kế hoạch viết trong ngoặc kép, ví dụ target(THU_NSNN, "DT_THANG").')
            if self.targets is not None and target.value not in self.targets:
                raise self.fail(f"không có loại kế hoạch mã {target.value}.")
            return Operand(inner.code, inner.kind, "target", target.value)
        raise self.fail(f"không có hàm {name}(...); dùng prev, last_year, ytd, target, est, cum.")


def _constant(node: _Node) -> Decimal | None:
    """The value of a subtree without figures, or None (used to refuse a constant division by zero)."""
    if isinstance(node, _Ref):
        return None
    if isinstance(node, _Num):
        return node.value
    if isinstance(node, _Neg):
        inner = _constant(node.operand)
        return None if inner is None else -inner
    left, right = _constant(node.left), _constant(node.right)
    if left is None or right is None:
        return None
    try:
        return Expression("", node, ()).evaluate(lambda _: None)
    except EvaluationError:
        return None


def parse_expression(
    text: str,
    *,
    codes: Collection[str] | None = None,
    targets: Collection[str] | None = None,
    own_code: str = "",
) -> Expression:
    """Parse ``text``; with ``codes`` / ``targets`` every indicator code / target type must be known.
    ``own_code`` is the rule's code: naming it is a rule referring to itself. Raises ExpressionError."""
    source = clean(text)
    if not source:
        raise ExpressionError("Biểu thức trống.")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"Biểu thức dài quá {MAX_LENGTH} ký tự.")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        where = f" ở ký tự {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"Biểu thức “{source}” sai cú pháp{where}.") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExpressionError(f"Biểu thức “{source}” quá phức tạp (tối đa {MAX_NODES} thành phần).")
    parser = _Parser(source, codes, targets, own_code)
    root = parser.node(tree.body)
    return Expression(source, root, tuple(parser.operands))

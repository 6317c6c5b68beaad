"""The choices a validation rule is made of: operators, missing-value strategies, importance, scope.

A module of their own so that the evaluator and the check of a rule's text use them without the models."""

from django.db import models


class Operator(models.TextChoices):
    EQ = "eq", "="
    NE = "ne", "≠"
    LT = "lt", "<"
    LE = "le", "≤"
    GT = "gt", ">"
    GE = "ge", "≥"
    COMPULSORY_PAIR = "compulsory_pair", "cặp bắt buộc (hai vế cùng có hoặc cùng không có số liệu)"
    EXCLUSIVE_PAIR = "exclusive_pair", "cặp loại trừ (hai vế không được cùng có số liệu)"


class MissingValue(models.TextChoices):
    SKIP_IF_ANY = "skip_if_any", "Bỏ qua nếu thiếu bất kỳ số liệu nào"
    SKIP_IF_ALL = "skip_if_all", "Bỏ qua nếu thiếu tất cả số liệu"
    NEVER = "never", "Không bỏ qua (số liệu thiếu tính bằng 0)"


class Importance(models.TextChoices):
    HIGH = "high", "Cao (chặn phê duyệt)"
    MEDIUM = "medium", "Trung bình (cảnh báo)"
    LOW = "low", "Thấp (cảnh báo)"


class Scope(models.TextChoices):
    OWN = "own", "Số liệu của từng đơn vị"
    SUBTREE = "subtree", "Số liệu tổng hợp của đơn vị áp dụng và các đơn vị trực thuộc"

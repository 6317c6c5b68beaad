"""Numbers in the admin are read and written the Vietnamese way, like everywhere else (issue 13).

Django's own form fields read ``"7.800"`` as 7,8 (a decimal point) and refuse ``"2.990.000"``; its
integer field even drops ``".000"`` (``"1.000"`` → 1). Every admin of the project therefore uses the
two fields below for every decimal and integer column, through :class:`VietnameseNumbersAdminMixin`, which
the shared admin bases (``accounts.admin``) and the few admins on Django's plain bases include:

* input goes through :func:`baocao.core.numbers.parse_number` ("." groups thousands, "," is the decimal
  mark; ``"7.800"`` → 7800, ``"2.990.000"`` → 2990000, ``"38,5"`` → 38,5); text the parser cannot read is
  refused with its Vietnamese message, never guessed at or scaled;
* stored values are shown by :func:`baocao.core.numbers.format_number` (``Decimal("7800.0000")`` →
  ``"7.800"``), so what is shown re-reads to the same value;
* the input is a text box (``inputmode`` asks phones for a numeric keyboard): a browser's
  ``<input type="number">`` would refuse the grouping dots before the server saw them.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from baocao.core.numbers import NumberParseError, format_number, parse_number

__all__ = [
    "NUMBER_OVERRIDES",
    "VietnameseDecimalField",
    "VietnameseIntegerField",
    "VietnameseNumbersAdminMixin",
]


class _NumberInput(forms.TextInput):
    input_type = "text"


def _read(value: Any) -> Decimal | None:
    """Text (or a number) → Decimal; None for an empty input; ValidationError naming the text otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValidationError(f"Không đọc được số {value!r}.", code="invalid")
    try:
        return parse_number(value)
    except NumberParseError as exc:
        raise ValidationError(str(exc), code="invalid") from exc


def _shown(value: Any) -> Any:
    if (isinstance(value, Decimal) and value.is_finite()) or (
        isinstance(value, int) and not isinstance(value, bool)
    ):
        return format_number(value)
    return value  # the text the user typed (redisplayed with its error), or empty


class VietnameseDecimalField(forms.DecimalField):
    """A decimal read by ``parse_number`` (the model's digits and decimal places still checked)."""

    widget = _NumberInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        return _read(value)

    def prepare_value(self, value: Any) -> Any:
        return _shown(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "decimal")
        return attrs


class VietnameseIntegerField(forms.IntegerField):
    """A whole number read by ``parse_number``: ``"1.000"`` is a thousand, ``"7,5"`` is refused."""

    widget = _NumberInput

    def to_python(self, value: Any) -> int | None:
        number = _read(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValidationError(
                f'"{value}" không phải là số nguyên: trường này chỉ nhận số nguyên.', code="invalid"
            )
        return int(number)

    def prepare_value(self, value: Any) -> Any:
        return _shown(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "numeric")
        return attrs


_DECIMAL = {"form_class": VietnameseDecimalField, "widget": _NumberInput(attrs={"class": "vTextField"})}
_INTEGER = {"form_class": VietnameseIntegerField, "widget": _NumberInput(attrs={"class": "vIntegerField"})}

#: The admin's ``formfield_overrides`` for numbers. Django's admin has its own entries for IntegerField and
#: BigIntegerField (a number input); these replace them. Subclasses of these columns (positive, small)
#: are found through their class hierarchy.
NUMBER_OVERRIDES: dict[type, dict[str, Any]] = {
    models.DecimalField: _DECIMAL,
    models.IntegerField: _INTEGER,
    models.BigIntegerField: _INTEGER,
}


class VietnameseNumbersAdminMixin:
    """For ModelAdmin and inline classes: their number columns take Vietnamese-written numbers.

    Put it first among the bases. An admin's own ``formfield_overrides`` for a number column still win
    over these (merged per key), so an admin can, say, widen the box."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = getattr(type(self), "formfield_overrides", {})  # the class's own, before Django's defaults
        merged = getattr(self, "formfield_overrides")  # noqa: B009 (set by Django's __init__ above)
        for column, options in NUMBER_OVERRIDES.items():
            merged[column] = {**options, **own.get(column, {})}

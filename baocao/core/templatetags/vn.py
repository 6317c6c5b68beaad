"""Template filters that write numbers the Vietnamese way (one formatter: baocao.core.numbers)."""

from decimal import Decimal

from django import template

from baocao.core.numbers import format_number, format_percent

register = template.Library()


@register.filter
def vn_number(value: Decimal | int | None, decimals: int | None = None) -> str:
    return "" if value is None else format_number(value, decimals)


@register.filter
def vn_percent(value: Decimal | None, decimals: int = 1) -> str:
    return "" if value is None else format_percent(value, decimals)

"""``{% load collation %}{{ name|vi_sort_key }}``: the hex ICU key table-tools.js sorts text columns by."""

from django import template

from baocao.core.collation import sort_key_hex

register = template.Library()


@register.filter
def vi_sort_key(value: object) -> str:
    return sort_key_hex("" if value is None else str(value))

"""Small helpers of the data-entry page."""

from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict

from baocao.collection.entry import EntryField, EntryOutcome
from baocao.core.numbers import format_number

register = template.Library()


@register.filter
def vn_value(value: Decimal | None) -> str:
    """A stored value written the Vietnamese way, or "–" when there is none."""
    return "–" if value is None else format_number(value)


@register.simple_tag
def posted(data: QueryDict | None, key: str, default: Any) -> Any:
    """What the user typed (after a failed save), else the stored value: nothing typed is lost."""
    if data is not None and key in data:
        return data[key]
    return default


@register.simple_tag
def field_version(outcome: EntryOutcome | None, field: EntryField) -> int:
    """After a conflict the page carries the other person's version, so "Lưu" then overwrites knowingly."""
    if outcome is not None and field.member.pk in outcome.conflicts:
        return outcome.conflicts[field.member.pk].version
    return field.version


@register.simple_tag
def field_message(outcome: EntryOutcome | None, field: EntryField) -> str:
    if outcome is None:
        return ""
    if field.member.pk in outcome.errors:
        return outcome.errors[field.member.pk]
    if field.member.pk in outcome.conflicts:
        return outcome.conflicts[field.member.pk].message
    return ""

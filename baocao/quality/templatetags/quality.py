"""Rule messages under the fields of the data-entry page."""

from django import template

from baocao.collection.entry import EntryField
from baocao.quality.services import EntryChecks

register = template.Library()


@register.simple_tag
def field_rules(checks: EntryChecks | None, field: EntryField) -> str:
    """The rule messages of one field, joined (escaped by the template engine)."""
    if checks is None:
        return ""
    return " · ".join(checks.by_key.get(field.key, []))

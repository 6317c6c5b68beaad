"""Integer lookups that cannot overflow the database driver.

Django bounds ``exact``, ``gt``, ``lt``... on integer columns (a value beyond the column's range matches
nothing), but not ``in``: ``pk__in=["99999999999999999999999"]`` — what a multiple-choice form field
sends to the database for a hostile POST — raised OverflowError on SQLite and "out of range" on
PostgreSQL, and ``pk__in=["2020Q5"]`` (the admin's autocomplete widget redisplaying a posted value)
raised ValueError: 500s. :class:`IntegerIn` drops texts that are no integer and values outside the
column's range (they match no row);
CoreConfig.ready registers it for every IntegerField (AutoField and BigAutoField included).
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In

__all__ = ["IntegerIn", "register"]


def _integer_text(value: object) -> bool:
    if not isinstance(value, str):
        return True  # other types are Django's to convert (and to refuse)
    try:
        int(value)
    except ValueError:
        return False
    return True


class IntegerIn(In):
    def get_prep_lookup(self) -> Any:
        # A text that is no integer matches no row of an integer column. Django raises ValueError
        # instead, a 500 where a form redisplays a posted choice (the admin's autocomplete widgets
        # filter ``pk__in`` with the raw posted values).
        if self.rhs_is_direct_value() and isinstance(self.rhs, list | tuple | set | frozenset):
            self.rhs = [value for value in self.rhs if _integer_text(value)]
        return super().get_prep_lookup()

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerIn)

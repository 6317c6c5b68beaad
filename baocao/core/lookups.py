"""Integer lookups that cannot overflow the database driver.

Django bounds ``exact``, ``gt``, ``lt``... on integer columns (a value beyond the column's range matches
nothing), but not ``in``: ``pk__in=["99999999999999999999999"]`` — what a multiple-choice form field
sends to the database for a hostile POST — raised OverflowError on SQLite and "out of range" on
PostgreSQL, a 500. :class:`IntegerIn` drops values outside the column's range (they match no row);
CoreConfig.ready registers it for every IntegerField (AutoField and BigAutoField included).
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In

__all__ = ["IntegerIn", "register"]


class IntegerIn(In):
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

"""The action layer of value writes: the one way a data value changes (docs/decisions/0006-one-write-path.md).

Every surface calls :func:`write_values` (many rows) or :func:`write_value` (one): the entry form's
autosave and submit, the Excel form upload, the CSV command, the API's single value and its bulk
``dataValueSets``; the admin shows values read-only. The action

* decides permission: the actor needs ``Action.ENTER`` for every unit the rows write to
  (``accounts.permissions.require``); ``actor=None`` is the command line and the demo loader, trusted;
* picks the executor by size: up to :data:`SMALL_BATCH` rows, or whenever ``versions`` are given, the
  small-batch executor (collection.services, ORM); beyond, the set-based one (collection.bulk, a staging
  table) — both apply collection.rules and give the same values, errors and change log;
* applies one conflict rule (``versions``: line → the version the writer loaded, 0 when there was no
  value): a row whose stored version differs is refused, whoever saved since, unless the stored value
  and comment already are the ones sent; nothing is written when any row conflicts (ValueConflict);
* writes the audit: one ValueChange per created or changed value, with the source and a batch id.

All-or-nothing: ImportRejected (every bad row), PermissionDenied, ClosedValues or ValueConflict, and
then nothing is written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Literal, cast

from django.db import transaction

from baocao.accounts.permissions import Action, require
from baocao.collection import audit_chain, bulk, notices, readers, services
from baocao.collection.models import ChangeSource, DataValue, ValueKind
from baocao.collection.types import DETAIL_ROWS, ImportRejected, Record, RowError, WriteResult
from baocao.core.cells import csv_unescape
from baocao.core.periods import Period
from baocao.core.users import MaybeUser, acting_user
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit

__all__ = ["SMALL_BATCH", "import_values_csv", "read_csv", "write_value", "write_values"]

TEXT_COLUMNS = frozenset({"indicator", "org_unit", "period", "kind", "comment"})  # "value" is a number
SMALL_BATCH = 500  # rows; beyond this the set-based executor is faster (docs/benchmarks)

Executor = Literal["auto", "orm", "sql"]


def write_values(
    actor: MaybeUser,
    records: Iterable[Record],
    *,
    source: str,
    dry_run: bool = False,
    versions: Mapping[int, int] | None = None,
    executor: Executor = "auto",
    detail_rows: int = DETAIL_ROWS,
    action: Action = Action.ENTER,
) -> WriteResult:
    """Write ``records`` — (line, {indicator, org_unit, period, kind, value, comment}) — all-or-nothing.
    ``executor`` forces one executor (tests and benchmarks); the default chooses by size. ``action``: what
    the actor needs for every unit written (the archive import: the office's ``compile``)."""
    user = acting_user(actor)

    def authorize(units: list[OrgUnit]) -> None:
        if actor is not None:
            require(actor, action, units)

    iterator: Iterator[Record] = iter(records)
    if executor == "auto" and source == ChangeSource.ARCHIVE:
        # A past report's values keep the sentence each came from (NOTE_COLUMN), which only the small-batch
        # executor writes to the change log; an archive import is one report's worth of rows.
        executor = "orm"
    if executor == "auto":
        head = list(islice(iterator, SMALL_BATCH + 1))
        executor = "orm" if versions or len(head) <= SMALL_BATCH else "sql"
        iterator = chain(head, iterator)
    if executor == "orm":
        # The values and the notices of comments on them (collection.notices) in one transaction; the
        # set-based path (machine imports of thousands of rows) tells nobody of comments.
        with transaction.atomic():
            result = services.write_rows(
                iterator,
                actor=user,
                source=source,
                dry_run=dry_run,
                authorize=authorize,
                versions=versions,
                detail_rows=detail_rows,
            )
            if not result.dry_run:
                notices.comment_notices(result.batch, user)
                audit_chain.append_batch(result.batch, user.pk if user else None)  # same transaction
        return result
    if versions:
        raise ValueError("versions are checked by the small-batch executor only")
    with transaction.atomic():  # the batch and its audit chain entry together
        result = bulk.write_rows(
            iterator, actor=user, source=source, dry_run=dry_run, authorize=authorize, detail_rows=detail_rows
        )
        if not result.dry_run:
            audit_chain.append_batch(result.batch, user.pk if user else None)
    return result


@transaction.atomic
def write_value(
    actor: MaybeUser,
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: Period | str,
    kind: str = ValueKind.ACTUAL,
    value: Decimal | str,
    comment: str = "",
    source: str = ChangeSource.WEB,
    expected_version: int | None = None,
) -> DataValue:
    """Write one value through :func:`write_values` and return it as stored. ``expected_version`` is the
    version the writer loaded (0: they saw no value); the conflict rule of write_values applies."""
    period_id = period.id if isinstance(period, Period) else period
    record = {
        "indicator": indicator.code,
        "org_unit": org_unit.code,
        "period": period_id,
        "kind": kind,
        "value": value if isinstance(value, Decimal) else str(value),
        "comment": comment,
    }
    versions = None if expected_version is None else {1: expected_version}
    try:
        write_values(actor, [(1, record)], source=source, versions=versions)
    except ImportRejected as exc:  # one value: the errors have no row
        raise type(exc)([RowError(None, e.column, e.message) for e in exc.errors]) from None
    return DataValue.objects.select_related("indicator", "org_unit", "updated_by").get(
        indicator=indicator, org_unit=org_unit, period=Period.parse(period_id).id, kind=kind
    )


def read_csv(stream: IO[bytes]) -> Iterator[Record]:
    """Records of a value CSV, with the formula-neutralising mark of our own exports taken off the text
    cells (core.cells.csv_unescape), so export → import → export gives the same file."""
    for line, record in readers.iter_csv_records(stream):
        yield (
            line,
            {
                c: csv_unescape(v) if isinstance(v, str) and c in TEXT_COLUMNS else v
                for c, v in record.items()
            },
        )


def import_values_csv(
    source: IO[str] | IO[bytes] | str | bytes,
    *,
    user: MaybeUser = None,
    via: str = ChangeSource.CSV,
    dry_run: bool = False,
) -> WriteResult:
    """Import a CSV of values (columns indicator, org_unit, period, kind, value, comment): every bad row
    is reported by line number and nothing is written unless the whole file is valid."""
    stream: IO[bytes]
    if isinstance(source, str | bytes):
        stream = io.BytesIO(source.encode("utf-8") if isinstance(source, str) else source)
    elif isinstance(source.read(0), bytes):
        stream = cast(IO[bytes], source)  # a binary file is streamed, whatever its size
    else:
        stream = io.BytesIO(cast(IO[str], source).read().encode("utf-8"))
    return write_values(user, read_csv(stream), source=via, dry_run=dry_run)

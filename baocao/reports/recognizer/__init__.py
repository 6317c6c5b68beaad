"""The number recogniser: the numbers of Vietnamese report prose, matched against the stored figures.

Public interface (the clerk's narrative editor and the archive import build on it):

``find_mentions(text, units=()) -> list[Mention]`` (pure, no database; :mod:`.parsing`)
    Every number that can be a figure, in order: ``start``/``end`` (offsets in ``text``; HTML marks are
    masked, not removed), ``text`` ("07"), ``value`` (Decimal, in the unit written; "4 tỷ 500 triệu đồng"
    in đồng), ``decimals``, ``unit_word`` ("vụ", "triệu đồng", "%", "" when none), ``unit_end``,
    ``qualifier`` ("trên", "gần", "hơn", "khoảng", "ước đạt", ...), ``verb`` ("tăng", "giảm", "đạt",
    "bằng"), ``comparison`` ("last_year", "previous", "target", "ytd" or ""), ``sentence``,
    ``sentence_start``, ``padded`` ("07"), ``mixed``. Dates, document numbers, years, ordinals and phone
    numbers are not mentions.

``recognise(text, *, report_type=None, org_unit, period, user=None, plans_ahead=None) -> list[Recognised]``
    Each mention matched against ``org_unit``'s figures for ``period`` (through the figures layer, the
    unit's subtree rolled up; previous period, last year, year to date and plans where the phrase says
    so; next period's plans with ``plans_ahead``, or where a heading says the text is the next period's
    tasks when it is None). ``Recognised``: ``mention``, ``status`` ("bound",
    "mismatch", "unknown"), ``binding`` (``Binding(code, kind, field, expression, start, end, name,
    unit)`` or None), ``stored_text`` (the bound figure as it prints: for a mismatch, what the data
    says instead of the number typed) and ``candidates`` (bindings it might be, best first, for the
    picker). The ``expression`` is Jinja over the report context (``f.HS_VU.value|dem``,
    ``f.THU_NSNN.target('DT_THANG').ratio|phan_tram``, ``f.HS_VU.value|so_sanh(f.HS_VU.previous,
    'vụ')``) and replaces ``text[binding.start:binding.end]`` (usually the number; the whole phrase for
    a change, number and unit for a converted or mixed amount): the editor stores ``{{ expression }}``
    there. ``report_type`` (any object with ``pad_counts`` and ``percent_decimals``) makes the
    expression print the number as typed. Given ``user``, the unit must be one they may see
    (``PermissionDenied`` otherwise).

``propose_values(text, *, report_type=None, org_unit, period) -> list[Proposal]``
    For the archive import: the values a past report's text states, matched by unit and name only (the
    period may hold no data): ``Proposal(mention, code, name, org_unit, period, kind, value, unit,
    sentence)``, ``value`` in the indicator's unit. Nothing is written.

The corpus (``corpus/*.yaml``) holds sentences with their expected bindings; ``corpus.evaluate`` scores
the recogniser on it (docs/decisions/0022-number-recogniser-and-filters.md).
"""

from baocao.reports.recognizer.matching import Binding, Proposal, Recognised, propose_values, recognise
from baocao.reports.recognizer.parsing import Mention, find_mentions

__all__ = ["Binding", "Mention", "Proposal", "Recognised", "find_mentions", "propose_values", "recognise"]

"""What reports puts in the audit chain (docs/decisions/0025-audit-chain.md), found by baocao.audit's
start-up discovery: every change of a unit's narrative (its ContributionChange rows, written with each
save), and every save or delete of a report template — report types, their sections and blocks —
through the admin or the outline editor. Blocks written by a template file import (bulk) are compared
when they have been chained, not required to be (``strict=False``)."""

from __future__ import annotations

from baocao.audit import chain
from baocao.reports.models import ContributionChange, ReportBlock, ReportSection, ReportType

chain.track(
    ContributionChange,
    "narrative",
    chain.stored_fields(ContributionChange),
    actor_field="changed_by",
)
chain.track(ReportType, "template", chain.stored_fields(ReportType))
chain.track(ReportSection, "template", chain.stored_fields(ReportSection), strict=False)
chain.track(ReportBlock, "template", chain.stored_fields(ReportBlock), strict=False)

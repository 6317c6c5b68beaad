"""What accounts puts in the audit chain (docs/decisions/0025-audit-chain.md), found by baocao.audit's
start-up discovery: every grant, change and removal of a role."""

from __future__ import annotations

from baocao.accounts.models import RoleAssignment
from baocao.audit import chain

chain.track(RoleAssignment, "role", chain.stored_fields(RoleAssignment))

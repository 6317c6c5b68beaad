"""The public API of the locality bundle (docs/locality-bundle.md), for the commands, the
administrator's page and the demo. These names stay stable:

- :func:`read_bundle` (folder, ZIP or XLSX → :class:`Bundle`, with ``errors`` naming file, row, column);
- :func:`plan_import` (the dry run → :class:`ImportPlan`: created / changed with field diffs /
  unchanged, errors, the scope check);
- :func:`apply_import` (one transaction, all or nothing, idempotent, audited → :class:`ImportResult`
  with the set-password links);
- :func:`export_bundle` / :func:`export_workbook` / :func:`export_files` (deterministic).
"""

from baocao.locality.bundle import FILES, MANIFEST, Bundle, BundleError, BundleFile, read_bundle
from baocao.locality.engine import (
    FieldChange,
    ImportPlan,
    ImportResult,
    PasswordLink,
    PlanItem,
    apply_import,
    plan_import,
)
from baocao.locality.export import export_bundle, export_files, export_workbook, workbook_bytes

__all__ = [
    "FILES",
    "MANIFEST",
    "Bundle",
    "BundleError",
    "BundleFile",
    "FieldChange",
    "ImportPlan",
    "ImportResult",
    "PasswordLink",
    "PlanItem",
    "apply_import",
    "export_bundle",
    "export_files",
    "export_workbook",
    "plan_import",
    "read_bundle",
    "workbook_bytes",
]

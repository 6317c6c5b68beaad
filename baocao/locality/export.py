"""Writing a locality bundle: the folder (and the same content as one Excel workbook).

Deterministic: rows sorted (docs/locality-bundle.md says how for each file), cells written one way,
``\\n`` line ends, so export → import → export gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

from openpyxl import Workbook

from baocao.core.cells import append_row  # text cells as text, never formulas
from baocao.locality.bundle import FILES, MANIFEST
from baocao.locality.sections import SECTIONS, Scope, yaml_text
from baocao.orgunits.models import OrgUnit

__all__ = ["export_bundle", "export_files", "export_workbook", "workbook_bytes"]

_FIXED_TIME = datetime.datetime(2000, 1, 1)  # the workbook's created/modified: the same file every time


def _scope(root_unit: OrgUnit | str | None) -> tuple[Scope, str]:
    if root_unit is None:
        return None, "toan-bo"
    unit = root_unit if isinstance(root_unit, OrgUnit) else OrgUnit.objects.get(code=root_unit)
    codes = frozenset(OrgUnit.objects.subtree([unit]).values_list("code", flat=True))
    return codes, unit.code


def export_files(root_unit: OrgUnit | str | None = None) -> dict[str, str]:
    """Every file of the bundle (name → text), ``bundle.yaml`` first. ``root_unit`` (a unit or its code):
    only that unit's subtree and what belongs to it — its successions, targets, data sets, rules, report
    types, users and roles; the shared catalogs (sectors, units of measure, target types, indicators)
    are exported whole."""
    scope, name = _scope(root_unit)
    files: dict[str, str] = {}
    for section in SECTIONS:
        files.update(section.export(scope))
    manifest = yaml_text(
        "Bộ cấu hình địa phương (docs/locality-bundle.md).",
        {"name": name, "description": "" if scope is None else f"Đơn vị {name} và các đơn vị trực thuộc"},
    )
    return {MANIFEST: manifest, **{n: files[n] for n in FILES if n in files}}


def export_bundle(path: str | Path, root_unit: OrgUnit | str | None = None) -> list[Path]:
    """Write the bundle into the folder ``path`` (created if needed; the bundle's files in it are
    overwritten, other files left alone). Returns the files written."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in export_files(root_unit).items():
        target = folder / name
        target.write_bytes(text.encode("utf-8"))
        written.append(target)
    return written


def workbook_bytes(files: dict[str, str]) -> bytes:
    """The files as one workbook: a sheet per file named as the file; CSV cells as text, one row per
    record; YAML lines in column A."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.created = workbook.properties.modified = _FIXED_TIME
    workbook.properties.creator = "baocao"
    for name, text in files.items():
        sheet = workbook.create_sheet(name)
        if name.endswith(".csv"):
            for record in csv.reader(io.StringIO(text, newline="")):
                append_row(sheet, record)
        else:
            for line in text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"):
                append_row(sheet, [line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_workbook(path: str | Path | None = None, root_unit: OrgUnit | str | None = None) -> bytes:
    """The bundle as an Excel workbook (see :func:`workbook_bytes`), written to ``path`` when given."""
    data = workbook_bytes(export_files(root_unit))
    if path is not None:
        Path(path).write_bytes(data)
    return data

"""Reading a locality bundle (docs/locality-bundle.md) from a folder, a ZIP of it or an Excel workbook.

:func:`read_bundle` checks only the form of the files (known names, CSV headers, YAML syntax) and
collects every problem as a :class:`BundleError` naming the file, the row and the column; what the rows
mean is checked by the import (``baocao.locality.engine``) against the database. The bundle's hash is
taken over its parsed content, so a workbook and a folder of the same content are the same bundle.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from baocao.core import safexlsx, safeyaml
from baocao.core.cells import csv_unescape
from baocao.core.csvio import ImportRejected, decode, read_rows
from baocao.core.numbers import format_number
from baocao.core.text import nfc

__all__ = [
    "CSV_COLUMNS",
    "FILES",
    "MANIFEST",
    "Bundle",
    "BundleError",
    "BundleFile",
    "read_bundle",
    "yes_no",
]

MANIFEST = "bundle.yaml"

# (required, optional) columns of each CSV file, in the order the export writes them.
CSV_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "org-units.csv": (
        ("code", "name", "type", "valid_from"),
        ("short_name", "parent", "valid_to", "sort_order"),
    ),
    "successions.csv": (
        ("predecessor", "successor", "kind", "effective_date"),
        ("share", "legal_basis"),
    ),
    "sectors.csv": (("code", "name"), ("parent", "sort_order")),
    "units-of-measure.csv": (("code", "name", "dimension"), ("factor", "whole_numbers")),
    "target-types.csv": (("code", "name"), ("description", "sort_order")),
    "indicators.csv": (
        ("code", "name", "sector", "unit"),
        (
            "short_name",
            "value_type",
            "aggregation_across_units",
            "aggregation_across_periods",
            "responsible_unit",
            "parent",
            "breakdown_rule",
            "min_value",
            "max_value",
            "direction",
            "warning_band",
            "description",
            "sort_order",
            "is_active",
        ),
    ),
    "targets.csv": (("indicator", "org_unit", "period", "target_type", "value"), ("note",)),
    "data-sets.csv": (("code", "name", "period_type"), ("deadline_working_days", "is_active")),
    "data-set-indicators.csv": (("data_set", "indicator"), ("kind", "sort_order")),
    "data-set-units.csv": (("data_set", "org_unit"), ()),
    "users.csv": (("username",), ("first_name", "last_name", "email", "is_active")),
    "roles.csv": (("username", "role", "org_unit", "valid_from"), ("valid_to",)),
}
YAML_FILES = ("rules.yaml", "report-types.yaml", "key-figures.yaml")

# Every file a bundle may hold, in the order they are imported (a file refers only to earlier ones).
FILES: tuple[str, ...] = (
    "org-units.csv",
    "successions.csv",
    "sectors.csv",
    "units-of-measure.csv",
    "target-types.csv",
    "indicators.csv",
    "targets.csv",
    "data-sets.csv",
    "data-set-indicators.csv",
    "data-set-units.csv",
    "rules.yaml",
    "report-types.yaml",
    "key-figures.yaml",
    "users.csv",
    "roles.csv",
)

MAX_BUNDLE_BYTES = 50 * 1024 * 1024  # the uncompressed files of one bundle together
MAX_ZIP_ENTRIES = 100


@dataclass(frozen=True, slots=True)
class BundleError:
    """One problem of a bundle: the file, the row (CSV line from 1 = header; the YAML line when known)
    and the column (CSV) or key (YAML), and the Vietnamese message."""

    file: str | None
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.line is not None:
            where.append(f"dòng {self.line}")
        if self.column:
            where.append(f"cột {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(slots=True)
class BundleFile:
    """One file of the bundle: CSV ``rows`` as (line, {column: text}) with cells cleaned (NFC, stripped,
    the formula mark taken off), or YAML ``data``; ``text`` is the canonical content the hash covers."""

    name: str
    text: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    data: Any = None

    @property
    def is_csv(self) -> bool:
        return self.name.endswith(".csv")


@dataclass(slots=True)
class Bundle:
    """A bundle as read: its name (bundle.yaml's ``name``, else the folder's or file's name), the SHA-256
    of its content, its files by name, and the problems found while reading (``ok`` when none)."""

    name: str
    sha256: str
    files: dict[str, BundleFile]
    errors: list[BundleError]
    description: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def get(self, name: str) -> BundleFile | None:
        return self.files.get(name)


def yes_no(value: bool) -> str:
    return "có" if value else "không"


# ----------------------------------------------------------------------------------------- reading


def read_bundle(source: str | Path | bytes, *, name: str | None = None) -> Bundle:
    """Read a bundle from a folder (a path), a ``.zip`` of the folder or an ``.xlsx`` workbook (a path
    or the file's bytes, as uploaded). Never raises on bad content: every problem is in ``errors``,
    each naming the file, row and column in Vietnamese. ``name`` overrides the bundle's name."""
    errors: list[BundleError] = []
    raw: dict[str, str] = {}
    sheets: dict[str, list[list[str]]] = {}
    default_name = "bundle"
    if isinstance(source, str | Path):
        path = Path(source)
        default_name = path.stem if path.is_file() else path.name
        if path.is_dir():
            raw = _read_folder(path, errors)
        elif path.is_file():
            data = path.read_bytes()
            _read_archive(data, raw, sheets, errors)
        else:
            errors.append(BundleError(None, None, None, f"Không có thư mục hoặc tệp “{path}”."))
    else:
        _read_archive(source, raw, sheets, errors)
    files: dict[str, BundleFile] = {}
    manifest: Any = None
    for file_name, text in raw.items():
        if file_name == MANIFEST:
            manifest = _parse_yaml(file_name, text, errors)
            continue
        parsed = _parse_file(file_name, text, errors)
        if parsed is not None:
            files[file_name] = parsed
    for file_name, rows in sheets.items():
        if file_name == MANIFEST or file_name in YAML_FILES:
            text = "".join(f"{(row[0] if row else '').rstrip()}\n" for row in rows).rstrip("\n") + "\n"
            if file_name == MANIFEST:
                manifest = _parse_yaml(file_name, text, errors)
                continue
        else:
            text = _csv_text(rows)
        parsed = _parse_file(file_name, text, errors)
        if parsed is not None:
            files[file_name] = parsed
    description = ""
    if manifest is not None:
        if not isinstance(manifest, dict):
            errors.append(BundleError(MANIFEST, None, None, "phải là bảng khóa–giá trị (name, description)."))
        else:
            unknown = set(manifest) - {"name", "description"}
            if unknown:
                errors.append(
                    BundleError(MANIFEST, None, ", ".join(sorted(map(str, unknown))), "khóa không hợp lệ.")
                )
            default_name = str(manifest.get("name") or default_name)
            description = str(manifest.get("description") or "")
    if not files and not errors:
        errors.append(BundleError(None, None, None, f"Bộ cấu hình không có tệp nào ({', '.join(FILES)})."))
    ordered = {n: files[n] for n in FILES if n in files}
    return Bundle(
        name=nfc(name or default_name),
        sha256=_hash(ordered),
        files=ordered,
        errors=errors,
        description=nfc(description),
    )


def _known(file_name: str, errors: list[BundleError]) -> bool:
    if file_name in FILES or file_name == MANIFEST:
        return True
    errors.append(
        BundleError(
            file_name, None, None, f"tệp không thuộc bộ cấu hình (các tệp được dùng: {', '.join(FILES)})."
        )
    )
    return False


def _read_folder(path: Path, errors: list[BundleError]) -> dict[str, str]:
    raw: dict[str, str] = {}
    total = 0
    for item in sorted(path.iterdir()):
        if item.name.startswith("."):
            continue  # .DS_Store, editors' swap files
        if item.is_dir() or not _known(item.name, errors):
            if item.is_dir():
                errors.append(BundleError(item.name, None, None, "thư mục con không thuộc bộ cấu hình."))
            continue
        data = item.read_bytes()
        total += len(data)
        if total > MAX_BUNDLE_BYTES:
            errors.append(BundleError(item.name, None, None, "bộ cấu hình quá lớn (tối đa 50 MB)."))
            break
        text = _decode(item.name, data, errors)
        if text is not None:
            raw[item.name] = text
    return raw


def _decode(file_name: str, data: bytes, errors: list[BundleError]) -> str | None:
    try:
        return decode(data).replace("\r\n", "\n")
    except ImportRejected as exc:
        errors.extend(BundleError(file_name, e.line, e.column, e.message) for e in exc.errors)
        return None


def _read_archive(
    data: bytes, raw: dict[str, str], sheets: dict[str, list[list[str]]], errors: list[BundleError]
) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        errors.append(BundleError(None, None, None, "Tệp tải lên không phải ZIP hay Excel (.xlsx) đọc được."))
        return
    if "xl/workbook.xml" in names:
        _read_workbook(data, sheets, errors)
        return
    if len(names) > MAX_ZIP_ENTRIES:
        errors.append(BundleError(None, None, None, f"Tệp ZIP có quá nhiều mục (tối đa {MAX_ZIP_ENTRIES})."))
        return
    budget = MAX_BUNDLE_BYTES
    for info in archive.infolist():
        if info.is_dir():
            continue
        base = info.filename.replace("\\", "/").rstrip("/").split("/")[-1]
        if base.startswith(".") or info.filename.startswith("__MACOSX/"):
            continue
        if info.filename.count("/") > 1:
            errors.append(BundleError(info.filename, None, None, "tệp nằm quá sâu trong tệp ZIP."))
            continue
        if not _known(base, errors):
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(budget + 1)  # the real size, whatever the directory says
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError):
            errors.append(BundleError(base, None, None, "không giải nén được."))
            continue
        budget -= len(content)
        if budget < 0:
            errors.append(BundleError(base, None, None, "bộ cấu hình quá lớn (tối đa 50 MB khi giải nén)."))
            return
        text = _decode(base, content, errors)
        if text is not None:
            if base in raw:
                errors.append(BundleError(base, None, None, "tệp có hai lần trong tệp ZIP."))
            raw[base] = text


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV file would hold: numbers typed into a cell written the
    Vietnamese way (a float through its shortest repr, so 1.425 stays one point four two five)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_number(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _read_workbook(data: bytes, sheets: dict[str, list[list[str]]], errors: list[BundleError]) -> None:
    try:
        workbook = safexlsx.open_workbook(data, data_only=True)
        for sheet in workbook.worksheets:
            title = sheet.title
            if not _known(title, errors):
                continue
            rows = [[_cell_text(v) for v in row] for row in safexlsx.iter_rows(sheet, values_only=True)]
            sheets[title] = rows
    except safexlsx.WorkbookRejected as exc:
        errors.append(BundleError(None, None, None, str(exc)))
    except safexlsx.READING_ERRORS:
        errors.append(BundleError(None, None, None, safexlsx.NOT_A_WORKBOOK))


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    trimmed = [list(row) for row in rows]
    for row in trimmed:
        while row and row[-1] == "":
            row.pop()
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(trimmed)
    return out.getvalue()


def _parse_yaml(file_name: str, text: str, errors: list[BundleError]) -> Any:
    try:
        return safeyaml.load(nfc(text))
    except safeyaml.YamlRejected as exc:
        errors.append(BundleError(file_name, None, None, str(exc)))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        errors.append(BundleError(file_name, line, None, "không phải YAML hợp lệ."))
    return None


def _parse_file(file_name: str, text: str, errors: list[BundleError]) -> BundleFile | None:
    if file_name in YAML_FILES:
        before = len(errors)
        data = _parse_yaml(file_name, text, errors)
        if len(errors) > before:
            return None
        return BundleFile(file_name, nfc(text), data=data)
    required, optional = CSV_COLUMNS[file_name]
    try:
        records = read_rows(text, required=required, optional=optional)
    except ImportRejected as exc:
        errors.extend(BundleError(file_name, e.line, e.column, e.message) for e in exc.errors)
        return None
    rows = [(line, {k: csv_unescape(v) for k, v in record.items()}) for line, record in records]
    return BundleFile(file_name, _canonical_csv(rows), rows=rows)


def _canonical_csv(rows: Iterable[tuple[int, dict[str, str]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for _, record in rows:
        writer.writerow([f"{k}={v}" for k, v in sorted(record.items()) if v])
    return out.getvalue()


def _hash(files: dict[str, BundleFile]) -> str:
    digest = hashlib.sha256()
    for file_name, item in files.items():
        digest.update(file_name.encode() + b"\0" + item.text.encode() + b"\0")
    return digest.hexdigest()

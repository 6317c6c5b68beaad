"""Dated header configuration: which issuer, place line, signer and recipients a report prints.

Since 1 July 2025 the report chains changed (vn-rules.md §4 point 4): recipients, signer titles and
headers are configuration with dates, not constants. A report type may have editions
(:class:`~baocao.reports.models.ReportTypeEdition`), each in force from ``valid_from`` to ``valid_to``;
a report uses the edition whose span holds its period's cut-off date (the last day of the Decree 09
window), and the report type's own fields where none does. The YAML of report types (and so the
locality bundle's ``report-types.yaml``) carries them as ``editions:`` (docs/decisions/0016-reform-2025.md).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from baocao.core.periods import Period
from baocao.core.text import nfc
from baocao.reports.models import ReportType, ReportTypeEdition

__all__ = [
    "EDITION_FIELDS",
    "Header",
    "editions_data",
    "header_for",
    "parse_editions",
    "replace_editions",
]

# The header and footer fields an edition replaces (the rest stays the report type's).
EDITION_FIELDS = (
    "parent_body",
    "issuer",
    "issuer_short",
    "place_name",
    "authority",
    "signer_titles",
    "signer_name",
    "recipients",
)
_MULTILINE = {"issuer", "signer_titles", "recipients"}
_REQUIRED = ("valid_from", "issuer", "issuer_short", "place_name", "recipients")


@dataclass(frozen=True)
class Header:
    """The header and footer fields of one report (texts as stored: several lines joined by newlines)."""

    parent_body: str
    issuer: str
    issuer_short: str
    place_name: str
    authority: str
    signer_titles: str
    signer_name: str
    recipients: str
    edition: ReportTypeEdition | None = None


def _header(source: ReportType | ReportTypeEdition, edition: ReportTypeEdition | None) -> Header:
    return Header(**{name: getattr(source, name) for name in EDITION_FIELDS}, edition=edition)


def edition_on(report_type: ReportType, day: datetime.date) -> ReportTypeEdition | None:
    """The edition in force on ``day`` (the latest that started on or before it), or None."""
    return (
        report_type.editions.filter(valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from")
        .first()
    )


def header_for(report_type: ReportType, period: Period) -> Header:
    """The header a report of ``period`` prints: the edition in force on the period's cut-off date, else
    the report type's own fields."""
    edition = edition_on(report_type, period.cutoff_date)
    return _header(edition, edition) if edition is not None else _header(report_type, None)


# ------------------------------------------------------------------------------------- YAML


def editions_data(report_type: ReportType) -> list[dict[str, Any]]:
    """The report type's editions as the plain data of its YAML entry, in date order."""
    out = []
    for edition in report_type.editions.order_by("valid_from"):
        data: dict[str, Any] = {
            "valid_from": edition.valid_from.isoformat(),
            "valid_to": edition.valid_to.isoformat() if edition.valid_to else None,
        }
        for name in EDITION_FIELDS:
            value = getattr(edition, name)
            data[name] = [ln for ln in value.splitlines() if ln.strip()] if name in _MULTILINE else value
        if edition.note:
            data["note"] = edition.note
        out.append(data)
    return out


def _date(raw: Any, where: str, key: str, problems: list[str]) -> datetime.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    problems.append(f"{where}: “{key}” phải là ngày dạng YYYY-MM-DD (ví dụ 2025-07-01).")
    return None


def _text(raw: Any, where: str, key: str, problems: list[str]) -> str:
    if raw is None:
        return ""
    if key in _MULTILINE and isinstance(raw, list):
        if not all(isinstance(line, str) for line in raw):
            problems.append(f"{where}: “{key}” phải là danh sách các dòng chữ.")
            return ""
        return "\n".join(nfc(line).strip() for line in raw if line.strip())
    if not isinstance(raw, str):
        problems.append(f"{where}: “{key}” phải là chữ.")
        return ""
    return nfc(raw).strip()


def parse_editions(raw: Any, where: str, problems: list[str]) -> list[dict[str, Any]]:
    """The ``editions:`` of a report type's YAML entry, checked: dates, required fields, no overlap.
    Every problem is appended to ``problems`` naming the report type and the edition."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{where}: “editions” phải là danh sách.")
        return []
    specs: list[dict[str, Any]] = []
    for n, item in enumerate(raw, start=1):
        at = f"{where}, tiêu đề theo thời gian {n}"
        if not isinstance(item, dict):
            problems.append(f"{at}: phải là một bảng khóa–giá trị.")
            continue
        unknown = set(item) - {"valid_from", "valid_to", "note", *EDITION_FIELDS}
        if unknown:
            problems.append(f"{at}: khóa không hợp lệ {', '.join(sorted(map(str, unknown)))}.")
        for key in _REQUIRED:
            if item.get(key) in (None, "", []):
                problems.append(f"{at}: thiếu “{key}”.")
        spec: dict[str, Any] = {
            "valid_from": _date(item.get("valid_from"), at, "valid_from", problems),
            "valid_to": _date(item.get("valid_to"), at, "valid_to", problems),
            "note": _text(item.get("note"), at, "note", problems),
        }
        for key in EDITION_FIELDS:
            if key in item:
                spec[key] = _text(item[key], at, key, problems)
        start, end = spec["valid_from"], spec["valid_to"]
        if start and end and end < start:
            problems.append(f"{at}: ngày hết áp dụng {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}.")
        specs.append(spec)
    dated = sorted((s for s in specs if s["valid_from"]), key=lambda s: s["valid_from"])
    for earlier, later in itertools.pairwise(dated):
        if earlier["valid_to"] is None or earlier["valid_to"] >= later["valid_from"]:
            problems.append(
                f"{where}: tiêu đề từ {earlier['valid_from']:%d/%m/%Y} và tiêu đề từ "
                f"{later['valid_from']:%d/%m/%Y} trùng thời gian áp dụng (ghi “valid_to” cho tiêu đề trước)."
            )
    return specs


def replace_editions(report_type: ReportType, specs: Sequence[dict[str, Any]]) -> None:
    """Make the report type's editions exactly ``specs`` (inside the caller's transaction)."""
    report_type.editions.all().delete()
    for spec in specs:
        edition = ReportTypeEdition(report_type=report_type, **spec)
        edition.full_clean(exclude=["report_type"])
        edition.save()

"""Ký số và ban hành: the leader's step that issues a report with a digital signature (issue 18).

:func:`sign_and_issue` makes the report's PDF/A-2b from its Word file (LibreOffice,
:func:`baocao.reports.pdf.convert_to_pdf`), signs it with the signer's key (PAdES with the Decree 30 stamp
placed at the signature block found in the document, :mod:`baocao.signing`), signs the annex as a separate
attachment with the organisation's signature at the top right where the report type says so
(``ReportType.annex_attachment``), and only then stores everything and marks the report issued, in one
transaction. Any failure — a wrong password or PIN, a certificate expired, not yet valid or of another
person than the signer named in the report, LibreOffice failing — raises :class:`ReportError` with a
Vietnamese message and leaves the report a draft with nothing stored.

Order of work, so that a bad input fails in a moment and the database is not held while LibreOffice runs:
permission and the issuing checks (:func:`baocao.reports.runs.ready_to_issue`), then the key is opened and
its certificate checked (password, validity, holder), then the conversion and the signatures outside any
transaction, and last a short transaction that locks the run, checks it is still the same draft and
stores it (:func:`baocao.reports.runs.freeze_issued`).

The step is separate from where the key lives: ``signer_source`` is a
:class:`baocao.signing.keys.SignerSource` (a PKCS#12 file or a PKCS#11 token on the server). A remote
signing service would be another way to turn the PDF into a signed PDF behind the same function; the page
builds the source from the key configured for the signing user (:func:`server_key_for`) and the password
or PIN the leader types.

The work runs inside the request (a few seconds): the password or PIN must not be stored in a job row for a
worker, and the leader waits for the answer anyway (docs/decisions/0014-issuing-flow.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from baocao.accounts.permissions import Action, units_for
from baocao.core.text import clean
from baocao.core.users import MaybeUser
from baocao.reports import docx, pdf, runs
from baocao.reports.document import ReportDocument
from baocao.reports.errors import ReportError
from baocao.reports.models import ReportRun, RunEventKind
from baocao.reports.word_frames import frame_of
from baocao.signing import config as signing_config
from baocao.signing.errors import SigningError
from baocao.signing.keys import (
    SignerSource,
    certificate_holder,
    check_certificate_validity,
    check_signer_identity,
    open_signer,
)
from baocao.signing.placement import find_signature_block, find_top_right
from baocao.signing.sign import sign_pdf
from baocao.signing.stamp import attachment_stamp, iso_signing_time, leader_stamp

__all__ = [
    "ServerKey",
    "organisation_key",
    "pdf_metadata",
    "server_key_for",
    "sign_and_issue",
]

FAILED = "Chưa ký số và ban hành được"


@dataclass(frozen=True)
class ServerKey:
    """A signing key kept on the server for one user: a PKCS#12 file (``path``) or a key on a PKCS#11
    token (``library``, ``token_label``, ``key_label``), with the signer's signature image. The password or
    PIN is not kept here: the signer types it when signing."""

    kind: str
    path: Path | None = None
    library: str = ""
    token_label: str = ""
    key_label: str = ""
    ca_certs: tuple[Path, ...] = ()
    signature_image: Path | None = None
    seal_image: Path | None = None

    @property
    def label(self) -> str:
        """What the page says about the key (never the secret)."""
        if self.kind == "pkcs11":
            return f"khóa «{self.key_label}» trên token «{self.token_label}» (PKCS#11)"
        return f"tệp khóa {self.path.name if self.path else '?'} (PKCS#12) trên máy chủ"

    def source(self, secret: str) -> SignerSource:
        """The signer source of this key unlocked by ``secret`` (the PKCS#12 password or the token PIN)."""
        if self.kind == "pkcs11":
            return SignerSource.pkcs11(
                self.library, self.token_label, self.key_label, secret, ca_certs=self.ca_certs
            )
        return SignerSource.pkcs12(self.path or Path(), secret)


def _path(value: Any) -> Path | None:
    return Path(value) if value else None


def _existing(path: Path | None) -> Path | None:
    return path if path is not None and path.is_file() else None


def _server_key(config: dict[str, Any]) -> ServerKey:
    return ServerKey(
        kind="pkcs11" if config.get("library") else "pkcs12",
        path=_path(config.get("pkcs12")),
        library=str(config.get("library", "")),
        token_label=str(config.get("token_label", "")),
        key_label=str(config.get("key_label", "")),
        ca_certs=tuple(Path(p) for p in config.get("ca_certs", ())),
        signature_image=_existing(_path(config.get("signature_image"))),
        seal_image=_existing(_path(config.get("seal_image"))),
    )


def server_key_for(user: MaybeUser) -> ServerKey | None:
    """The key ``user`` signs with, or None when there is none for them.

    ``settings.BAOCAO_SIGNING_KEYS`` (user name → ``pkcs12`` path, or ``library``/``token_label``/
    ``key_label``, and ``signature_image``/``seal_image``) names a key per user. Otherwise a user who may
    issue reports somewhere signs with the installation's leader key (``BAOCAO_SIGNING_PKCS12`` or the
    PKCS#11 token of ``BAOCAO_SIGNING_PKCS11_*``, :mod:`baocao.signing.config`) — unlocked only by the
    password or PIN they type, and accepted only when its certificate is that of the signer named in the
    report."""
    if user is None or not user.is_authenticated:
        return None
    keys: dict[str, dict[str, Any]] = getattr(settings, "BAOCAO_SIGNING_KEYS", {}) or {}
    config = keys.get(user.get_username())
    if config:
        return _server_key(config)
    if not units_for(user, Action.ISSUE).exists():
        return None
    leader = signing_config.leader_source()
    if leader.kind == "pkcs12" and _existing(leader.path) is None:
        return None
    return ServerKey(
        kind=leader.kind,
        path=leader.path,
        library=leader.library,
        token_label=leader.token_label,
        key_label=leader.key_label,
        ca_certs=leader.ca_certs,
        signature_image=_existing(signing_config.signature_image()),
        seal_image=_existing(signing_config.seal_image()),
    )


def organisation_key() -> tuple[SignerSource, Path | None] | None:
    """The organisation's key for copies and annexes, kept on the server with its password or PIN (the
    office's seal key, used without a person typing it; :func:`baocao.signing.config.organisation_source`),
    and the seal image; None when the key file is missing."""
    source = signing_config.organisation_source()
    if source.kind == "pkcs12" and _existing(source.path) is None:
        return None
    return source, _existing(signing_config.seal_image())


def pdf_metadata(run: ReportRun, document: ReportDocument, *, annex: bool = False) -> pdf.PdfMetadata:
    """Title, author (the issuing committee), subject and keywords of the issued PDF, in Vietnamese."""
    report_type = run.report_type
    label = run.period_obj.label
    title = run.title
    if annex and document.annexes:
        title = f"{document.annexes[0].label}: {clean(document.annexes[0].title)} – {title}"
    return pdf.PdfMetadata(
        title=title,
        author=clean(" ".join(report_type.issuer.splitlines())) or report_type.issuer_short,
        subject=clean(f"{document.number_line} – {' '.join(document.summary)}"),
        keywords=("báo cáo", clean(report_type.name), label, report_type.issuer_short),
    )


def _annex_pages(full: bytes, first_page: int, metadata: pdf.PdfMetadata) -> bytes:
    """The pages of ``full`` from ``first_page`` (0-based) on, as a PDF of their own that keeps the
    PDF/A catalogue (XMP, output intent, embedded fonts); links to the removed pages are dropped."""
    with pikepdf.open(io.BytesIO(full)) as document:
        if first_page <= 0 or first_page >= len(document.pages):
            raise ReportError(f"{FAILED}: không tách được phụ lục khỏi văn bản PDF.")
        for _ in range(first_page):
            del document.pages[0]
        for key in ("/StructTreeRoot", "/Outlines", "/PageLabels", "/Names", "/Dests", "/OpenAction"):
            if key in document.Root:
                del document.Root[key]
        if "/MarkInfo" in document.Root:
            del document.Root["/MarkInfo"]
        with document.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = metadata.title
        document.docinfo["/Title"] = metadata.title
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _page_count(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as document:
        return len(document.pages)


def _organisation_of(certificate: Any, fallback: str) -> str:
    """The organisation a certificate names (its O attribute), else ``fallback``."""
    value = certificate.subject.native.get("organization_name", "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return clean(str(value)) or fallback


def _signer_name(run: ReportRun) -> str:
    return clean(run.signer_name or run.report_type.signer_name)


def _details(run: ReportRun) -> tuple[Any, ...]:
    """What the signed document depends on besides the data: if it changed while signing, sign again."""
    return (run.number, run.issue_date, run.signer_name, run.signer_titles, run.recipients, run.status)


def sign_and_issue(
    actor: MaybeUser,
    run: ReportRun,
    signer_source: SignerSource,
    *,
    signature_image: Path | bytes | None = None,
    seal_image: Path | bytes | None = None,
    organisation: tuple[SignerSource, Path | None] | None = None,
    now: dt.datetime | None = None,
) -> ReportRun:
    """Issue a draft with the signer's digital signature (see the module docstring). ``actor`` needs
    ISSUE for the run's unit (PermissionDenied otherwise, before anything else); ``organisation`` is the
    organisation's key and seal for a separately signed annex (default :func:`organisation_key`).
    Raises :class:`ReportError` with a Vietnamese message on any failure; the run then stays a draft."""
    run = ReportRun.objects.select_related("report_type", "org_unit").get(pk=run.pk)
    built = runs.ready_to_issue(run, actor)
    details = _details(run)
    document = built.document
    signer_name = _signer_name(run)
    report_type = run.report_type
    separate_annex = bool(report_type.annex_attachment and document.annexes)
    if separate_annex and organisation is None:
        organisation = organisation_key()
        if organisation is None:
            raise ReportError(
                f"{FAILED}: loại báo cáo có phụ lục ký riêng nhưng máy chủ chưa cấu hình khóa ký số của cơ "
                "quan (BAOCAO_SIGNING_ORG_PKCS12)."
            )
    organisation_name = report_type.issuer_short or run.org_unit.name
    when = now or timezone.now()
    frame = frame_of(report_type)
    try:
        with open_signer(signer_source) as signer:
            certificate = signer.signing_cert
            if certificate is None:
                raise ReportError(f"{FAILED}: không đọc được chứng thư số của người ký.")
            check_certificate_validity(certificate, when)
            check_signer_identity(certificate, signer_name)
            word = docx.render_docx(document, frame)
            main = dataclasses.replace(document, annexes=()) if separate_annex else document
            main_pdf = pdf.convert_to_pdf(
                docx.render_docx(main, frame) if separate_annex else word,
                pdfa=True,
                metadata=pdf_metadata(run, document),
            )
            placement = find_signature_block(
                main_pdf, signer_name, titles=(document.authority, *document.signer_titles)
            )
            signed_main = sign_pdf(
                main_pdf,
                signer,
                field_name="ChuKyNguoiKy",
                reason=f"Ban hành {document.number_line}",
                location=report_type.place_name,
                timestamp_url=signing_config.timestamp_url(),
                expected_signer_name=signer_name,
                stamp=leader_stamp(
                    signer_name=signer_name,
                    organisation=_organisation_of(certificate, organisation_name),
                    signature_image=signature_image,
                    seal_image=seal_image,
                ),
                placement=placement,
                signing_time=when,
            )
            record: dict[str, Any] = {
                "holder": certificate_holder(certificate),
                "issuer": clean(certificate.issuer.human_friendly),
                "serial": format(certificate.serial_number, "X"),
                "valid_until": certificate["tbs_certificate"]["validity"]["not_after"].native.isoformat(),
                "signed_at": iso_signing_time(when),
                "key": signer_source.kind,
                "placement": placement.note,  # where the stamp went, found from the document (or not)
            }
        signed_annex = None
        if separate_annex and organisation is not None:
            org_source, _seal = organisation  # no seal on the annex (vn-rules.md)
            full = pdf.convert_to_pdf(word, pdfa=True, metadata=pdf_metadata(run, document, annex=True))
            annex_pdf = _annex_pages(full, _page_count(main_pdf), pdf_metadata(run, document, annex=True))
            with open_signer(org_source) as org_signer:
                signed_annex = sign_pdf(
                    annex_pdf,
                    org_signer,
                    field_name="ChuKyCoQuan",
                    reason=f"Phụ lục kèm theo {document.number_line}",
                    location=report_type.place_name,
                    timestamp_url=signing_config.timestamp_url(),
                    stamp=attachment_stamp(document_number=document.number_line.removeprefix("Số:").strip()),
                    placement=find_top_right(annex_pdf),
                    signing_time=when,
                )
                record["annex_holder"] = certificate_holder(org_signer.signing_cert)
    except SigningError as exc:
        raise ReportError(f"{FAILED}: {exc}") from exc
    except (pdf.PdfError, docx.DocxError) as exc:
        raise ReportError(f"{FAILED}: {exc}") from exc
    except pikepdf.PdfError as exc:  # the converted file could not be split into report and annex
        raise ReportError(f"{FAILED}: không tách được phụ lục khỏi tệp PDF ({exc}).") from exc
    with transaction.atomic():
        locked = (
            ReportRun.objects.select_for_update().select_related("report_type", "org_unit").get(pk=run.pk)
        )
        if _details(locked) != details:
            raise ReportError(
                f"{FAILED}: số, ngày, người ký hoặc trạng thái của báo cáo đã thay đổi trong lúc ký; "
                "hãy mở lại trang và ký lại."
            )
        return runs.freeze_issued(
            locked,
            built,
            word,
            actor,
            RunEventKind.SIGNED,
            signed_pdf=signed_main,
            signed_annex_pdf=signed_annex,
            signature=record,
        )

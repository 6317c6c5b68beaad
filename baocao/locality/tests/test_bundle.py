"""The locality bundle's engine, with a bundle written only from docs/locality-bundle.md
(``bundles/xa-binh-minh``: a fictional commune; nothing here imports the demo).

A new locality set up from files alone must produce its monthly report — header, place line, signer and
figures — and the import must be all or nothing, idempotent, faithful in both forms (folder, workbook)
and scoped to the importer's subtree."""

from __future__ import annotations

import datetime
import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from baocao.accounts.models import RoleAssignment
from baocao.collection.models import ChangeSource
from baocao.collection.values import write_values
from baocao.core.numbers import format_number, format_percent
from baocao.core.periods import Period
from baocao.indicators.models import DataSet, Indicator, Target
from baocao.locality.api import (
    BundleError,
    apply_import,
    export_bundle,
    export_files,
    plan_import,
    read_bundle,
    workbook_bytes,
)
from baocao.locality.models import LocalityImport
from baocao.orgunits.models import OrgUnit, OrgUnitSuccession
from baocao.reports.building import build_document
from baocao.reports.models import ReportType, SectionAssignment

BUNDLE = Path(__file__).resolve().parent / "bundles" / "xa-binh-minh"


def _import(path: Path | bytes = BUNDLE, actor: User | None = None, *, dry_run: bool = False):
    return apply_import(actor, read_bundle(path), dry_run=dry_run)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(BUNDLE, target)
    return target


def _values(rows: list[tuple[str, str, str, str]]) -> None:
    records = [
        (n, {"indicator": i, "org_unit": u, "period": p, "kind": "actual", "value": v, "comment": ""})
        for n, (i, u, p, v) in enumerate(rows, start=1)
    ]
    write_values(None, records, source=ChangeSource.COMMAND)


def test_a_bundle_from_the_documentation_sets_up_a_locality_whose_report_renders(db):
    assert not OrgUnit.objects.exists() and not Indicator.objects.exists()

    result = _import()

    assert result.ok and result.applied, result.plan.errors
    assert len(result.plan.created) == len(result.plan.items)  # everything new in an empty database
    # the documented cells: the target "7.800" is seven thousand eight hundred, the share "0,6" is 0.6
    assert Target.objects.get(indicator__code="BM_THU_NS").value == Decimal(7800)
    assert OrgUnitSuccession.objects.get(successor__code="AK_XBM").share == Decimal("0.6")
    assert OrgUnit.objects.get(code="AK_XBM_KT").path.startswith(OrgUnit.objects.get(code="AK").path)
    assert Indicator.objects.get(code="BM_TNGT_CHET").parent.code == "BM_TNGT"
    assert [m.indicator.code for m in DataSet.objects.get(code="BM_XBM_CA").members.all()] == [
        "BM_TNGT",
        "BM_TNGT_CHET",
    ]
    report_type = ReportType.objects.get(code="BM_KTXH_THANG")
    assert list(
        SectionAssignment.objects.filter(report_type=report_type).values_list("org_unit__code", flat=True)
    ) == ["AK_XBM_KT"]
    # people without passwords: each gets a one-time set-password link
    assert not any(u.has_usable_password() for u in User.objects.all())
    assert sorted(link.username for link in result.password_links) == [
        "bm.chutich",
        "bm.kt.canbo",
        "bm.quantri",
        "bm.vanphong",
    ]
    assert RoleAssignment.objects.get(user__username="bm.chutich").role == "leader"

    _values(
        [
            ("BM_THU_NS", "AK_XBM_KT", "202601", "1.100"),
            ("BM_THU_NS", "AK_XBM_KT", "202602", "1.250,5"),
            ("BM_TNGT", "AK_XBM_CA", "202602", "3"),
            ("BM_TNGT_CHET", "AK_XBM_CA", "202602", "1"),
        ]
    )
    document = build_document(report_type, report_type.org_unit, Period.parse("202602")).document

    assert document.failed_blocks == ()
    assert document.issuer == ("ỦY BAN NHÂN DÂN", "XÃ BÌNH MINH")
    assert document.place_date.startswith("Bình Minh, ngày")
    assert document.place_date.endswith("năm 2026")
    assert document.authority == "TM. ỦY BAN NHÂN DÂN"
    assert document.signer_titles == ("CHỦ TỊCH",)
    assert document.signer_name == "Trần Văn Thử"
    assert document.recipients[0] == "UBND tỉnh An Khê;"
    text = document.plain_text()
    ytd = (Decimal("1100") + Decimal("1250.5")) / Decimal("7800")
    assert f"Thu ngân sách trên địa bàn xã {format_number(Decimal('1250.5'))} triệu đồng" in text
    assert f"đạt {format_percent(ytd)} dự toán năm" in text
    assert "Xảy ra 03 vụ tai nạn giao thông, trong đó 01 vụ có người chết" in text


def test_the_same_bundle_imported_twice_changes_nothing(db):
    first = _import()
    exported = export_files()

    second = _import()

    assert second.ok and second.applied
    assert second.plan.created == [] and second.plan.changed == []
    assert len(second.plan.unchanged) == len(first.plan.items)
    assert export_files() == exported
    assert not any(u.has_usable_password() for u in User.objects.all())  # nor passwords


def test_export_import_export_is_byte_identical(db, tmp_path):
    with transaction.atomic():  # the first locality, exported, then gone: the database is empty again
        assert _import().ok
        export_bundle(tmp_path / "a")
        transaction.set_rollback(True)
    assert not OrgUnit.objects.exists()

    result = _import(tmp_path / "a")
    export_bundle(tmp_path / "b")

    assert result.ok and result.plan.changed == []
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _import(tmp_path / "b").plan.created == []


def test_errors_name_file_row_and_column_and_nothing_is_written(db, tmp_path):
    folder = _copy(tmp_path)
    indicators = (folder / "indicators.csv").read_text(encoding="utf-8")
    (folder / "indicators.csv").write_text(
        indicators.replace(",bm_vu,integer,AK_XBM_CA,BM_TNGT,", ",bm_vuu,integer,AK_XBM_CA,BM_TNGT,"),
        encoding="utf-8",
    )
    targets = (folder / "targets.csv").read_text(encoding="utf-8")
    (folder / "targets.csv").write_text(targets.replace("7.800", '"7,8.0"'), encoding="utf-8")
    units = (folder / "org-units.csv").read_text(encoding="utf-8")
    (folder / "org-units.csv").write_text(units.replace("2000-01-01", "2000-13-01"), encoding="utf-8")

    result = _import(folder)

    assert not result.ok and not result.applied
    where = {(e.file, e.line, e.column) for e in result.plan.errors}
    assert ("indicators.csv", 4, "unit") in where
    assert ("targets.csv", 2, "value") in where
    assert ("org-units.csv", 7, "valid_from") in where
    message = next(e for e in result.plan.errors if e.file == "indicators.csv")
    assert str(message) == (
        "indicators.csv, dòng 4, cột unit: không có đơn vị tính mã “bm_vuu” "
        "(trong bộ cấu hình hay trong cơ sở dữ liệu)."
    )
    assert not OrgUnit.objects.exists() and not Indicator.objects.exists() and not User.objects.exists()
    assert not LocalityImport.objects.exists()


def test_a_misnamed_file_or_column_is_refused_before_anything_runs(db, tmp_path):
    folder = _copy(tmp_path)
    (folder / "indicator.csv").write_text("code\nX\n", encoding="utf-8")
    sectors = (folder / "sectors.csv").read_text(encoding="utf-8")
    (folder / "sectors.csv").write_text(sectors.replace("sort_order", "thu_tu", 1), encoding="utf-8")

    bundle = read_bundle(folder)

    assert {(e.file, e.line, e.column) for e in bundle.errors} == {
        ("indicator.csv", None, None),
        ("sectors.csv", 1, "thu_tu"),
    }
    assert not _import(folder).ok and not OrgUnit.objects.exists()


def test_the_dry_run_says_what_changes_field_by_field_and_writes_nothing(db, tmp_path):
    _import()
    folder = _copy(tmp_path)
    sectors = (folder / "sectors.csv").read_text(encoding="utf-8")
    (folder / "sectors.csv").write_text(sectors.replace("Kinh tế", "Kinh tế - tài chính"), encoding="utf-8")
    (folder / "target-types.csv").write_text("code,name\nBM_DT_THANG,dự toán tháng\n", encoding="utf-8")

    plan = plan_import(None, read_bundle(folder))

    assert plan.ok
    changed = {item.key: item for item in plan.changed}
    assert list(changed) == ["BM_KT"]
    assert [(c.field, c.old, c.new) for c in changed["BM_KT"].changes] == [
        ("name", "Kinh tế", "Kinh tế - tài chính")
    ]
    assert [item.key for item in plan.created] == ["BM_DT_THANG"]
    assert "Lĩnh vực BM_KT: thay đổi — name: “Kinh tế” → “Kinh tế - tài chính”" in "\n".join(plan.lines())
    assert OrgUnit.objects.count() == 6 and not Indicator.objects.filter(name__contains="tài chính").exists()
    assert LocalityImport.objects.count() == 1  # the first import only; a dry run is not recorded


def test_every_import_is_recorded_with_who_which_bundle_and_what_changed(db, tmp_path):
    _import()
    folder = _copy(tmp_path)
    roles = (folder / "roles.csv").read_text(encoding="utf-8")
    (folder / "roles.csv").write_text(
        roles.replace(
            "bm.kt.canbo,unit_staff,AK_XBM_KT,2025-07-01,",
            "bm.kt.canbo,unit_staff,AK_XBM_KT,2025-07-01,2026-12-31",
        ),
        encoding="utf-8",
    )
    admin = User.objects.create_superuser("root", password="x")
    bundle = read_bundle(folder)

    result = apply_import(admin, bundle, dry_run=False)

    record = result.record
    assert record is not None and record == LocalityImport.objects.first()
    assert (record.actor, record.actor_name, record.bundle_name) == (admin, "root", "xa-binh-minh")
    assert record.bundle_sha256 == bundle.sha256 != read_bundle(BUNDLE).sha256
    assert (record.created_count, record.changed_count) == (0, 1)
    assert record.changes == [
        {
            "section": "Vai trò",
            "file": "roles.csv",
            "key": "bm.kt.canbo / unit_staff / AK_XBM_KT / 2025-07-01",
            "status": "changed",
            "changes": [["valid_to", "", "2026-12-31"]],
        }
    ]


def test_the_workbook_and_the_zip_are_the_same_bundle_as_the_folder(db, tmp_path):
    files = {p.name: p.read_text(encoding="utf-8") for p in BUNDLE.iterdir()}
    folder = read_bundle(BUNDLE)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"xa-binh-minh/{name}", text)

    workbook = read_bundle(workbook_bytes(files))
    zipped = read_bundle(packed.getvalue())

    for other in (workbook, zipped):
        assert other.ok, other.errors
        assert other.sha256 == folder.sha256
        assert {n: f.rows for n, f in other.files.items()} == {n: f.rows for n, f in folder.files.items()}
        assert {n: f.data for n, f in other.files.items()} == {n: f.data for n, f in folder.files.items()}
    result = apply_import(None, workbook, dry_run=False)
    assert result.ok and Target.objects.get().value == Decimal(7800)


def test_a_unit_administrator_is_refused_a_bundle_touching_another_subtree_naming_it(db, tmp_path):
    _import()
    other = tmp_path / "other"
    other.mkdir()
    (other / "org-units.csv").write_text(
        "code,name,type,parent,valid_from\nAK_XKHAC,Xã Khác,commune,AK,2025-07-01\n", encoding="utf-8"
    )
    assert _import(other).ok  # the system may add another commune of the province
    quantri = User.objects.get(username="bm.quantri")  # admin of Xã Bình Minh
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "org-units.csv").write_text(
        "code,name,type,parent,valid_from\n"
        "AK_XBM_TP,Tổ dân phố 1,agency,AK_XBM,2025-07-01\n"  # inside: a new unit under the commune
        "AK_XKHAC,Xã Khác (đổi tên),commune,AK,2025-07-01\n",  # outside
        encoding="utf-8",
    )

    result = _import(folder, quantri)

    assert not result.ok and not result.applied
    assert result.plan.errors == [
        BundleError(
            "org-units.csv",
            3,
            None,
            "Đơn vị “AK_XKHAC” thuộc đơn vị “AK_XKHAC”, nằm ngoài phạm vi quản trị của bạn. "
            "Bộ cấu hình bị từ chối, không ghi gì.",
        )
    ]
    assert not OrgUnit.objects.filter(code="AK_XBM_TP").exists()
    assert OrgUnit.objects.get(code="AK_XKHAC").name == "Xã Khác"


def test_a_unit_administrator_imports_within_the_subtree_but_may_not_change_shared_catalogs(db, tmp_path):
    _import()
    quantri = User.objects.get(username="bm.quantri")
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "org-units.csv").write_text(
        "code,name,type,parent,valid_from\n"
        "AK_XBM,Xã Bình Minh,commune,AK,2025-07-01\n"  # its own unit, unchanged (its parent is outside)
        "AK_XBM_TP,Tổ dân phố 1,agency,AK_XBM,2025-07-01\n",
        encoding="utf-8",
    )
    (inside / "sectors.csv").write_text("code,name\nBM_XH,Văn hóa - xã hội\n", encoding="utf-8")  # a new one

    result = _import(inside, quantri)

    assert result.ok and result.applied, result.plan.errors
    assert result.record is not None and result.record.actor == quantri
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "sectors.csv").write_text("code,name\nBM_KT,Kinh tế (sửa)\n", encoding="utf-8")
    refused = _import(shared, quantri)
    assert [str(e) for e in refused.plan.errors] == [
        "sectors.csv, dòng 2: Lĩnh vực “BM_KT” là danh mục dùng chung của mọi địa phương: chỉ quản trị hệ "
        "thống được sửa. Bộ cấu hình bị từ chối, không ghi gì."
    ]
    clerk = User.objects.get(username="bm.kt.canbo")
    assert [str(e) for e in _import(inside, clerk).plan.errors] == [
        "Bạn không có quyền quản trị đơn vị nào: không nhập được."
    ]


def test_the_set_password_link_lets_a_new_user_choose_a_password_once(db, client):
    result = _import()
    link = next(link for link in result.password_links if link.username == "bm.chutich")

    page = client.get(link.path, follow=True)
    assert page.status_code == 200 and "bm.chutich" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link.path,
        {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="bm.chutich").check_password("Mat-khau-moi-2026")
    assert "không còn dùng được" in client.get(link.path, follow=True).content.decode()


@pytest.mark.parametrize("name", ["org-units.csv", "report-types.yaml"])
def test_export_of_a_subtree_keeps_only_its_objects(db, name):
    _import()
    files = export_files(OrgUnit.objects.get(code="AK_XBM_CA"))
    if name == "org-units.csv":
        assert files[name].splitlines()[1:] == [
            "AK_XBM_CA,Công an xã Bình Minh,,police,AK_XBM,2025-07-01,,50"
        ]
    else:
        assert "BM_KTXH_THANG" not in files[name]


def test_the_commands_dry_run_import_and_refuse_in_vietnamese(db, tmp_path):
    out = io.StringIO()
    call_command("import_locality", str(BUNDLE), "--dry-run", stdout=out)
    assert "Sẽ tạo mới" in out.getvalue() and "Chạy thử: chưa ghi gì." in out.getvalue()
    assert not OrgUnit.objects.exists()

    out = io.StringIO()
    call_command("import_locality", str(BUNDLE), stdout=out)
    assert "Đã tạo mới" in out.getvalue() and "/dat-mat-khau/" in out.getvalue()
    call_command(
        "export_locality", str(tmp_path / "out"), "--xlsx", str(tmp_path / "out.xlsx"), stdout=io.StringIO()
    )
    assert read_bundle(tmp_path / "out.xlsx").sha256 == read_bundle(tmp_path / "out").sha256

    folder = _copy(tmp_path)
    (folder / "sectors.csv").write_text("code,name\nBM_KT,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_locality", str(folder), stdout=io.StringIO(), stderr=err)
    assert "sectors.csv, dòng 2, cột name: không được để trống." in err.getvalue()
    assert Indicator.objects.get(code="BM_THU_NS").sector.name == "Kinh tế"


def test_a_cycle_of_parents_is_refused_on_its_row(db, tmp_path):
    _import()
    folder = tmp_path / "cycle"
    folder.mkdir()
    (folder / "sectors.csv").write_text(
        "code,name,parent\nBM_KT,Kinh tế,BM_QPAN\nBM_QPAN,Quốc phòng - an ninh,BM_KT\n", encoding="utf-8"
    )

    result = _import(folder)

    assert [(e.file, e.line, e.column) for e in result.plan.errors] == [("sectors.csv", 3, "parent")]
    assert Indicator.objects.get(code="BM_THU_NS").sector.parent is None  # nothing written


def test_the_audit_trail_is_shown_in_the_admin_and_cannot_be_edited_there(db, client):
    record = _import().record
    client.force_login(User.objects.create_superuser("root", password="x"))

    listing = client.get(reverse("admin:locality_localityimport_changelist"))

    assert listing.status_code == 200 and record.bundle_sha256 in listing.content.decode()
    change = reverse("admin:locality_localityimport_change", args=[record.pk])
    assert client.post(change, {"bundle_name": "khác"}).status_code == 403
    assert client.post(reverse("admin:locality_localityimport_add"), {}).status_code == 403
    assert LocalityImport.objects.get().bundle_name == "xa-binh-minh"


def test_numbers_and_dates_typed_into_excel_cells_read_as_written(db):
    files = {p.name: p.read_text(encoding="utf-8") for p in BUNDLE.iterdir()}
    book = load_workbook(io.BytesIO(workbook_bytes(files)))
    book["targets.csv"]["E2"] = 7800  # a number cell, as Excel keeps a typed number
    book["successions.csv"]["E2"] = 0.6
    book["org-units.csv"]["F2"] = datetime.datetime(2025, 7, 1)  # a date cell
    out = io.BytesIO()
    book.save(out)

    bundle = read_bundle(out.getvalue())

    assert bundle.ok, bundle.errors
    assert bundle.files["targets.csv"].rows[0][1]["value"] == "7.800"
    assert bundle.files["successions.csv"].rows[0][1]["share"] == "0,6"
    assert bundle.files["org-units.csv"].rows[0][1]["valid_from"] == "2025-07-01"
    assert bundle.sha256 == read_bundle(BUNDLE).sha256  # the same content as the folder
    assert apply_import(None, bundle, dry_run=False).ok
    assert Target.objects.get().value == Decimal(7800)


def test_a_unit_administrator_may_not_change_a_user_of_another_subtree(db, tmp_path):
    _import()
    other = tmp_path / "other"
    other.mkdir()
    (other / "org-units.csv").write_text(
        "code,name,type,parent,valid_from\nAK_XKHAC,Xã Khác,commune,AK,2025-07-01\n", encoding="utf-8"
    )
    (other / "users.csv").write_text("username,first_name\nxk.vanphong,Văn phòng xã Khác\n", encoding="utf-8")
    (other / "roles.csv").write_text(
        "username,role,org_unit,valid_from\nxk.vanphong,office,AK_XKHAC,2025-07-01\n", encoding="utf-8"
    )
    assert _import(other).ok
    folder = tmp_path / "users"
    folder.mkdir()
    (folder / "users.csv").write_text(
        "username,first_name\nbm.vanphong,Chuyên viên (sửa)\nxk.vanphong,Đổi tên\n", encoding="utf-8"
    )

    result = _import(folder, User.objects.get(username="bm.quantri"))

    assert [str(e) for e in result.plan.errors] == [
        "users.csv, dòng 3: Người dùng “xk.vanphong” thuộc đơn vị “AK_XKHAC”, nằm ngoài phạm vi quản trị "
        "của bạn. Bộ cấu hình bị từ chối, không ghi gì."
    ]
    assert User.objects.get(username="bm.vanphong").first_name == "Chuyên viên"


def test_a_trong_do_indicator_may_come_before_its_parent_and_a_cycle_is_refused(db, tmp_path):
    _import()
    later = tmp_path / "later"
    later.mkdir()
    (later / "indicators.csv").write_text(
        "code,name,sector,unit,parent\n"
        "BM_TNGT_XE_MAY,Số vụ tai nạn do xe máy,BM_QPAN,bm_vu,BM_TNGT_MOI\n"
        "BM_TNGT_MOI,Số vụ tai nạn giao thông (mới),BM_QPAN,bm_vu,\n",
        encoding="utf-8",
    )
    assert _import(later).ok
    assert Indicator.objects.get(code="BM_TNGT_XE_MAY").parent.code == "BM_TNGT_MOI"
    cycle = tmp_path / "cycle"
    cycle.mkdir()
    (cycle / "indicators.csv").write_text(
        "code,name,sector,unit,parent\nBM_TNGT_MOI,Số vụ tai nạn (mới),BM_QPAN,bm_vu,BM_TNGT_XE_MAY\n",
        encoding="utf-8",
    )

    result = _import(cycle)

    assert [(e.file, e.line, e.column) for e in result.plan.errors] == [("indicators.csv", 2, "parent")]
    assert Indicator.objects.get(code="BM_TNGT_MOI").parent is None

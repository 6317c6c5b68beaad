"""One database, both sides of 1 July 2025: the June 2025 report of the old city (UBND thành phố Lạng Sơn)
and the August 2025 report of the new ward (UBND phường Lương Văn Tri, the second demo) each print the
header, place line, signer and recipients of their time, and "cùng kỳ" is re-aggregated from the old
units where it adds up and said to be not comparable where it does not (vn-rules.md §2.4, §4)."""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command

from baocao.analytics.figures import get_figures
from baocao.collection.models import ChangeSource, DataValue
from baocao.collection.services import latest_month_for
from baocao.collection.values import write_values
from baocao.core.numbers import change_phrase, format_number, format_percent, growth_phrase
from baocao.core.periods import Period
from baocao.demo.reform import LAST_PERIOD, WARD_BUNDLE, load_ward_values
from baocao.locality.api import apply_import, export_bundle, export_files, plan_import, read_bundle
from baocao.orgunits.models import OrgUnit
from baocao.reports.building import build_document
from baocao.reports.document import Paragraph, ReportDocument
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import ReportRun, ReportType
from baocao.reports.rendering import render_block, report_context
from baocao.reports.runs import run_document
from baocao.reports.template_files import export_report_types, import_report_types

NOT_COMPARABLE = "không so sánh được với cùng kỳ (đơn vị mới thành lập từ 01/7/2025)"


@pytest.fixture
def reform(demo):
    """The June 2020 demo and, in the same database, the ward's bundle and values (idempotent)."""
    assert apply_import(None, read_bundle(WARD_BUNDLE), dry_run=False).ok
    load_ward_values()


def _report(code: str, unit: str, period: str) -> ReportDocument:
    report_type = ReportType.objects.get(code=code)
    return build_document(report_type, OrgUnit.objects.get(code=unit), Period.parse(period)).document


def _body(document: ReportDocument) -> str:
    return " ".join(item.text for item in document.body if isinstance(item, Paragraph))


def _stored(indicator: str, unit: str, period: str) -> Decimal:
    return DataValue.objects.get(
        indicator__code=indicator, org_unit__code=unit, period=period, kind="actual"
    ).value


def test_the_wards_august_2025_report_has_the_wards_header_of_its_time(reform):
    document = _report("LVT_KTXH_THANG", "LS_P_LUONGVANTRI", "202508")
    assert document.issuer == ("ỦY BAN NHÂN DÂN", "PHƯỜNG LƯƠNG VĂN TRI")
    # Decree 30: a unit named after a person is written in full, common noun capitalised.
    assert document.place_date.startswith("Phường Lương Văn Tri, ngày")
    assert document.place_date.endswith("tháng 8 năm 2025")
    # The edition in force from 01/7/2025 to 31/12/2025: a deputy signs, the transition's recipients.
    assert document.authority == "TM. ỦY BAN NHÂN DÂN"
    assert document.signer_titles == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert document.signer_name == "Lý Thị Hạnh"
    assert document.recipients[0] == "UBND tỉnh Lạng Sơn (b/c);"
    assert "Sở Nội vụ tỉnh;" in document.recipients
    assert document.recipients[-1] == "Lưu: VT, VP."
    assert document.failed_blocks == ()


def test_the_wards_revenue_compares_with_its_old_units_added_up(reform):
    text = _body(_report("LVT_KTXH_THANG", "LS_P_LUONGVANTRI", "202508"))
    # August 2024: the whole of Chi Lăng and Vĩnh Trại, 35% of Mai Pha (the bundle's successions).
    last_year = (
        _stored("PX_THU_NS", "TPLS_P_CHILANG", "202408")
        + _stored("PX_THU_NS", "TPLS_P_VINHTRAI", "202408")
        + Decimal("0.35") * _stored("PX_THU_NS", "TPLS_X_MAIPHA", "202408")
    )
    august = _stored("PX_THU_NS", "LVT_PKT", "202508")
    assert f"được {format_number(august, 1)} triệu đồng, {growth_phrase(august / last_year)};" in text
    # A count adds up too: "tăng/giảm N hộ so với cùng kỳ".
    shops = _stored("PX_HKD_MOI", "LVT_PKT", "202508")
    shops_last_year = (
        _stored("PX_HKD_MOI", "TPLS_P_CHILANG", "202408")
        + _stored("PX_HKD_MOI", "TPLS_P_VINHTRAI", "202408")
        + Decimal("0.35") * _stored("PX_HKD_MOI", "TPLS_X_MAIPHA", "202408")
    ).quantize(Decimal(1), ROUND_HALF_UP)  # 35% of a count: a whole number of households
    assert f"({change_phrase(shops, shops_last_year, 'hộ', against='so với cùng kỳ')})" in text


def test_the_wards_rates_are_not_comparable_in_its_first_year(reform):
    text = _body(_report("LVT_KTXH_THANG", "LS_P_LUONGVANTRI", "202508"))
    bhyt = format_number(_stored("PX_TL_BHYT", "LVT_PVHXH", "202508"), 1)
    assert f"Tỷ lệ dân số tham gia bảo hiểm y tế đạt {bhyt}%, {NOT_COMPARABLE};" in text
    assert f"%, {NOT_COMPARABLE}." in text  # the poverty rate too
    assert "điểm phần trăm so với cùng kỳ" not in text  # no number made from a partial base


def test_a_year_later_the_ward_compares_with_itself_under_its_own_header(reform):
    document = _report("LVT_KTXH_THANG", "LS_P_LUONGVANTRI", "202608")
    assert document.signer_titles == ("CHỦ TỊCH",)
    assert document.signer_name == "Hoàng Văn Nam"
    assert "Sở Nội vụ tỉnh;" not in document.recipients
    text = _body(document)
    assert "không so sánh được" not in text
    now, before = _stored("PX_TL_BHYT", "LVT_PVHXH", "202608"), _stored("PX_TL_BHYT", "LVT_PVHXH", "202508")
    phrase = change_phrase(now, before, "điểm phần trăm", decimals=1, against="so với cùng kỳ")
    assert f"%, {phrase};" in text


def test_the_old_citys_june_2025_report_from_the_same_database(reform):
    """The city's report type gets a 2025 edition through its YAML (as a locality bundle carries it); its
    June 2020 report keeps the 2020 header, its June 2025 report prints the 2025 one."""
    city_type = ReportType.objects.get(code="KTXH_THANG")
    data = yaml.safe_load(export_report_types([city_type]))
    entry = data["report_types"][0]
    old_signer, old_recipients = entry["signer_name"], entry["recipients"]
    entry["editions"] = [
        {
            "valid_from": "2021-01-01",
            "valid_to": "2025-06-30",
            "issuer": ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ LẠNG SƠN"],
            "issuer_short": "UBND thành phố Lạng Sơn",
            "place_name": "TP. Lạng Sơn",
            "signer_titles": ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
            "signer_name": "Người Ký Thử",
            "recipients": ["UBND tỉnh;", "Ban Chỉ đạo sắp xếp ĐVHC tỉnh;", "Lưu: VT."],
        }
    ]
    import_report_types(yaml.safe_dump(data, allow_unicode=True))
    # Values of the annex's indicators for June 2025 and June 2024 (neutral test numbers).
    codes = [
        "THU_NSNN", "CHI_NSNN", "BAN_LE_DV", "XDCB_GIAI_NGAN", "GPXD_CAP", "GCN_CAP", "HS_VU", "MT_VU",
        "DON_TIEP_NHAN",
    ]  # fmt: skip
    rows = [
        (
            n,
            {
                "indicator": code,
                "org_unit": "TPLS",
                "period": period,
                "kind": "actual",
                "value": value,
                "comment": "",
            },
        )
        for n, (code, period, value) in enumerate(
            [(code, "202506", "120") for code in codes] + [(code, "202406", "100") for code in codes], start=1
        )
    ]
    write_values(None, rows, source=ChangeSource.COMMAND)

    june_2025 = _report("KTXH_THANG", "TPLS", "202506")
    assert june_2025.issuer == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ LẠNG SƠN")
    assert june_2025.place_date.startswith("TP. Lạng Sơn, ngày")
    assert june_2025.place_date.endswith("tháng 6 năm 2025")
    assert (june_2025.signer_titles, june_2025.signer_name) == (
        ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
        "Người Ký Thử",
    )
    assert june_2025.recipients == ("UBND tỉnh;", "Ban Chỉ đạo sắp xếp ĐVHC tỉnh;", "Lưu: VT.")
    # The old city's own "cùng kỳ": nothing changed before its end, so a plain comparison.
    table = june_2025.annexes[-1].items[0]
    revenue = next(row for row in table.rows if row[1].startswith("Thu ngân sách"))
    assert revenue[-1] == format_percent(Decimal("1.2"))
    assert "không so sánh được" not in " ".join(" ".join(row) for row in table.rows)

    june_2020 = _report("KTXH_THANG", "TPLS", "202006")
    assert (june_2020.signer_name, list(june_2020.recipients)) == (old_signer, old_recipients)
    # The ward's report from the same database is unaffected.
    assert _report("LVT_KTXH_THANG", "LS_P_LUONGVANTRI", "202508").signer_name == "Lý Thị Hạnh"


def test_editions_round_trip_through_the_yaml_and_overlaps_are_refused(reform):
    ward_type = ReportType.objects.get(code="LVT_KTXH_THANG")
    text = export_report_types([ward_type])
    entry = yaml.safe_load(text)["report_types"][0]
    assert [e["valid_from"] for e in entry["editions"]] == ["2025-07-01"]
    import_report_types(text)
    assert export_report_types([ReportType.objects.get(code="LVT_KTXH_THANG")]) == text
    entry["editions"].append({**entry["editions"][0], "valid_from": "2025-12-01", "valid_to": None})
    with pytest.raises(TemplateProblems, match="trùng thời gian áp dụng"):
        import_report_types(yaml.safe_dump({"report_types": [entry]}, allow_unicode=True))
    assert ward_type.editions.get().valid_to == datetime.date(2025, 12, 31)


def test_the_ward_bundle_imports_again_without_change(reform):
    plan = plan_import(None, read_bundle(WARD_BUNDLE))
    assert (plan.errors, plan.created, plan.changed) == ([], [], [])
    assert load_ward_values() == {"ward_values_created": 0, "ward_values_updated": 0}


def test_load_demo_loads_the_ward_after_the_2020_demo(db):
    out = io.StringIO()
    call_command("load_demo", "--print-logins", stdout=out)
    assert "lvt.vanphong" in out.getvalue() and "lvt.pkt.canbo" in out.getvalue()
    draft = ReportRun.objects.get(report_type__code="LVT_KTXH_THANG", period="202508")
    assert NOT_COMPARABLE in _body(run_document(draft).document)


def test_the_wards_dated_headers_travel_in_its_exported_bundle(reform, tmp_path):
    """export_locality of the ward carries its editions and successions; importing that export changes
    nothing and exporting again gives the same files."""
    files = export_files("LS_P_LUONGVANTRI")
    entry = yaml.safe_load(files["report-types.yaml"])["report_types"][0]
    assert entry["editions"][0]["signer_name"] == "Lý Thị Hạnh"
    assert 'TPLS_X_MAIPHA,LS_P_LUONGVANTRI,transfer,2025-07-01,"0,35"' in files["successions.csv"]
    export_bundle(tmp_path, "LS_P_LUONGVANTRI")
    plan = plan_import(None, read_bundle(tmp_path))
    assert (plan.errors, plan.created, plan.changed) == ([], [], [])
    assert export_files("LS_P_LUONGVANTRI") == files


def test_a_template_can_test_comparability_and_name_the_old_units(reform):
    period = Period.parse("202508")
    context = report_context(get_figures(["LS_P_LUONGVANTRI"], period), period, "Phường Lương Văn Tri")
    source = (
        "{% if f.PX_TL_BHYT.last_year_comparable %}so sánh được"
        "{% else %}{{ f.PX_TL_BHYT.not_comparable_reason }}{% endif %}; "
        "{{ f.PX_THU_NS.reaggregated_from|join(', ') }}; "
        "{{ f.PX_TL_BHYT.last_year if f.PX_TL_BHYT.last_year is defined else '–' }}"
    )
    assert render_block(source, context) == (
        "đơn vị mới thành lập từ 01/7/2025; Phường Chi Lăng, Phường Vĩnh Trại, Xã Mai Pha; –"
    )


def test_each_locality_opens_on_its_own_latest_month(reform):
    """The ward's figures reach November 2026; the old city's users still open their pages on the city's
    last month (its old wards' June 2025), not on a month their units never reported."""
    assert latest_month_for(User.objects.get(username="lvt.pkt.canbo")) == Period.parse(LAST_PERIOD)
    assert latest_month_for(User.objects.get(username="ca.canbo")) == Period.parse("202506")
    assert latest_month_for(User.objects.get(username="admin")) == Period.parse(LAST_PERIOD)

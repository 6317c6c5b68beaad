"""The `chart` block of report templates: configured as data, drawn on the server from the one series
function, put into the Word report in its section as a picture, and the Decree 30 checks still pass."""

import io
import warnings
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from baocao.analytics.series import get_series
from baocao.collection.models import DataValue
from baocao.core.numbers import format_number
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit
from baocao.reports.building import build_document
from baocao.reports.charts import ChartError, ChartSpec, chart_item, chart_problems, parse_chart, render_png
from baocao.reports.checks import check_block_source
from baocao.reports.document import Chart, document_from_json, document_to_json
from baocao.reports.docx import render_docx
from baocao.reports.models import BlockKind, ReportBlock, ReportSection, ReportType
from baocao.reports.template_files import export_report_types, import_report_types
from baocao.reports.templatetags.reports import body_item
from baocao.reports.tests.decree30 import decree30_problems

JUNE = Period.month(2020, 6)
SETTINGS = "indicator: THU_NSNN\nmonths: 12\nkinds: [actual]"


@pytest.fixture
def report_type(demo):
    report_type = ReportType.objects.get(code="KTXH_THANG")
    section = ReportSection.objects.get(report_type=report_type, key="kinh-te")
    last = section.blocks.order_by("-sort_order").first()
    ReportBlock.objects.create(
        section=section,
        kind=BlockKind.CHART,
        source=SETTINGS,
        sort_order=(last.sort_order if last else 0) + 1,
    )
    return report_type


def body_paragraphs(docx: bytes) -> list:
    return list(Document(io.BytesIO(docx)).paragraphs)


def test_a_chart_block_puts_a_picture_into_its_section_and_decree_30_still_holds(report_type):
    built = build_document(report_type, report_type.org_unit, JUNE)
    assert built.document.failed_blocks == ()
    charts = [item for item in built.document.body if isinstance(item, Chart)]
    assert len(charts) == 1 and charts[0].image.startswith(b"\x89PNG")
    data = render_docx(built.document)

    paragraphs = body_paragraphs(data)
    texts = [p.text.strip() for p in paragraphs]
    with_picture = [n for n, p in enumerate(paragraphs) if p._p.findall(".//" + qn("w:drawing"))]
    assert len(with_picture) == 1
    picture = with_picture[0]
    economy = texts.index("1. Kinh tế")
    next_section = next(n for n, t in enumerate(texts) if t.startswith("2. Quản lý đô thị"))
    assert economy < picture < next_section  # in the "1. Kinh tế" section, after its text
    assert "Biểu đồ: Thu ngân sách nhà nước trên địa bàn (triệu đồng)" in texts[picture]
    # The picture really is in the package, at the block's width.
    document = Document(io.BytesIO(data))
    assert any(rel.reltype.endswith("/image") for rel in document.part.rels.values())
    extent = paragraphs[picture]._p.findall(".//" + qn("wp:extent"))[0]
    assert int(extent.get("cx")) == 140 * 36000

    assert decree30_problems(data, year=2020) == []


def test_the_chart_shows_the_series_and_a_stored_change_changes_it(report_type):
    unit = report_type.org_unit
    series = get_series(unit, JUNE, "THU_NSNN", months=12, kinds=["actual"])["THU_NSNN"]
    june = series.line("actual").values[-1]
    before = chart_item(SETTINGS, unit, JUNE)
    assert f"T6/2020 {format_number(june)}" in before.description  # the series' own numbers

    DataValue.objects.filter(indicator__code="THU_NSNN", period="202006", kind="actual").update(
        value=Decimal(20000)
    )
    after = chart_item(SETTINGS, unit, JUNE)
    assert "T6/2020 20.000" in after.description and "T6/2020 20.000" not in before.description
    assert after.image != before.image  # the picture is drawn again from the new value


def test_a_chart_that_cannot_be_made_is_marked_in_place(report_type):
    ReportBlock.objects.filter(kind=BlockKind.CHART).update(source="indicator: THU_NSNN\nunit: KHONG_CO")
    built = build_document(report_type, report_type.org_unit, JUNE)
    assert len(built.document.failed_blocks) == 1
    assert "Không có đơn vị mã KHONG_CO" in built.document.failed_blocks[0]
    assert any("[chưa lập được: Biểu đồ: Không có đơn vị mã KHONG_CO" in i.text for i in built.document.body)
    render_docx(built.document)  # the Word download still works


def test_a_chart_draws_only_the_reports_own_subtree(report_type):
    """A unit's report cannot chart a unit outside its subtree (the city's revenue in the police's report),
    which its readers may not see; a unit under it is drawn."""
    police = OrgUnit.objects.get(code="TPLS_CA")
    with pytest.raises(ChartError) as refused:
        chart_item("indicator: THU_NSNN\nunit: TPLS", police, JUNE)
    assert "đơn vị Thành phố Lạng Sơn (TPLS) không thuộc Công an thành phố" in str(refused.value)
    tax = chart_item("indicator: THU_NSNN\nunit: TPLS_CCT", report_type.org_unit, JUNE)
    assert tax.image.startswith(b"\x89PNG")


def test_a_chart_without_any_data_is_marked(report_type):
    ReportBlock.objects.filter(kind=BlockKind.CHART).update(
        source="indicator: THU_NSNN\nkinds: cumulative\nmonths: 2"
    )
    DataValue.objects.filter(indicator__code="THU_NSNN", kind="cumulative").delete()
    failed = build_document(report_type, report_type.org_unit, JUNE).document.failed_blocks
    assert failed and "chưa có số liệu nào từ tháng 5/2020 đến tháng 6/2020" in failed[0]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "thiếu mã chỉ tiêu"),
        ("indicator: THU_NSNN\nmonths: 99", "months phải là số nguyên từ 1 đến 36"),
        ("indicator: THU_NSNN\ncolour: red", "khóa không dùng được: colour"),
        ("indicator: THU_NSNN\nkinds: [plan]", "kinds là một hoặc vài loại số liệu"),
        ("indicator: THU_NSNN\nstyle: pie", "style phải là line"),
        ("indicator: [unclosed", "không đọc được"),
    ],
)
def test_bad_settings_are_named(source, message):
    with pytest.raises(ChartError, match=message):
        parse_chart(source)


def test_settings_are_checked_when_the_template_is_saved(demo):
    assert check_block_source(SETTINGS, BlockKind.CHART) == []
    assert check_block_source("indicator: KHONG_CO", BlockKind.CHART) == [
        "Cấu hình biểu đồ: không có chỉ tiêu mã KHONG_CO."
    ]
    assert chart_problems("indicator: THU_NSNN\nunit: KHONG_CO") == [
        "Cấu hình biểu đồ: không có đơn vị mã KHONG_CO."
    ]


def test_yaml_export_and_import_keep_the_chart_block(report_type):
    text = export_report_types([report_type])
    assert "chart:" in text and "indicator: THU_NSNN" in text
    imported = import_report_types(text)
    block = ReportBlock.objects.get(section__report_type=imported[0], kind=BlockKind.CHART)
    assert parse_chart(block.source).indicator == "THU_NSNN"


def test_issued_json_and_preview_keep_the_picture(report_type):
    document = build_document(report_type, report_type.org_unit, JUNE).document
    again = document_from_json(document_to_json(document))
    assert again == document
    chart = next(item for item in document.body if isinstance(item, Chart))
    html = body_item(chart)
    assert html.startswith('<figure class="chart"><img src="data:image/png;base64,')
    assert "T6/2020" in html  # the values as the picture's text alternative


def test_every_vietnamese_letter_is_drawn(report_type):
    """The legend and axis say "Thực hiện cùng kỳ năm trước", "triệu đồng": a font without ự or ồ would draw
    empty boxes (matplotlib only warns)."""
    series = get_series(report_type.org_unit, JUNE, "THU_NSNN", months=12)["THU_NSNN"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = render_png(series, ChartSpec("THU_NSNN", style="bar"))
    assert png.startswith(b"\x89PNG") and len(png) < 300_000

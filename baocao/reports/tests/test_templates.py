"""Report templates as data: YAML export and import, and the checks that keep a broken template out."""

import pytest
import yaml

from baocao.reports.checks import check_block_source
from baocao.reports.contributions import import_contributions
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import Contribution, ReportBlock, ReportSection, ReportType
from baocao.reports.template_files import export_report_types, import_report_types


def demo_yaml() -> dict:
    return yaml.safe_load(export_report_types(ReportType.objects.all()))


def with_block(source: str, kind: str = "text") -> str:
    data = demo_yaml()
    data["report_types"][0]["sections"][0]["sections"][0]["blocks"].append({kind: source})
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_export_import_export_is_identical(demo):
    first = export_report_types(ReportType.objects.all())
    sections, blocks = ReportSection.objects.count(), ReportBlock.objects.count()
    import_report_types(first)
    assert export_report_types(ReportType.objects.all()) == first
    assert (ReportSection.objects.count(), ReportBlock.objects.count()) == (sections, blocks)
    # Contributions are tied to section keys, so re-importing the outline keeps them.
    assert Contribution.objects.filter(period="202006").count() > 40


def test_another_locality_is_set_up_from_the_file_alone(demo):
    data = demo_yaml()
    other = data["report_types"][0]
    other.update(code="KTXH_QUY", name="Báo cáo quý", period_type="quarter", place_name="Chi Lăng")
    other["issuer"] = ["ỦY BAN NHÂN DÂN", "PHƯỜNG CHI LĂNG"]
    import_report_types(yaml.safe_dump(data, allow_unicode=True))
    created = ReportType.objects.get(code="KTXH_QUY")
    assert created.issuer == "ỦY BAN NHÂN DÂN\nPHƯỜNG CHI LĂNG"
    assert created.sections.count() == ReportType.objects.get(code="KTXH_THANG").sections.count()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Thu {{ f.THU_NSNN.value|so }", "dòng 1"),  # syntax error
        ("Dòng một\nThu {% if %}", "Lỗi cú pháp mẫu ở dòng 2"),
        ("{{ f.KHONG_CO.value|so }}", 'không có chỉ tiêu "KHONG_CO"'),
        ("{{ f.THU_NSNN.value|khong_co_bo_loc }}", "khong_co_bo_loc"),
        ("{{ f.THU_NSNN.value|tien('triệu đồng', 'đô la') }}", 'Bộ lọc "tien"'),  # filter misuse
        ("{{ f.THU_NSNN.gia_tri }}", 'thuộc tính "gia_tri"'),
        ("{{ f.__class__.__mro__ }}", "không được phép"),  # Python internals
        ("{{ f._set.figures }}", "không được phép"),
        ("{{ ''.__class__.__subclasses__() }}", "không được phép"),
        ("Xem <script>alert(1)</script>", "<script>"),
        ("<b>chưa đóng", "Thiếu thẻ đóng"),
        ("{{ bien_la }}", 'tên "bien_la"'),
    ],
)
def test_a_broken_block_is_refused_naming_section_block_and_line(demo, source, expected):
    before = export_report_types(ReportType.objects.all())
    with pytest.raises(TemplateProblems) as caught:
        import_report_types(with_block(source))
    (problem,) = caught.value.problems
    assert problem.startswith(
        "Loại báo cáo “KTXH_THANG” › mục “Những kết quả đạt được” › mục “Kinh tế”, khối 4: "
    )
    assert expected in problem
    assert export_report_types(ReportType.objects.all()) == before  # nothing written


def test_a_table_block_must_have_rows_of_equal_width(demo):
    with pytest.raises(TemplateProblems) as caught:
        import_report_types(with_block("A | B\n1 | 2 | 3", kind="table"))
    assert "Dòng 2 của bảng có 3 ô, dòng tiêu đề có 2 ô" in caught.value.problems[0]


def test_every_problem_is_listed_at_once(demo):
    data = demo_yaml()
    item = data["report_types"][0]
    item["org_unit"] = "KHONG_CO"
    item["percent_decimals"] = 9
    limits = next(s for s in item["sections"] if s["key"] == "han-che")
    economy = next(s for s in limits["sections"] if s["key"] == "han-che-kinh-te")
    economy["blocks"] = [{"text": "{{ f.X.value }}"}, {"bang": "?"}]
    item["sections"].append({"key": "ket-qua", "title": "Trùng mã"})
    with pytest.raises(TemplateProblems) as caught:
        import_report_types(yaml.safe_dump(data, allow_unicode=True))
    problems = "\n".join(caught.value.problems)
    assert "không có đơn vị mã “KHONG_CO”" in problems
    assert "percent_decimals phải là số nguyên từ 0 đến 4" in problems
    assert 'mục “Lĩnh vực kinh tế:”, khối 1: Dòng 1: không có chỉ tiêu "X"' in problems
    assert "khối 2: mỗi khối có đúng một trong các khóa" in problems
    assert "mã mục “ket-qua” bị trùng" in problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("report_types: [", "không phải YAML hợp lệ ở dòng"),
        ("- a\n- b", "khóa “report_types”"),
        (b"\xff\xfe\x00", "UTF-8"),
        ("report_types:\n- code: X", "thiếu “name”"),
    ],
)
def test_a_file_that_is_not_a_template(db, text, expected):
    with pytest.raises(TemplateProblems) as caught:
        import_report_types(text)
    assert expected in "\n".join(caught.value.problems)


def test_contributions_are_checked_like_blocks(demo):
    report_type = ReportType.objects.get(code="KTXH_THANG")
    count = Contribution.objects.count()
    with pytest.raises(TemplateProblems) as caught:
        import_contributions(
            report_type,
            "202007",
            "kinh-te:\n- {unit: TPLS_PKT, text: 'Thu {{ f.KHONG_CO.value }}'}\n"
            "khong-co-muc:\n- {unit: TPLS_PKT, text: 'x'}\n"
            "tnmt:\n- {unit: XX, text: 'y'}\n",
        )
    problems = "\n".join(caught.value.problems)
    assert 'Mục “kinh-te”, nội dung 1: Dòng 1: không có chỉ tiêu "KHONG_CO"' in problems
    assert "Mục “khong-co-muc”: loại báo cáo “KTXH_THANG” không có mục này." in problems
    assert "không có đơn vị mã “XX”" in problems
    assert Contribution.objects.count() == count


def test_check_block_source_for_the_admin(demo):
    assert check_block_source("Thu {{ f.THU_NSNN.value|so }} triệu đồng") == []
    assert check_block_source("{{ f.THU_NSNN.value|so(") != []
    assert check_block_source("", "contributions") == []

"""The June 2020 report generated from the demo reproduces the seed report (UBND thành phố Lạng Sơn).

The seed's text is read from a copy of the seed file (tests/data); nothing here feeds its figures to the
code: they come from the stored values and targets, and the data-changing tests below prove it.
Part II.1 (review of the units' tasks) and its annex are computed from the demo's tasks
(baocao/demo/data/tasks-202006.yaml) by the task tracking app.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

import pytest
import yaml
from django.contrib.auth.models import User

from baocao.assignments import services as tasks
from baocao.assignments.models import Task
from baocao.collection.models import DataValue
from baocao.collection.values import import_values_csv
from baocao.core.periods import Period
from baocao.demo.loader import DATA_DIR
from baocao.reports.building import build_document
from baocao.reports.document import Heading, Paragraph, Table
from baocao.reports.models import ReportRun, ReportType
from baocao.testing import SEED_REPORT
from baocao.testing.factories import computed_from_demo

SEED = SEED_REPORT
JUNE = Period.month(2020, 6)

# The seed's own slips, corrected in the generated report (the issue allows it).
SLIPS = {"toonhr hợp": "tổng hợp", "đơn đốc": "đôn đốc", "28.000.000d": "28.000.000đ"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"</?sup>", "", text).replace("*", "")
    for slip, fixed in SLIPS.items():
        text = text.replace(slip, fixed)
    return " ".join(text.split())


def seed_parts() -> dict[str, list[str]]:
    """The seed's paragraphs of parts I, II and III, headings left out."""
    parts: dict[str, list[str]] = {"I": [], "II": [], "III": []}
    current = None
    for block in re.split(r"\n\s*\n", SEED.read_text(encoding="utf-8")):
        text = normalise(block)
        if match := re.match(r"^#+ (I{1,3})\. ", text):
            current = match[1]
            continue
        if text.startswith("Nơi nhận"):
            break
        if current is None or not text:
            continue
        if text.startswith("#"):
            continue
        parts[current].append(text)
    return parts


def sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+", paragraph) if s]


PARTS = seed_parts()
FIGURE_SENTENCES = [
    pytest.param(s, id=f"{part}-{i}")
    for part in ("I", "II", "III")
    for i, s in enumerate(x for p in PARTS[part] for x in sentences(p) if re.search(r"\d", x))
]
OTHER_SENTENCES = [
    pytest.param(s, id=f"{part}-{i}")
    for part in ("I", "II", "III")
    for i, s in enumerate(x for p in PARTS[part] for x in sentences(p) if not re.search(r"\d", x))
]


@pytest.fixture(scope="module")
def june(django_db_setup, django_db_blocker):
    """The June 2020 report built once from the demo (rolled back afterwards)."""

    def build():
        report_type = ReportType.objects.get(code="KTXH_THANG")
        return build_document(report_type, report_type.org_unit, JUNE)

    return computed_from_demo(django_db_blocker, build)


@pytest.fixture(scope="module")
def text(june):
    return normalise(" ".join(item.text for item in june.document.body if not isinstance(item, Table)))


def test_the_seed_was_read():
    # 1 + 3 + 10 + 3 paragraphs with figures at least; Part II with II.1 (its sentence and the italic note).
    assert len(FIGURE_SENTENCES) > 60
    assert len(PARTS["II"]) == 9
    assert (
        PARTS["II"][0].startswith("Trong tháng, còn một số đơn vị")
        and "chưa tham mưu 01 nội dung" in PARTS["II"][0]
    )
    assert PARTS["II"][1] == "(Có Biểu tổng hợp tháng 6/2020 kèm theo báo cáo)"
    assert PARTS["II"][2].startswith("2. Lĩnh vực kinh tế: ")


def body_after(june, heading: str) -> list[Paragraph]:
    body = list(june.document.body)
    start = next(i for i, item in enumerate(body) if isinstance(item, Heading) and item.text == heading)
    return [item for item in body[start + 1 : start + 3] if isinstance(item, Paragraph)]


def test_part_ii_1_is_the_seeds_review_computed_from_the_tasks(june):
    review, note = body_after(june, "1. Rà soát tiến độ thực hiện nhiệm vụ các đơn vị tháng 6/2020")
    assert normalise(review.text) == PARTS["II"][0]
    assert normalise(note.text) == PARTS["II"][1] and all(run.italic for run in note.runs)


@pytest.mark.parametrize("sentence", FIGURE_SENTENCES)
def test_every_sentence_with_a_figure_is_reproduced(text, sentence):
    assert sentence in text


@pytest.mark.parametrize("sentence", OTHER_SENTENCES)
def test_the_rest_of_the_narrative_is_present(text, sentence):
    assert sentence in text


def test_outline_header_and_footer(june):
    document = june.document
    headings = [item.text for item in document.body if isinstance(item, Heading)]
    assert headings[:4] == [
        "I. NHỮNG KẾT QUẢ ĐẠT ĐƯỢC",
        "1. Kinh tế",
        "2. Quản lý đô thị và đầu tư xây dựng cơ bản",
        "2.1. Quản lý đô thị",
    ]
    assert "III. NHIỆM VỤ TRỌNG TÂM CÔNG TÁC THÁNG 7/2020" in headings
    assert document.summary == (
        "Tình hình phát triển kinh tế - xã hội, quốc phòng - an ninh",
        "tháng 6/2020, nhiệm vụ công tác tháng 7/2020",
    )
    assert document.issuer == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ LẠNG SƠN")
    assert re.fullmatch(r"Số: +/BC-UBND", document.number_line)  # a draft has no number yet
    assert re.fullmatch(r"TP\. Lạng Sơn, ngày +tháng 6 năm 2020", document.place_date)
    assert document.body[-1].text.endswith("vi phạm TTATGT./.")
    assert document.recipients[0] == "UBND tỉnh;" and document.recipients[-1] == "Lưu: VT."
    assert (document.authority, document.signer_titles, document.signer_name) == (
        "TM. ỦY BAN NHÂN DÂN",
        ("CHỦ TỊCH",),
        "Lê Trí Thức",
    )


def test_inline_headings_and_formatting(june):
    paragraphs = [item for item in june.document.body if isinstance(item, Paragraph)]
    economy = next(p for p in paragraphs if "Lượng khách du lịch" in p.text)
    assert economy.runs[0].bold and economy.runs[0].text == "2. Lĩnh vực kinh tế:"  # as in the seed
    crime = next(p for p in paragraphs if "Phạm pháp hình sự" in p.text)
    assert any(run.bold and run.text == "07" for run in crime.runs)
    assert any(run.italic and run.text == "tăng 03 vụ so với tháng trước" for run in crime.runs)
    land = next(p for p in paragraphs if "Giấy chứng nhận" in p.text)
    assert any(run.superscript and run.text == "2" for run in land.runs)


# The demo's tasks reviewed for June 2020 (15/5–14/6): per unit, tasks open at some time in the window,
# statuses at the cut-off 14/6 — on time, late, open within the deadline, open and overdue.
TASK_ANNEX = [
    ("1", "Phòng Kinh tế", "3", "2", "1", "0", "0"),
    ("2", "Phòng Tài chính - Kế hoạch", "3", "2", "0", "1", "0"),
    ("3", "Phòng Quản lý đô thị", "2", "2", "0", "0", "0"),
    ("4", "Phòng Tài nguyên và Môi trường", "6", "3", "3", "0", "0"),
    ("5", "Phòng Văn hóa và Thông tin", "1", "1", "0", "0", "0"),
    ("6", "Phòng Lao động - Thương binh và Xã hội", "1", "1", "0", "0", "0"),
    ("7", "Phòng Nội vụ", "1", "1", "0", "0", "0"),
    ("8", "Phòng Tư pháp", "1", "1", "0", "0", "0"),
    ("9", "Trung tâm Phát triển quỹ đất", "3", "2", "1", "0", "0"),
    ("10", "Trung tâm Văn hóa - Thể thao", "2", "1", "0", "0", "1"),
    ("", "Tổng cộng", "23", "16", "5", "1", "1"),
]


def test_annex_of_tasks(june):
    annex = june.document.annexes[0]
    assert (annex.label, annex.title) == (
        "Phụ lục I",
        "BIỂU TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THÁNG 6/2020",
    )
    (table,) = annex.items
    assert table.columns[2:] == (
        "Tổng số nhiệm vụ",
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Chưa hoàn thành, trong hạn",
        "Chưa hoàn thành, quá hạn",
    )
    assert list(table.rows) == TASK_ANNEX
    # Cross-check with the demo file: every task except the one completed before the window (11/5).
    demo = yaml.safe_load((DATA_DIR / "tasks-202006.yaml").read_text(encoding="utf-8"))["tasks"]
    in_window = [t for t in demo if str(t.get("completed", "9999")) >= "2020-05-15"]
    assert len(in_window) == 23


def test_annex_of_key_figures(june):
    annex = june.document.annexes[1]
    assert annex.label == "Phụ lục II"
    assert annex.title == "BIỂU TỔNG HỢP SỐ LIỆU CHỦ YẾU THÁNG 6/2020"
    assert re.fullmatch(
        r"\(Kèm theo Báo cáo số +/BC-UBND ngày +tháng 6 năm 2020 của UBND thành phố Lạng Sơn\)",
        annex.attached_to,
    )
    (table,) = annex.items
    assert table.columns[3:6] == ("Tháng 6/2020", "Tháng 5/2020", "Tháng 6/2019")
    budget = next(row for row in table.rows if row[1] == "Thu ngân sách nhà nước trên địa bàn")
    assert budget[3:] == ("9.050", "34.700", "11.441", "79,1%")
    assert {3, 4, 5, 6} <= table.numeric


def test_figures_used_are_recorded(june):
    assert june.figures["THU_NSNN|actual"]["value"] == "9.050"
    assert june.figures["THU_NSNN|estimate"]["targets"]["DT_THANG"] == "40.000"
    assert june.figures["ky_sau:XDCB_KHOI_CONG|actual"]["targets"]["KH_THANG_TOI"] == "5"


# --------------------------------------------------------------------- figures come from stored data


def build():
    report_type = ReportType.objects.get(code="KTXH_THANG")
    document = build_document(report_type, report_type.org_unit, JUNE).document
    return normalise(document.plain_text())


def test_changing_stored_values_changes_the_text(demo):
    before = build()
    assert "Phạm pháp hình sự xảy ra 07 vụ" in before and "(tăng 03 vụ so với tháng trước)" in before
    import_values_csv(
        "indicator,org_unit,period,kind,value\n"
        "HS_VU,TPLS_CA,202005,actual,9\n"
        "THU_NSNN,TPLS_CCT,202006,actual,10.000\n"
        "XDCB_GIAI_NGAN,TPLS_BQLDA,202006,estimate,34.164\n"
    )
    after = build()
    assert "Phạm pháp hình sự xảy ra 07 vụ" in after
    assert "(giảm 02 vụ so với tháng trước)" in after
    # 10.000 / 40.000 of the month's estimate; the year to date and last year's ratio move too.
    assert "số thu trong tháng được 10.000 triệu đồng đạt 25,0% dự toán tháng" in after
    assert "đạt 87,4% so với cùng kỳ" in after  # 10.000 / 11.441
    assert "Ước giá trị giải ngân, thanh toán đạt 34.164 triệu đồng, bằng 30% kế hoạch vốn" in after
    assert "bằng 124% khối lượng thực hiện" in after
    assert before != after


def test_the_review_follows_the_tasks(demo):
    """Part II.1 is computed: the undelivered task reported late, then returned by the office."""
    office = User.objects.get(username="vanphong")
    staff = User.objects.get(username="ttvhtt.canbo")
    task = Task.objects.get(code="NV2020-023")
    done = tasks.report_completion(staff, task, completed_on=datetime.date(2020, 6, 12))
    text = build()
    assert "Trung tâm Văn hóa - Thể thao: 01 nội dung đã hoàn thành nhưng chậm tiến độ" in text
    assert "chưa tham mưu" not in text
    tasks.return_completion(office, done, reason="Kế hoạch chưa được Lãnh đạo UBND thông qua")
    assert "Trung tâm Văn hóa - Thể thao: chưa tham mưu 01 nội dung;" in build()


def test_a_new_unit_contribution_and_zero_padding_option(demo):
    report_type = ReportType.objects.get(code="KTXH_THANG")
    report_type.pad_counts = False
    report_type.save()
    assert "Phạm pháp hình sự xảy ra 7 vụ" in build()
    DataValue.objects.filter(indicator__code="HS_VU", period="202006").update(value=Decimal(12))
    assert "Phạm pháp hình sự xảy ra 12 vụ" in build()


def test_the_demo_has_a_draft_ready(demo):
    run = ReportRun.objects.get()
    assert (run.report_type.code, run.org_unit.code, run.period, run.status) == (
        "KTXH_THANG",
        "TPLS",
        "202006",
        "draft",
    )

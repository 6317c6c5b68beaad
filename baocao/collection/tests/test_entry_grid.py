"""The entry grid's server side (issue 17, point 1): the forms list says "Đang nhập" for a form holding
values; the entry page's banner names the state and the next step for the reader's role; the head's
"Gửi" asks for confirmation listing the open warnings; the change columns; a pasted block is checked
(dry run) and saved all-or-nothing through the one write path."""

import re
from decimal import Decimal

from django.contrib.auth.models import User
from django.urls import reverse

from baocao.collection.entry import change_text, form_fields
from baocao.collection.models import DataValue
from baocao.collection.workflow import transition
from baocao.reports.models import Contribution, SectionAssignment
from baocao.testing.factories import demo_submission, logged_in

FORM_ARGS = ["BM_TPLS_CA", "TPLS_CA", "202006"]


def user(name: str) -> User:
    return User.objects.get(username=name)


def by_code(submission):
    return {f.indicator.code: f for _, group in form_fields(submission) for f in group}


def text(html: str) -> str:
    """The visible words of a page, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row_of(page: str, unit_name: str) -> str:
    body = page[page.index("<tbody>") :]
    return next(r for r in body.split("<tr") if unit_name in r)


def test_forms_list_says_dang_nhap_when_the_form_holds_values(client, demo):
    """The demo holds the police's June figures without a submission: the list said "Chưa nhập"."""
    client = logged_in(client, "ca.canbo")
    june = client.get(reverse("collection:my_forms") + "?period=202006").content.decode()
    assert "Đang nhập" in text(row_of(june, "Công an thành phố"))
    assert "Chưa nhập" not in text(row_of(june, "Công an thành phố"))
    july = client.get(reverse("collection:my_forms") + "?period=202007").content.decode()
    assert "Chưa nhập" in text(row_of(july, "Công an thành phố"))


def test_clerk_sees_the_form_waits_for_the_head(client, police):
    page = text(
        logged_in(client, "ca.canbo").get(reverse("collection:entry", args=FORM_ARGS)).content.decode()
    )
    assert "Đang nhập — chờ trưởng đơn vị gửi" in page
    assert "Gửi số liệu" not in page  # the clerk has no submit button


def test_head_sees_submit_with_a_confirmation_listing_open_warnings(client, police):
    # A value that jumps from the previous month asks for a comment: an open warning of the form.
    f = by_code(police)["MT_VU"]
    logged_in(client, "ca.truong").post(reverse("collection:autosave", args=FORM_ARGS), {f.key: "500"})
    page = client.get(reverse("collection:entry", args=FORM_ARGS)).content.decode()
    assert "bấm “Gửi số liệu” để gửi văn phòng" in text(page)
    dialog = page[page.index('<dialog id="confirm-submit"') : page.index("</dialog>")]
    assert "cảnh báo kiểm tra số liệu chưa xử lý" in dialog
    assert "Vụ việc về ma túy" in text(dialog) or f.indicator.name in text(dialog)
    assert 'value="submit"' in dialog  # the confirmation's button submits the form
    assert 'data-confirm="confirm-submit"' in page  # the page's "Gửi" opens it


def test_head_is_told_which_narrative_sections_are_still_empty_before_sending(client, police):
    """The police write their part of the monthly report: while a section assigned to them is empty, the
    head's confirmation names it and links to the narrative page; once written, it is not listed."""

    assignment = SectionAssignment.objects.filter(org_unit__code="TPLS_CA").first()
    assert assignment is not None, "the demo assigns the police a section"
    Contribution.objects.filter(
        report_type=assignment.report_type, org_unit__code="TPLS_CA", period="202006"
    ).delete()
    section = assignment.report_type.sections.get(key=assignment.section_key)

    def dialog() -> str:
        page = (
            logged_in(client, "ca.truong").get(reverse("collection:entry", args=FORM_ARGS)).content.decode()
        )
        return text(page[page.index('<dialog id="confirm-submit"') : page.index("</dialog>")])

    assert section.title in dialog() and "Viết nội dung báo cáo" in dialog()
    Contribution.objects.create(
        report_type=assignment.report_type,
        section_key=assignment.section_key,
        org_unit=police.org_unit,
        period="202006",
        text="Tình hình an ninh ổn định.",
    )
    assert section.title not in dialog()


def test_returned_form_banner_gives_the_reason_and_sent_form_waits_for_the_office(client, police):
    transition(police, "submit", user("ca.truong"))
    clerk = logged_in(client, "ca.canbo")
    page = text(clerk.get(reverse("collection:entry", args=FORM_ARGS)).content.decode())
    assert "Đã gửi — chờ văn phòng tiếp nhận" in page
    transition(police, "return", user("vanphong"), reason="Số vụ tai nạn chưa khớp sổ")
    page = clerk.get(reverse("collection:entry", args=FORM_ARGS)).content.decode()
    banner = text(page[page.index('id="next-step"') : page.index("</div>", page.index('id="next-step"'))])
    assert "Bị trả lại" in banner and "lý do: Số vụ tai nạn chưa khớp sổ" in banner
    assert 'role="alert"' in page[page.index('<div class="next-step') : page.index('id="next-step"') + 60]


def test_change_columns_against_previous_period_and_last_year(client, police):
    assert change_text(Decimal(125), Decimal(100)) == "+25,0%"
    assert change_text(Decimal(90), Decimal(100)) == "−10,0%"
    assert change_text(Decimal(5), Decimal(0)) == "–" and change_text(None, Decimal(3)) == "–"
    f = by_code(police)["HS_VU"]
    page = logged_in(client, "ca.canbo").get(reverse("collection:entry", args=FORM_ARGS)).content.decode()
    cell = re.search(rf'id="{f.key}-prev">([^<]*)<', page)
    assert cell is not None
    assert cell.group(1) == change_text(f.stored.value, f.previous) != "–"


def test_pasted_block_is_checked_then_saved_all_or_nothing(client, police):
    fields = list(by_code(police).values())[1:4]
    client = logged_in(client, "ca.canbo")
    url = reverse("collection:autosave", args=FORM_ARGS)
    before = {f.key: f.text for f in fields}
    block = {fields[0].key: "1.234", fields[1].key: "một", fields[2].key: "12"}
    # A bad cell in the block: each error on its cell, nothing written.
    response = client.post(url, {**block, "dry_run": "1"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [fields[1].key]
    response = client.post(url, block)
    assert response.status_code == 400 and "không ô nào được ghi" in response.json()["error"]
    assert {f.key: f.text for f in by_code(police).values() if f.key in before} == before
    # Corrected, a dry run writes nothing; the real save writes the whole block and reads it back.
    block[fields[1].key] = "7"
    assert client.post(url, {**block, "dry_run": "1"}).json() == {"checked": 3, "saved": 0}
    assert {f.key: f.text for f in by_code(police).values() if f.key in before} == before
    result = client.post(url, block).json()
    assert result["saved"] == 3
    assert [result["fields"][f.key]["text"] for f in fields] == ["1.234", "7", "12"]
    stored = DataValue.objects.get(indicator=fields[0].indicator, org_unit__code="TPLS_CA", period="202006")
    assert stored.value == 1234


def test_a_read_only_grid_is_still_reachable_from_the_keyboard(client, police):
    """The office reads the grid: its scrolling box takes the focus (nothing else in it can)."""
    transition(police, "submit", user("ca.truong"))
    page = logged_in(client, "vanphong").get(reverse("collection:entry", args=FORM_ARGS)).content.decode()
    assert 'class="grid-scroll" tabindex="0" role="region"' in page
    assert "Đã gửi — bạn xem rồi bấm “Tiếp nhận” hoặc “Trả lại”" in text(page)
    assert demo_submission(*FORM_ARGS).status == "submitted"

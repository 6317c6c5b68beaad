"""The clerk's narrative editor (issue 14, points 1-3): what the editor posts becomes a block source with
only the allowed marks and the chips' template tags; a stored source shows back as text with chips; the
page's helpers (empty sections, preview, chips) read as the report prints."""

import re
import unicodedata
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from baocao.collection.narrative_views import RECOGNISE_LIMIT, _about_next_period
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit
from baocao.reports.building import build_document
from baocao.reports.markup import Chip, from_editor, parse_runs, to_editor
from baocao.reports.models import Contribution, ReportSection, ReportType
from baocao.reports.narrative import (
    empty_sections,
    render_context,
    save_narrative,
    section_preview,
    show_chip,
)
from baocao.testing.factories import logged_in

JUNE = Period.parse("202006")
CHIP = (
    '<span class="bc-figure" data-src="{{ f.HS_VU.value|dem }}" contenteditable="false">'
    "\ufeff<span>07</span>\ufeff</span>"
)


def test_marks_and_chips_survive_everything_else_is_text():
    html = (
        f"<p>Phạm pháp hình sự xảy ra <strong>{CHIP}</strong> vụ</p><p><br></p>"
        '<p><em>nghiêng</em> và 28.000.000<sup>đ</sup> <a href="javascript:x" onclick="y">liên kết</a></p>'
        "<script>alert('x')</script><style>p{color:red}</style><img src=x onerror=alert(1)>"
    )
    source = from_editor(html)
    assert source == (
        "Phạm pháp hình sự xảy ra <b>{{ f.HS_VU.value|dem }}</b> vụ\n\n"
        "<i>nghiêng</i> và 28.000.000<sup>đ</sup> liên kết"
    )
    parse_runs(source.split("\n\n")[1])  # only marks the report accepts


def test_template_syntax_typed_or_pasted_by_a_clerk_stays_text():
    source = from_editor("<p>Ghi chú {{ f.HS_VU.value }} và {% if true %}x{% endif %}</p>")
    assert "{{" not in source and "{%" not in source
    assert source.startswith("Ghi chú &#123;&#123; f.HS_VU.value }}")


def test_a_chip_carries_one_tag_only():
    # a forged chip with two tags keeps its text, never its source
    assert from_editor('<p><span data-src="{{ a }}{{ b }}">07</span> vụ</p>') == "07 vụ"


def test_word_paste_keeps_bold_italic_superscript_and_paragraphs():
    word = (
        "<html><head><style>.MsoNormal{}</style></head><body><!--[if gte mso 9]><xml></xml><![endif]-->"
        '<p class=MsoNormal style="text-align:justify"><b><span style="font-size:14pt">Bắt 15 vụ</span></b>'
        "<span lang=VI> 21 <i>đối tượng</i></span><o:p></o:p></p>"
        "<p class=MsoNormal>m<sup>2</sup> <u>gạch</u> <font color=red>đỏ</font></p></body></html>"
    )
    assert from_editor(word) == "<b>Bắt 15 vụ</b> 21 <i>đối tượng</i>\n\nm<sup>2</sup> gạch đỏ"


def test_nfd_text_is_stored_nfc():
    nfd = unicodedata.normalize("NFD", "<p>Phạm pháp hình sự</p>")
    assert from_editor(nfd) == unicodedata.normalize("NFC", "Phạm pháp hình sự")


def test_a_very_long_paste_is_kept_whole():
    text = "Nội dung dài " * 16_000  # about 200.000 characters
    assert len(text) > 200_000
    assert from_editor(f"<p>{text}</p>") == text.strip()


def test_stored_source_shows_as_text_with_chips_and_round_trips():
    source = (
        "Xảy ra <b>{{ f.HS_VU.value|dem }}</b> vụ "
        "(<i>{{ f.HS_VU.value|so_sanh(f.HS_VU.previous, 'vụ') }}</i>).\n\nHai"
    )
    html = to_editor(source, lambda src: Chip(src, "07"))
    assert "{{" not in html.replace('data-src="{{', "")  # tags only inside the chips' attributes
    assert html.count('class="bc-figure"') == 2 and html.count("<p>") == 2
    assert from_editor(html) == source


@pytest.mark.django_db
def test_the_police_demo_text_shows_as_chips_reading_the_stored_figures(demo):
    report_type = ReportType.objects.get()
    context = render_context(report_type, JUNE)
    stored = Contribution.objects.get(section_key="qp-an", org_unit__code="TPLS_CA", period="202006").text
    html = to_editor(stored, lambda src: show_chip(src, context))
    chips = html.count('class="bc-figure"')
    assert chips == stored.count("{{") and chips > 10
    assert "data-problem" not in html
    built = build_document(report_type, report_type.org_unit, JUNE)
    report = "\n".join(getattr(item, "text", "") for item in built.document.body)
    for chip in show_chips(html):
        assert chip in report


def show_chips(html):
    return re.findall(r'data-text="([^"]*)"', html)


@pytest.mark.django_db
def test_empty_sections_lists_the_units_unwritten_sections(demo):
    report_type = ReportType.objects.get()
    police = OrgUnit.objects.get(code="TPLS_CA")
    assert empty_sections(report_type, police, JUNE) == []
    section = ReportSection.objects.get(key="qp-an")
    save_narrative(police, JUNE, {section: ""}, User.objects.get(username="ca.canbo"))
    assert [s.key for s in empty_sections(report_type, police, JUNE)] == ["qp-an"]


@pytest.mark.django_db
def test_the_preview_puts_the_draft_among_the_other_units_text(demo):
    report_type = ReportType.objects.get()
    section = ReportSection.objects.get(key="nv-ttr-tp")
    inspectorate = OrgUnit.objects.get(code="TPLS_TTR")
    context = render_context(report_type, JUNE)
    parts = section_preview(section, inspectorate, JUNE, context, draft="Thanh tra <b>mới</b>.")
    assert [p.unit.code for p in parts] == ["TPLS_PNV", "TPLS_TTR", "TPLS_PTP"]
    assert [p.own for p in parts] == [False, True, False]
    assert parts[1].paragraphs[0].text == "Thanh tra mới."
    assert "{{" not in parts[0].paragraphs[0].text


# ------------------------------------------------------------------ the page and its endpoint


class _VisibleText(HTMLParser):
    """The text a reader sees: no attributes, no script/style content."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return " ".join(parser.parts)


def page_url():
    return reverse("collection:contributions", args=["TPLS_CA", "202006"])


def recognise_url():
    return reverse("collection:narrative_recognise", args=["TPLS_CA", "202006"])


@pytest.mark.django_db
def test_the_police_clerk_never_sees_template_code_only_its_chips(client, police):
    page = logged_in(client, "ca.canbo").get(page_url()).content.decode()
    text = visible(page)
    assert "{{" not in text and "f.HS_VU" not in text and "|dem" not in text
    assert 'class="bc-figure"' in page
    assert "Phạm pháp hình sự xảy ra" in text  # the stored text, and its preview
    for other in ("Kinh tế", "Quản lý đô thị", "Văn hoá - xã hội"):
        assert f"› {other}<" not in page


@pytest.mark.django_db
def test_typing_a_wrong_count_is_a_mismatch_offering_the_stored_figure(client, police):
    section = ReportSection.objects.get(key="qp-an")
    body = {"section": section.pk, "text": "Bắt 25 đối tượng mua bán trái phép chất ma túy.", "html": ""}
    response = logged_in(client, "ca.canbo").post(recognise_url(), body, content_type="application/json")
    assert response.status_code == 200
    (mention,) = [m for m in response.json()["mentions"] if m["text"] == "25"]
    assert mention["status"] == "mismatch" and mention["src"] == "{{ f.MT_DOI_TUONG.value|dem }}"
    figure = show_chip(mention["src"], render_context(ReportType.objects.get(), JUNE))
    assert mention["stored"] == figure.text != "25"
    assert mention["history"].startswith("/so-lieu/lich-su/MT_DOI_TUONG/TPLS_CA/202006/")


@pytest.mark.django_db
def test_the_endpoint_previews_the_draft_and_answers_bad_input_in_vietnamese(client, police):
    section = ReportSection.objects.get(key="qp-an")
    clerk = logged_in(client, "ca.canbo")
    pasted = "<p>Trang <script>alert(1)</script><b>đậm</b> " + "chữ " * 50_000 + "</p>"
    body = {"section": section.pk, "text": "Trang đậm " + "chữ " * 50_000, "html": pasted}
    response = clerk.post(recognise_url(), body, content_type="application/json")
    assert response.status_code == 200
    preview = response.json()["preview"]
    assert "<b>đậm</b>" in preview and "<script" not in preview and "alert" not in preview
    assert "chữ " * 1000 in preview  # the whole draft, though only its start is recognised
    assert response.json()["limit"] == RECOGNISE_LIMIT < len(body["text"])
    bad = clerk.post(recognise_url(), "{", content_type="application/json")
    assert bad.status_code == 400 and "JSON" in bad.json()["errors"][0]["message"]
    economy = ReportSection.objects.get(key="kinh-te")
    other = clerk.post(recognise_url(), {**body, "section": economy.pk}, content_type="application/json")
    assert (
        other.status_code == 404
        and "không giao cho Công an thành phố" in other.json()["errors"][0]["message"]
    )


@pytest.mark.django_db
def test_a_pasted_web_page_is_saved_as_sanitised_text(client, police):
    section = ReportSection.objects.get(key="qp-an")
    pasted = (
        '<div><h1 onclick="x()">Tin</h1><script>document.cookie</script>'
        '<p style="color:red">Bắt <b>15</b> vụ <iframe src="//x"></iframe></p></div>'
    )
    page = logged_in(client, "ca.canbo").post(page_url(), {f"s{section.pk}": pasted}, follow=True)
    assert page.status_code == 200
    stored = Contribution.objects.get(section_key="qp-an", org_unit__code="TPLS_CA", period="202006").text
    assert stored == "Tin\n\nBắt <b>15</b> vụ"


@pytest.mark.django_db
def test_numbers_in_next_period_sections_are_read_as_plans(demo):
    """Part III ("Nhiệm vụ trọng tâm công tác {{ ky_sau }}") is about next month: the editor asks the
    recogniser to match its numbers with next period's plans; part I's are this period's figures."""
    assert _about_next_period(ReportSection.objects.get(key="nv-qp-an"))
    assert not _about_next_period(ReportSection.objects.get(key="qp-an"))


@pytest.mark.django_db
def test_a_form_post_to_the_recognition_endpoint_is_refused_in_vietnamese(client, police):
    """The page posts JSON; a form post (the hostile-input suite's) was a 500 (its body already read)."""
    response = logged_in(client, "ca.canbo").post(recognise_url(), {"section": "1", "text": "07 vụ"})
    assert response.status_code == 415
    assert "phải là JSON" in response.json()["errors"][0]["message"]

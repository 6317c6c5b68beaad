"""The clerk's narrative editor in the browser (issue 14's first two "Done when" points): the police clerk
sees only the police's sections, types the seed report's police paragraph as plain text, sees every
number bound to the stored figures, meets a mismatch with the stored figure offered and accepts it, saves;
the report built from the June 2020 run then reads as the seed, and follows a later change of the value.
No CSP violation on the way (Quill and the page's script are static files)."""

import re
from decimal import Decimal

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from baocao.collection.values import write_value
from baocao.core.periods import Period
from baocao.demo.loader import load_demo
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit
from baocao.reports.markup import parse_runs
from baocao.reports.models import Contribution, ReportSection, ReportType, SectionAssignment
from baocao.reports.narrative import render_context, show_chip
from baocao.reports.runs import get_or_create_run, run_document
from baocao.testing import SEED_REPORT
from tests.e2e.test_axe_e2e import serious_violations

SEED = SEED_REPORT
PAGE = "/so-lieu/noi-dung/TPLS_CA/202006/"
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


def seed_paragraph() -> str:
    """The seed's police paragraph (part I, "Quốc phòng - an ninh - Đối ngoại") as plain text: its bold
    and italic marks are formatting, not words; its superscript is kept as the letter it is."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "Quốc phòng - an ninh - Đối ngoại" in line)
    paragraph = next(line for line in lines[start + 1 :] if line.strip())
    paragraph = re.sub(r"</?sup>", "", paragraph)
    return paragraph.replace("**", "").replace("*", "").strip()


def report_text() -> str:
    report_type = ReportType.objects.get(code="KTXH_THANG")
    run = get_or_create_run(report_type, report_type.org_unit, "202006")
    built = run_document(run)
    return "\n".join(getattr(item, "text", "") for item in built.document.body)


def figures_in(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)*", text)


def test_police_clerk_writes_the_seed_paragraph_as_plain_text(
    transactional_db, page: Page, live_server, login
):
    load_demo(ward=False)
    paragraph = seed_paragraph()
    stored_arrests = show_chip(
        "{{ f.MT_DOI_TUONG.value|dem }}", render_context(ReportType.objects.get(), Period.parse("202006"))
    )
    assert f"{stored_arrests.text} đối tượng mua bán" in paragraph  # the seed agrees with the demo's data
    typed = paragraph.replace(f"{stored_arrests.text} đối tượng mua bán", "25 đối tượng mua bán", 1)
    assert typed != paragraph

    page.add_init_script(WATCH_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    login("ca.canbo")
    page.goto(f"{live_server.url}{PAGE}")

    # Only the police's sections, and its stored text (template code in the demo) shows as chips.
    police = OrgUnit.objects.get(code="TPLS_CA")
    own = set(SectionAssignment.objects.filter(org_unit=police).values_list("section_key", flat=True))
    titles = {s.title for s in ReportSection.objects.filter(key__in=own)}
    headings = page.locator(".bc-section h2").all_inner_texts()
    assert headings and {h.split(" › ", 1)[1] for h in headings} == titles
    others = ReportSection.objects.exclude(key__in=own).filter(blocks__kind="contributions")
    for other in others:
        assert f" › {other.title}" not in page.content()
    section = ReportSection.objects.get(key="qp-an")
    editor = page.locator(f"#ed{section.pk} .ql-editor")
    expect(editor.locator(".bc-figure").first).to_be_visible()
    assert "{{" not in editor.inner_text() and "f.HS_VU" not in editor.inner_text()

    # Type the paragraph as plain text, one key at a time.
    editor.focus()  # (a click in the middle could land on a chip, which opens its popover)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(typed)

    numbers = figures_in(paragraph)
    chips = editor.locator(".bc-figure")
    expect(chips).to_have_count(len(numbers) - 1, timeout=20_000)  # every number but the wrong one
    mismatch = editor.locator('mark.bc-mark[data-status="mismatch"]')
    expect(mismatch).to_have_count(1, timeout=20_000)
    expect(mismatch).to_have_text("25")
    expect(editor.locator('mark.bc-mark[data-status="unknown"]')).to_have_count(0)

    mismatch.click()
    popover = page.locator("#bc-pop")
    expect(popover).to_be_visible(timeout=20_000)
    expect(popover).to_contain_text(f"số liệu đã lưu của “{Indicator.objects.get(code='MT_DOI_TUONG').name}”")
    popover.get_by_role("button", name=f"Thay bằng {stored_arrests.text}").click()
    # The replacement waits for a round of recognition (slow on a loaded machine, as in the full suite).
    expect(chips).to_have_count(len(numbers), timeout=20_000)
    expect(editor.locator("mark.bc-mark")).to_have_count(0, timeout=20_000)
    numbers_box = page.locator(f'.bc-section[data-section="{section.pk}"] .bc-numbers')
    expect(numbers_box).to_contain_text(
        f"Số đã gắn với số liệu: {len(numbers)}; chưa khớp: 0; chưa nhận ra: 0.", timeout=20_000
    )
    numbers_box.get_by_text(f"Các số đã gắn ({len(numbers)})").click()  # the chips from the keyboard too
    expect(numbers_box.get_by_role("button")).to_have_count(len(numbers))
    shown = editor.inner_text().replace("\ufeff", "").strip()  # Quill's guards around each chip
    assert shown == paragraph
    preview = page.locator(f'.bc-section[data-section="{section.pk}"] .bc-preview-body')
    expect(preview).to_contain_text(paragraph, timeout=20_000)

    page.get_by_role("button", name="Lưu nội dung").click()
    expect(page.get_by_text("Đã lưu nội dung 1 mục.")).to_be_visible(timeout=20_000)
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [] and not [m for m in console if "Content Security Policy" in m], violations

    # Stored as data fields, no typed figure left; the report reads as the seed.
    stored = Contribution.objects.get(section_key="qp-an", org_unit=police, period="202006").text
    assert "{{ f.MT_DOI_TUONG.value|dem }}" in stored
    plain = "".join(run.text for run in parse_runs(re.sub(r"\{\{.*?\}\}", "", stored)))
    assert figures_in(plain) == []
    assert paragraph in report_text()

    # The data changes afterwards: the report follows it.
    clerk = User.objects.get(username="ca.canbo")
    changed = int(stored_arrests.text) + 1
    write_value(
        clerk,
        indicator=Indicator.objects.get(code="MT_DOI_TUONG"),
        org_unit=police,
        period="202006",
        value=Decimal(changed),
    )
    after = report_text()
    assert paragraph not in after
    assert (
        paragraph.replace(f"{stored_arrests.text} đối tượng mua bán", f"{changed} đối tượng mua bán") in after
    )


WORD_PASTE = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>.MsoNormal{margin:0}</style></head>'
    "<body><!--StartFragment-->"
    '<p class="MsoNormal" style="text-align:justify"><b><span style="font-size:14pt">Tuyên truyền</span></b>'
    ' <i>pháp luật</i> tại m<sup>2</sup> <u>gạch</u> <span style="color:red">đỏ</span>'
    '<img src="x" onerror="window.__pwned=1"><o:p></o:p></p><script>window.__pwned=1</script>'
    "<!--EndFragment--></body></html>"
)
PASTE = """([selector, html]) => {
  const data = new DataTransfer();
  data.setData("text/html", html);
  data.setData("text/plain", "Tuyên truyền pháp luật");
  document.querySelector(selector).dispatchEvent(
    new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def test_unknown_number_picker_insert_and_word_paste(transactional_db, page: Page, live_server, login):
    """An unplaced number is bound through the accent-insensitive picker; "Chèn số liệu" puts a figure in
    without typing; a paste from Word keeps bold, italic and superscript only."""
    load_demo(ward=False)
    page.add_init_script(WATCH_VIOLATIONS)
    login("ca.canbo")
    page.goto(f"{live_server.url}{PAGE}")
    section = ReportSection.objects.get(key="qp-an")
    editor = page.locator(f"#ed{section.pk} .ql-editor")
    context = render_context(ReportType.objects.get(), Period.parse("202006"))
    patrols = show_chip("{{ f.TT_DEM_TO.value|dem }}", context).text
    places = show_chip("{{ f.PLC_DIA_DIEM.value|dem }}", context).text

    editor.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("Tổ chức 3 buổi tuyên truyền.")
    unknown = editor.locator('mark.bc-mark[data-status="unknown"]')
    expect(unknown).to_have_text("3", timeout=20_000)
    assert serious_violations(page) == []  # axe-core: the editor, its marks and the preview
    unknown.click()
    popover = page.locator("#bc-pop")
    popover.get_by_role("button", name="Gắn với chỉ tiêu…").click()
    page.get_by_label("Tìm chỉ tiêu (gõ không dấu cũng được)").fill("to tuan tra ban dem")
    popover.get_by_role("button", name=re.compile("Số tổ tuần tra ban đêm")).click()
    expect(editor.locator(".bc-figure")).to_have_count(1)
    expect(editor.locator(".bc-figure")).to_have_text(patrols)
    expect(editor.locator("mark.bc-mark")).to_have_count(0)

    page.keyboard.press("End")
    page.keyboard.type(" Điểm tập luyện: ")
    page.get_by_role("button", name="Chèn số liệu").click()
    page.get_by_label("Tìm chỉ tiêu (gõ không dấu cũng được)").fill("phap luan cong")
    page.keyboard.press("Enter")
    expect(editor.locator(".bc-figure")).to_have_count(2)
    expect(editor.locator(".bc-figure").nth(1)).to_have_text(places)

    # A bound number the clerk prefers as text: "Bỏ gắn" turns the chip into text, not bound again.
    cases = show_chip("{{ f.MT_VU.value|dem }}", context).text
    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(f" Bắt {cases} vụ mua bán trái phép chất ma túy.")
    expect(editor.locator(".bc-figure")).to_have_count(3, timeout=20_000)
    editor.locator(".bc-figure").nth(2).click()
    popover.get_by_role("button", name="Bỏ gắn (thành chữ thường)").click()
    expect(editor.locator(".bc-figure")).to_have_count(2)
    page.wait_for_timeout(2_000)  # a round of recognition (600 ms after the change) has come back
    expect(editor.locator(".bc-figure")).to_have_count(2)

    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.evaluate(PASTE, [f"#ed{section.pk} .ql-editor", WORD_PASTE])
    expect(editor).to_contain_text("Tuyên truyền pháp luật tại m2 gạch đỏ")
    page.get_by_role("button", name="Lưu nội dung").click()
    expect(page.get_by_text("Đã lưu nội dung 1 mục.")).to_be_visible()
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__cspViolations || []") == []

    stored = Contribution.objects.get(section_key="qp-an", org_unit__code="TPLS_CA", period="202006").text
    assert stored == (
        "Tổ chức {{ f.TT_DEM_TO.value|dem }} buổi tuyên truyền. "
        "Điểm tập luyện: {{ f.PLC_DIA_DIEM.value|dem }} "
        f"Bắt {cases} vụ mua bán trái phép chất ma túy."
        "\n\n<b>Tuyên truyền</b> <i>pháp luật</i> tại m<sup>2</sup> gạch đỏ"
    )

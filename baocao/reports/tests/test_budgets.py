"""Bounded templates (issue 12, item 1): every template — office blocks, units' narrative, uploaded Word
frames, YAML report types — runs with limits on size, loops, output, nesting and time, and a block that
fails never breaks the whole report.

The findings reproduced, with their payloads: a nested-range narrative passed the save (the trial render set
every figure to 1) and then hung every render; ``{{ 9**(9**7) > 1 }}`` cost 4 s of CPU at save time
(constant folding while compiling); ``{{ 'a'*10**8 }}`` 400 MB; a list repeated to 800 MB; a recursive
macro gave a 500 (narrative, Word frame, import_report_types); a narrative naming a figure without data
broke the report page, the Word download and the API for everyone."""

import io
import time

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from baocao.analytics.figures import get_figures
from baocao.core.periods import Period
from baocao.reports.checks import check_block_source
from baocao.reports.docx import DEFAULT_FRAME, validate_frame
from baocao.reports.errors import ReportError, TemplateProblems
from baocao.reports.markup import Chip, to_editor
from baocao.reports.models import Contribution, ReportRun, ReportSection, ReportType, RunStatus
from baocao.reports.rendering import BudgetExceeded, RenderError, render_block, validate_block
from baocao.reports.runs import issue_run, run_document, run_docx, update_run
from baocao.reports.template_files import export_report_types, import_report_types

JUNE = Period.parse("202006")
RECURSIVE_MACRO = "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"
NESTED_LOOPS = (
    "{% if f.HS_VU.value > 1 %}{% for a in range(100000) %}{% for b in range(100000) %}"
    "Tình hình ổn định. {% endfor %}{% endfor %}{% endif %}"
)


@pytest.fixture(autouse=True)
def small_loop_budget(settings):
    """Loops stop after 2.000 steps here (20.000 by default), so a test hitting the budget stays fast."""
    settings.BAOCAO_TEMPLATE_LIMITS = {"max_iterations": 2_000}


def refused(source: str, context: dict | None = None) -> str:
    """The Vietnamese message a render stops with, checked to come well under a second."""
    start = time.monotonic()
    with pytest.raises(BudgetExceeded) as caught:
        render_block(source, context or {})
    assert time.monotonic() - start < 1
    return str(caught.value)


# ------------------------------------------------------------------------------ limits inside the sandbox


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 9**(9**7) > 1 }}", "Dòng 1: phép lũy thừa “**” tạo số quá lớn"),
        ("{{ 'a'*10**8 }}", "Dòng 1: phép tính tạo chuỗi hoặc danh sách dài quá 100.000 phần tử"),
        ("{{ [1]*10**8 }}", "dài quá 100.000 phần tử"),
        ("{{ ([1,2,3]*1000)*100000 }}", "dài quá 100.000 phần tử"),
        (RECURSIVE_MACRO, "Dòng 1: macro gọi lồng nhau quá 30 cấp"),
        ("{% for a in range(100000) %}x{% endfor %}", "range() tạo 100.000 số, nhiều hơn giới hạn 10.000"),
        (
            "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}",
            "vòng lặp chạy quá 2.000 lượt",
        ),
        ("{% for a in range(1500) %}{{ 'x' * 1000 }}{% endfor %}", "nội dung in ra dài quá 1.000.000 ký tự"),
        ("{% for a in range(1500) %}" + "x" * 1000 + "{% endfor %}", "nội dung in ra dài quá"),
        ("{{ '%0100000000d' % 1 }}", "chuỗi định dạng dài quá"),
        ("{{ '{:>100000000}'.format(1) }}", "chuỗi định dạng dài quá"),
        ("{{ '%100000000s'|format('a') }}", "chuỗi định dạng dài quá"),
        ("{{ 'a'.center(10**8) }}", "dài quá 100.000 phần tử"),
        ("{{ (1).to_bytes(10**8, 'big') }}", "dài quá 100.000 phần tử"),
        ("{{ (['a'*100000]*100000)|join }}", "dài quá 100.000 phần tử"),
        ("{{ ('a'*100000)|replace('a', 'aa') }}", "dài quá 100.000 phần tử"),
        ("{{ (('a'*100000)|e).replace('a', 'a'*1000) }}", "dài quá 100.000 phần tử"),  # Markup's method
        # A list within the size limit that would print (or be joined, formatted) to 10.000.000.000 chars.
        ("{{ ['a'*100000]*100000 }}", "giá trị in ra hoặc ghép chuỗi dài quá 100.000 ký tự"),
        ("{{ (['a'*100000]*100000)|string }}", "giá trị in ra hoặc ghép chuỗi dài quá"),
        ("{{ (['a'*100000]*100000)|tojson }}", "giá trị in ra hoặc ghép chuỗi dài quá"),
        ("{{ '%s' % (['a'*100000]*100000) }}", "giá trị in ra hoặc ghép chuỗi dài quá"),
        ("{{ '{}'.format(['a'*100000]*100000) }}", "giá trị in ra hoặc ghép chuỗi dài quá"),
        ("{{ ([['a'*100000]*100000]*3)|join }}", "giá trị in ra hoặc ghép chuỗi dài quá"),
        ("{{ ([[1]*100000]*100000)|sum(start=[]) }}", "dài quá 100.000 phần tử"),
        ("{{ dict(a=['a'*100000]*100000).items() }}", "giá trị in ra hoặc ghép chuỗi dài quá"),
        ("{% block a %}{{ self.a() }}{% endblock %}", "gọi lồng nhau quá 30 cấp"),
        (
            "{% set ns = namespace(x='a'*50000) %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}"
            "{% endfor %}{{ ns.x|length }}",
            "phép tính tạo chuỗi dài quá 100.000 phần tử",
        ),
    ],
)
def test_a_template_over_its_limits_stops_at_once_with_a_vietnamese_error(source, expected):
    assert expected in refused(source)


def test_the_error_names_the_template_line():
    source = "Dòng một.\n{% macro m() %}\n{{ m() }}\n{% endmacro %}\n{{ m() }}"
    assert refused(source).startswith("Dòng 3: macro gọi lồng nhau")
    loops = "Mở đầu.\n\n{% for a in range(10000) %}\n{% for b in range(10000) %}x{% endfor %}{% endfor %}"
    assert refused(loops).startswith("Dòng 4: vòng lặp chạy quá")


def test_a_constant_expression_costs_nothing_when_the_block_is_checked():
    """Jinja folds constants while compiling: ``9**(9**7)`` was computed at save time (4 s of CPU)."""
    start = time.monotonic()
    assert validate_block("{{ 9**(9**7) > 1 }}") == []
    assert validate_block("{{ 'a'|center(100000000) }}") == []
    assert time.monotonic() - start < 0.5


def test_a_render_stops_at_its_time_budget(settings):
    settings.BAOCAO_TEMPLATE_LIMITS = {"seconds": 0.05}
    source = "{% for i in range(10000) %}{% set x = ('ab' * 50000)|replace('a', 'b') %}{% endfor %}"
    assert "mẫu chạy quá 0,05 giây" in refused(source)


def test_the_limits_are_settings(settings):
    source = "{% for i in range(100) %}.{% endfor %}"
    assert render_block(source, {}) == "." * 100
    settings.BAOCAO_TEMPLATE_LIMITS = {"max_iterations": 50}
    assert "vòng lặp chạy quá 50 lượt" in refused(source)


def test_a_misspelt_limit_is_a_configuration_error(settings):
    settings.BAOCAO_TEMPLATE_LIMITS = {"max_iteration": 10}
    with pytest.raises(ImproperlyConfigured, match="max_iteration"):
        render_block("x", {})


def test_ordinary_templates_still_work():
    source = (
        "{% macro dong(x) %}- {{ x }}{% endmacro %}{% for i in range(3) %}{{ dong(i) }} {% endfor %}"
        "{{ 'ab' ~ 'c' }} {{ [1, 2]|join(', ') }} {{ '%.1f'|format(2.25) }} {{ 2**10 }} {{ 'ab' * 2 }}"
        " {{ 'a b'.replace(' ', '-') }} {{ '{}/{}'.format(1, 2) }}"
    )
    assert render_block(source, {}) == "- 0 - 1 - 2 abc 1, 2 2.2 1024 abab a-b 1/2"


@pytest.mark.parametrize(
    "method", ["('a\t'*50000).expandtabs(100000)", "('a'*100000).translate({97: 'b'*1000})"]
)
def test_string_methods_multiplying_text_by_a_hidden_factor_are_refused(method):
    with pytest.raises(RenderError, match="không được phép"):
        render_block("{{ " + method + " }}", {})


def test_recursive_loops_are_refused():
    with pytest.raises(RenderError, match="vòng lặp “recursive”"):
        render_block("{% for x in [1] recursive %}{{ loop([]) }}{% endfor %}", {})


# ------------------------------------------------------------------------------------------ when saved


def police_field() -> str:
    return f"s{ReportSection.objects.get(key='qp-an').pk}"


def police_text() -> str:
    return Contribution.objects.get(section_key="qp-an", org_unit__code="TPLS_CA", period="202006").text


def test_the_nested_loop_narrative_is_refused_when_saved(client, demo):
    """The trial render set every figure to 1, so ``f.HS_VU.value > 1`` was false and the loops never ran
    at save time; the period's real figures (7 cases) take the branch."""
    before = police_text()
    client.force_login(User.objects.get(username="ca.canbo"))
    url = reverse("collection:contributions", args=["TPLS_CA", "202006"])
    start = time.monotonic()
    # the page posts its editor's HTML, where template tags travel only as chips (one tag each): a forged
    # post of chips still meets the check at save time
    posted = to_editor(NESTED_LOOPS, lambda tag: Chip(tag, "…"))
    page = client.post(url, {police_field(): posted}, follow=True).content.decode()
    assert time.monotonic() - start < 5
    assert "range() tạo 100.000 số" in page and "Dòng 1" in page
    assert police_text() == before


def test_a_loop_taken_only_by_real_data_is_refused_for_office_blocks(demo):
    source = (
        "{% if f.HS_VU.value > 1 %}{% for a in range(10000) %}{% for b in range(10000) %}x"
        "{% endfor %}{% endfor %}{% endif %}"
    )
    (problem,) = check_block_source(source)
    assert problem.startswith("Thử với số liệu tháng 6/2020 của ")
    assert "Dòng 1: vòng lặp chạy quá 2.000 lượt" in problem


def test_a_loop_taken_only_when_figures_are_missing_is_refused(demo):
    source = (
        "{% if f.HS_VU.value is not defined %}{% for a in range(10000) %}{% for b in range(10000) %}x"
        "{% endfor %}{% endfor %}{% endif %}"
    )
    (problem,) = check_block_source(source)
    assert problem.startswith("Thử khi chưa có số liệu: Dòng 1: vòng lặp chạy quá")


def test_a_narrative_naming_a_figure_without_data_can_be_saved(demo):
    assert check_block_source("Xảy ra {{ f.HS_VU.value|dem }} vụ.") == []


def with_block(source: str) -> str:
    data = yaml.safe_load(export_report_types(ReportType.objects.all()))
    data["report_types"][0]["sections"][0]["sections"][0]["blocks"].append({"text": source})
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_a_recursive_macro_in_imported_report_types_is_a_listed_problem(demo):
    before = export_report_types(ReportType.objects.all())
    with pytest.raises(TemplateProblems) as caught:
        import_report_types(with_block(RECURSIVE_MACRO))
    (problem,) = caught.value.problems
    assert "khối 4: Dòng 1: macro gọi lồng nhau quá 30 cấp" in problem
    assert export_report_types(ReportType.objects.all()) == before


def frame_with(text: str) -> bytes:
    edited = Document(io.BytesIO(DEFAULT_FRAME.read_bytes()))
    edited.paragraphs[-1].add_run(text)
    out = io.BytesIO()
    edited.save(out)
    return out.getvalue()


def test_a_recursive_macro_in_a_word_frame_is_refused():
    start = time.monotonic()
    (problem,) = validate_frame(frame_with(RECURSIVE_MACRO))
    assert time.monotonic() - start < 5
    assert "Khung mẫu vượt giới hạn" in problem and "macro gọi lồng nhau" in problem
    assert "(gần: “" in problem and RECURSIVE_MACRO in problem  # where in the frame


def test_a_recursive_macro_in_an_uploaded_frame_gets_a_message_not_a_500(client, demo):
    report_type = ReportType.objects.get(code="KTXH_THANG")
    client.force_login(User.objects.create_superuser("quantri", password="x"))
    url = reverse("reports:frame_upload", args=[report_type.pk])
    upload = SimpleUploadedFile("khung.docx", frame_with(RECURSIVE_MACRO))
    response = client.post(url, {"frame": upload}, follow=True)
    assert response.status_code == 200
    assert "macro gọi lồng nhau" in response.content.decode()
    report_type.refresh_from_db()
    assert report_type.frame is None


# ------------------------------------------------------------------------------------- when rendered


@pytest.fixture
def missing_figure_narrative(demo, settings):
    """The police narrative names a figure that has no data for June: ``{{ f.X.value|dem }}``."""
    settings.BAOCAO_PDF_IN_THREAD = False
    figures = get_figures(["TPLS"], JUNE)
    code = next(f.indicator.code for f in figures if f.kind == "actual" and f.value is None)
    Contribution.objects.filter(section_key="qp-an", org_unit__code="TPLS_CA", period="202006").update(
        text=f"Số vụ việc khác: {{{{ f.{code}.value|dem }}}}."
    )
    return ReportRun.objects.select_related("report_type", "org_unit").get(period="202006")


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_a_failed_block_is_marked_and_the_rest_of_the_report_is_made(missing_figure_narrative):
    run = missing_figure_narrative
    document = run_document(run).document
    (failure,) = document.failed_blocks
    assert "nội dung của Công an thành phố" in failure and "Thiếu số liệu" in failure
    text = document.plain_text()
    assert "[chưa lập được: Thiếu số liệu: số kỳ này của chỉ tiêu" in text
    assert "Công tác thu ngân sách nhà nước tính đến ngày 14/6/2020" in text  # the other blocks
    assert "[chưa lập được: Thiếu số liệu" in docx_text(run_docx(run))


def test_the_page_the_word_download_and_the_api_still_answer(missing_figure_narrative, client, client_for):
    run = missing_figure_narrative
    client.force_login(User.objects.get(username="vanphong"))
    page = client.get(reverse("reports:detail", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Khối chưa lập được (1)" in html and "nội dung của Công an thành phố" in html
    assert "[chưa lập được: Thiếu số liệu" in html
    assert "Công tác thu ngân sách nhà nước" in html
    download = client.get(reverse("reports:docx", args=[run.pk]))
    assert download.status_code == 200 and "[chưa lập được:" in docx_text(download.content)
    api = client_for("vanphong").get(f"/api/v1/report-runs/{run.pk}/docx/")
    assert api.status_code == 200 and "[chưa lập được:" in docx_text(api.content)


def test_issuing_is_refused_until_the_block_is_fixed(missing_figure_narrative):
    run = update_run(
        missing_figure_narrative,
        number=125,
        issue_date=JUNE.cutoff_date,
        signer_name="",
        signer_titles="",
        recipients="",
    )
    refusal = r"Chưa ban hành được: còn khối chưa lập được — .*Công an thành phố"
    with pytest.raises(ReportError, match=refusal):
        issue_run(run)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    Contribution.objects.filter(section_key="qp-an", org_unit__code="TPLS_CA", period="202006").update(
        text="Tình hình an ninh ổn định."
    )
    assert issue_run(run).status == RunStatus.ISSUED


def test_all_the_blocks_of_a_report_share_a_time_budget(missing_figure_narrative, settings):
    """Each block may take its own ``seconds``; the report as a whole stops after ``report_seconds``, the
    blocks left are marked and the report is still made."""
    settings.BAOCAO_TEMPLATE_LIMITS = {"report_seconds": 0}
    document = run_document(missing_figure_narrative).document
    assert document.failed_blocks
    assert all("cả báo cáo đã chạy quá 0 giây" in failure for failure in document.failed_blocks)
    assert "[chưa lập được: cả báo cáo đã chạy quá 0 giây" in document.plain_text()

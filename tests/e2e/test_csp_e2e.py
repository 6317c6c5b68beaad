"""The Content-Security-Policy holds in the browser: every demo role loads the main pages with the CSP header
(no 'unsafe-inline' for scripts or styles) and Chromium reports no violation — no inline <script>, <style>,
style="..." or on...= handler left anywhere, and the site's own CSS and JavaScript load from static files."""

from django.urls import reverse
from playwright.sync_api import Page, Response, expect

from baocao.assignments.models import Task
from baocao.demo.loader import load_demo
from baocao.indicators.models import Indicator
from baocao.reports.models import ReportRun

ROLES = ["admin", "vanphong", "lanhdao", "ca.canbo", "ca.truong"]
ENTRY = "/so-lieu/nhap/BM_TPLS_CA/TPLS_CA/202006/"
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


def main_pages() -> list[str]:
    report = ReportRun.objects.order_by("pk").first()
    task = Task.objects.order_by("pk").first()
    indicator = Indicator.objects.order_by("pk").first()
    assert report and task and indicator  # the demo has a draft report, tasks and indicators
    return [
        reverse("home"),
        reverse("collection:my_forms") + "?period=202006",
        ENTRY,
        reverse("collection:review"),
        reverse("assignments:mine"),
        reverse("assignments:summary"),
        reverse("assignments:task", args=[task.pk]),
        reverse("reports:list"),
        reverse("reports:detail", args=[report.pk]),
        reverse("quality:report"),
        reverse("notifications:inbox"),
        reverse("notifications:settings"),
        reverse("admin:index"),
        reverse("admin:indicators_indicator_changelist"),
        reverse("admin:indicators_indicator_change", args=[indicator.pk]),
    ]


def visit(page: Page, url: str, console: list[str]) -> Response:
    response = page.goto(url)
    assert response is not None, url
    page.wait_for_load_state("load")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, (url, policy)
    assert "unsafe-inline" not in policy, (url, policy)
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], (url, violations)
    assert [m for m in console if "Content Security Policy" in m] == [], (url, console)
    return response


def test_every_role_loads_the_main_pages_without_a_csp_violation(transactional_db, page, live_server, login):
    load_demo()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    pages = main_pages()

    visit(page, f"{live_server.url}/dang-nhap/", console)
    for role in ROLES:
        login(role)
        expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
        statuses = {}
        for path in pages:
            statuses[path] = visit(page, live_server.url + path, console).status
        # The pages the role reaches through its menu open for it (others answer 403 or the admin login).
        assert statuses[reverse("home")] == 200, role
        assert statuses[reverse("reports:list")] == 200, role
        assert statuses[ENTRY] == 200, role

    # The site's stylesheet is applied (served from static files, not inline): the header's red.
    visit(page, live_server.url + reverse("home"), console)
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == (
        "rgb(139, 26, 26)"
    )


def test_the_entry_page_script_runs_from_its_static_file(transactional_db, page, live_server, login):
    """The autosave script moved out of the template still saves a field as the user leaves it."""
    load_demo()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    login("ca.canbo")
    visit(page, live_server.url + ENTRY, console)
    field = page.locator("input.value").first
    key = field.get_attribute("id")
    field.fill("3")
    field.press("Tab")
    expect(page.locator(f"#{key}-msg")).to_have_text("Đã lưu")
    assert page.evaluate("window.__cspViolations") == []


def test_the_lockout_page_passes_the_policy_too(transactional_db, page, live_server, login):
    load_demo()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    for _ in range(5):
        login("ca.canbo", "sai-mat-khau")
    expect(page.get_by_role("heading", name="Tạm khóa đăng nhập")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert [m for m in console if "Content Security Policy" in m] == []

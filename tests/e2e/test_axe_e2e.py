"""Accessibility (issue 17): axe-core, the npm package served as a static file, run in the browser on the
main pages — home, entry, receiving, tasks and a report — finds no serious or critical violation.

axe is injected with page.evaluate of the file's text: the page's Content-Security-Policy forbids inline
scripts, and an evaluate through the DevTools protocol is not subject to it."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from baocao.demo.loader import load_demo
from baocao.reports.models import ReportRun

ROOT = Path(__file__).resolve().parents[2]
AXE = next(
    (
        p
        for p in (ROOT / "vendor/axe-core/axe.min.js", ROOT / "node_modules/axe-core/axe.min.js")
        if p.exists()
    ),
    None,
)


def serious_violations(page: Page) -> list[str]:
    """axe's serious and critical violations of the page, each with its rule and the elements hit."""
    assert AXE is not None
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert len(result["passes"]) > 10, "axe did not check the page"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + " | ".join(n["html"][:160] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(AXE is None, reason="Cần axe-core: npm install (make setup)")
@pytest.mark.parametrize(
    ("user", "page_name"),
    [
        ("lanhdao", "home"),
        ("ca.canbo", "entry"),
        ("vanphong", "receiving"),
        ("ca.canbo", "tasks"),
        ("vanphong", "report"),
    ],
)
def test_main_pages_have_no_serious_accessibility_violation(
    transactional_db, page: Page, live_server, login, user, page_name
):
    load_demo(ward=False)
    paths = {
        "home": "/?unit=TPLS&period=202006",
        "entry": reverse("collection:entry", args=["BM_TPLS_CA", "TPLS_CA", "202006"]),
        "receiving": reverse("collection:review") + "?period=202006",
        "tasks": reverse("assignments:mine"),
        "report": reverse("reports:detail", args=[ReportRun.objects.order_by("pk").first().pk]),
    }
    login(user)
    page.goto(f"{live_server.url}{paths[page_name]}")
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []

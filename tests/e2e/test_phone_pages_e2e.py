"""Phones (issue 17, point 5): at 390 px the home, tasks and report pages never scroll sideways as a
whole (a wide table scrolls inside its own box), for the office, the leader and a unit's clerk."""

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from baocao.demo.loader import load_demo
from baocao.reports.models import ReportRun

PHONE: ViewportSize = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# The elements that stick out of the screen (outside any box that scrolls by itself): named in a failure.
OVERFLOWING = """(width) => Array.from(document.querySelectorAll("body *")).filter((el) => {
  const r = el.getBoundingClientRect();
  if (r.right <= width + 0.5) return false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === "auto" || o === "scroll" || o === "hidden") return false;
  }
  return true;
}).slice(0, 8).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") +
  " " + Math.round(el.getBoundingClientRect().right) + "px")"""


@pytest.mark.parametrize("username", ["vanphong", "ca.canbo"])
def test_home_tasks_and_reports_fit_a_phone(transactional_db, page: Page, live_server, login, username):
    load_demo(ward=False)
    page.set_viewport_size(PHONE)
    login(username)
    run = ReportRun.objects.get(period="202006")
    paths = ["/", "/nhiem-vu/", "/bao-cao/", "/tim-kiem/?q=thu+ngan+sach"]
    if username == "vanphong":
        paths += [f"/bao-cao/{run.pk}/", "/nhiem-vu/tong-hop/?ky=202006"]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1").first).to_be_visible()
        assert page_width(page) <= PHONE["width"], (path, page.evaluate(OVERFLOWING, PHONE["width"]))
        # The header's search box is on every page and within the screen.
        box = page.get_by_label("Tìm kiếm", exact=True).bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], path

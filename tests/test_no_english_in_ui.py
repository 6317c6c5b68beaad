"""No English word or internal code in what a user reads (issue 17, point 7): the main pages, walked as
each demo role, with the text a browser shows or reads aloud (text, title, placeholder, aria-label, alt,
option labels) — never "actual", "None", "pending" or a status code; and no title naming a thing twice."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from baocao.assignments.models import Task
from baocao.demo.loader import DEMO_TODAY
from baocao.reports.models import ReportRun
from baocao.testing.factories import logged_in

# Codes of value kinds, statuses, sources and Python's own words that leaked before; whole words only.
ENGLISH = re.compile(
    r"\b(actual|estimate|cumulative|None|True|False|null|pending|draft|submitted|returned|accepted|"
    r"approved|locked|reopened|issued|withdrawn|on_time|late|missing|open_overdue|open_on_time|"
    r"done_on_time|done_late|overdue|deadline|unit_staff|unit_head|office|leader|status|kind|period|"
    r"indicator|web|command|import|api|excel_import|month|quarter|year|todo|TODO|FIXME|undefined|NaN)\b"
    r"(?!\.\w)"  # a file name such as leader.p12 is not a word of the text
)
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "value"}


class _Visible(HTMLParser):
    """The text a user sees or hears: text outside script/style/template, and the shown attributes
    (a button's value; not hidden inputs' values)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if name not in SHOWN_ATTRIBUTES or not value:
                continue
            if name == "value" and not (tag == "input" and values.get("type") in {"submit", "button"}):
                continue
            self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def leftovers(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    found = []
    for part in parser.parts:
        for match in ENGLISH.finditer(part):
            start = max(0, match.start() - 40)
            found.append(f"{match.group(0)!r} in “…{part[start : match.end() + 40].strip()}…”")
    return found


def repeated_in_titles(html: str) -> list[str]:
    """A title or heading naming the same thing twice ("Số liệu tháng – Công an thành phố – Công an
    thành phố"): a part between dashes, or a unit name, repeated."""
    found = []
    for match in re.finditer(r"<(title|h1)[^>]*>(.*?)</\1>", html, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()
        parts = [part.strip() for part in re.split(r" [–-] ", text)]
        if len(parts) != len(set(parts)):
            found.append(f"phần lặp lại trong “{text}”")
    return found


def _pages(username: str) -> list[str]:
    task = Task.objects.order_by("pk").first()
    run = ReportRun.objects.order_by("pk").first()
    common = [
        "/",
        "/nhiem-vu/",
        "/tong-hop/so-lieu-tong-hop/",
        "/tong-hop/kham-pha/",
        "/bao-cao/",
        "/chat-luong/",
        "/tong-hop/canh-bao/",
        "/bao-cao/kiem-tra-chu-ky/",
        "/so-lieu/noi-dung/TPLS_CA/202006/lich-su/",
        "/nhiem-vu/tong-hop/202006/TPLS_TTVHTT/",
    ]
    if task is not None:
        common.append(f"/nhiem-vu/{task.pk}/")
    if run is not None:
        common.append(f"/bao-cao/{run.pk}/")
    form = "/so-lieu/nhap/BM_TPLS_CA/TPLS_CA/202006/"
    value_history = "/so-lieu/lich-su/HS_VU/TPLS_CA/202006/actual/"  # its page once said "actual"
    by_role = {
        "ca.canbo": ["/so-lieu/nhap/", form, form + "lich-su/", value_history],
        "ca.truong": ["/so-lieu/nhap/", form],
        "vanphong": ["/so-lieu/tiep-nhan/", "/nhiem-vu/tong-hop/", form, "/so-lieu/noi-dung/TPLS_CA/202006/"],
        "lanhdao": ["/so-lieu/tiep-nhan/", "/nhiem-vu/tong-hop/"],
        "admin": ["/so-lieu/tiep-nhan/", "/chat-luong/quy-tac/"],
    }
    return common + by_role[username]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ca.canbo", "ca.truong", "vanphong", "lanhdao", "admin"])
def test_main_pages_have_no_english_leftovers(client, demo, username):
    logged_in(client, username)
    assert User.objects.filter(username=username).exists()
    problems, walked = {}, 0
    with override_settings(BAOCAO_TODAY=DEMO_TODAY.isoformat()):
        for url in _pages(username):
            response = client.get(url)
            if response.status_code in (302, 403, 404):  # not this role's page: the others walk it
                continue
            assert response.status_code == 200, (url, response.status_code)
            walked += 1
            html = response.content.decode()
            found = leftovers(html) + repeated_in_titles(html)
            if found:
                problems[url] = found
    assert walked >= 7
    assert not problems, problems

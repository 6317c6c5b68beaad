"""No input gives a 5xx and no GET writes (issue 12, item 3): every URL pattern of the project —
enumerated from the URL configuration, so a new page or endpoint is covered without touching this
file — is called with hostile path parameters, query strings, form fields and JSON bodies, as a unit
clerk, the office, the leader and the superuser.

Two passes, both bounded in time:

* a deterministic sweep: every pattern with valid parameters, then each parameter replaced by each
  value of HOSTILE; every HTML page's own form fields (read from the page) posted with hostile values;
  every API endpoint posted hostile JSON;
* a property-based pass (hypothesis): random patterns, parameters, fields and bodies.

A 5xx fails with the request that caused it. In the Django admin only the add and change forms are
posted to (its delete views act on any POST). Logout is left out (it would end the session under test).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

USERS = ("ca.canbo", "vanphong", "lanhdao", "admin")

# Values that broke or could break something: numbers beyond every integer type, exponents, invalid
# and far periods, control characters, very long strings, unicode oddities, NaN/Infinity, negative
# and zero ids, markup, SQL.
HOSTILE = (
    "99999999999999999999999",
    "-1",
    "0",
    "1e999999999",
    "NaN",
    "Infinity",
    "999912",
    "202013",
    "2020Q5",
    "x" * 5000,
    "9" * 5000,
    "\x00\x01\x1b",
    "\u202e\u0301\ufeffA\u0300",
    "𝟘𝟙𝟚🙂",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=cmd|' /C calc'!A0",
    "",
    " ",
)
VALID = {  # a parameter by its name, valid in the demo, so that the other parameters reach the code
    "data_set": "BM_TPLS_CA",
    "unit": "TPLS_CA",
    "period": "202006",
    "indicator": "HS_VU",
    "kind": "actual",
    "code": "TPLS_CA",
    "pk": "1",
    "object_id": "1",
    "id": "1",
    "format": "json",
    "app_label": "collection",
    "content_type_id": "1",
    "url": "x",
}
JSON_KEYS = (
    "indicator",
    "org_unit",
    "period",
    "kind",
    "value",
    "comment",
    "version",
    "step",
    "reason",
    "report_type",
    "data_set",
    "dataValues",
    "note",
    "progress",
    "done",
    "completed_on",
)
JSON_HOSTILE = (
    "[" * 50_000 + "]" * 50_000,
    '{"value": ' + "9" * 5000 + "}",
    '{"value": 1e999999999, "period": "999912"}',
    '{"value": NaN, "version": -1}',
    '{"value": Infinity, "version": 99999999999999999999999}',
    '{"dataValues": [{"indicator": "HS_VU", "org_unit": "TPLS_CA", "period": "202006", "value": -1e400}]}',
    "{broken",
    '"\\ud800"',
    "[]",
    "null",
)


@dataclass(frozen=True)
class Route:
    template: str  # with {name} placeholders
    params: tuple[str, ...]
    name: str

    @property
    def admin(self) -> bool:
        return self.template.startswith("quan-tri/")

    @property
    def api(self) -> bool:
        return self.template.startswith("api/")

    def url(self, values: dict[str, str]) -> str:
        filled = self.template
        for param in self.params:
            filled = filled.replace(
                "{" + param + "}", quote(values.get(param, VALID.get(param, "1")), safe="")
            )
        return "/" + filled


_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _template(pattern_text: str) -> str:
    text = _ROUTE_PARAM.sub(lambda m: "{" + m.group(1) + "}", pattern_text)
    text = _REGEX_GROUP.sub(lambda m: "{" + m.group(1) + "}", text)
    return text.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")


def _walk(patterns: list, prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _template(str(entry.pattern)))
        elif isinstance(entry, URLPattern):
            template = prefix + _template(str(entry.pattern))
            yield Route(template, tuple(re.findall(r"\{(\w+)\}", template)), entry.name or "")


def routes() -> list[Route]:
    found = {r.template: r for r in _walk(get_resolver().url_patterns)}
    skipped = {"dang-xuat/", "quan-tri/logout/"}
    admin_models = {}  # one set of URLs per admin model is enough: they share their views
    kept = []
    for route in found.values():
        if route.template in skipped:
            continue
        if route.admin:
            model = route.template.split("/")[1:3]
            key = ("/".join(model), route.template.rsplit("}", 1)[-1])
            if key in admin_models:
                continue
            admin_models[key] = route
        kept.append(route)
    return kept


ROUTES = routes()


@pytest.fixture
def clients(demo) -> dict[str, Client]:
    made = {}
    for name in USERS:
        client = Client(raise_request_exception=False)  # every 5xx collected; tracebacks in the log
        client.force_login(User.objects.get(username=name))
        made[name] = client
    return made


class Failures(list):
    """5xx answers of a sweep, all collected before the test fails (one run shows every one)."""

    def check(self, response, method: str, url: str, user: str, detail: str = "") -> None:
        if response.status_code >= 500:
            self.append(f"{method} {url[:200]} as {user} {detail[:200]!r} → {response.status_code}")


_WRITE = re.compile(r'\s*(INSERT|UPDATE|DELETE)\b(?!.*"django_session")', re.IGNORECASE | re.DOTALL)
_FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)


def _fields(html: bytes) -> list[str]:
    names = set(_FIELD.findall(html.decode("utf-8", "replace")))
    return sorted(names - {"csrfmiddlewaretoken"})


def test_the_routes_are_enumerated_from_the_url_configuration():
    templates = {r.template for r in ROUTES}
    assert "so-lieu/lich-su/{indicator}/{unit}/{period}/{kind}/" in templates
    assert "api/v1/data-value-sets/" in templates
    assert len(ROUTES) > 60


def _get(failures: Failures, client: Client, url: str, user: str) -> None:
    """GET ``url``: no 5xx, and nothing written (outside the session table)."""
    connection.queries_log.clear()  # the log keeps 9000 queries; a full one captures nothing
    with CaptureQueriesContext(connection) as queries_run:
        failures.check(client.get(url), "GET", url, user)
    writes = [q["sql"][:120] for q in queries_run.captured_queries if _WRITE.match(q["sql"])]
    if writes:
        failures.append(f"GET {url[:200]} as {user} wrote: {writes[:2]}")


def test_every_route_survives_hostile_path_parameters_and_queries(clients):
    failures = Failures()
    for route in ROUTES:
        user = "admin" if route.admin else "ca.canbo"
        urls = [route.url({})]
        for param in route.params:
            urls += [route.url({param: value}) for value in HOSTILE[:12]]
        base = route.url({})
        queries = (
            "limit=99999999999999999999999&offset=-1",
            "period=999912&ky=1e999999999&p=-1",
            "q=%00&o=99999999999999999999999",
            "page=NaN&trang-thai=" + "x" * 3000,
        )
        for url in [*urls, *(f"{base}?{query}" for query in queries)]:
            _get(failures, clients[user], url, user)
        if not route.admin:
            for other in USERS:  # every role opens every page: none of them writes
                _get(failures, clients[other], base, other)
    assert not failures, "\n".join(failures)


ROUNDS = 4  # posts per form and user; field i of round r gets HOSTILE[(r * 7 + i) % len(HOSTILE)]


def test_every_form_and_endpoint_survives_hostile_posts(clients):
    failures = Failures()
    for route in ROUTES:
        if route.admin and not route.template.endswith(("add/", "change/")):
            continue  # the admin's add and change forms only (its delete and action views act on a POST)
        url = route.url({})
        for user in ("admin",) if route.admin else USERS:
            client = clients[user]
            page = client.get(url)
            names = _fields(page.content) if page.status_code == 200 else []
            names = names or ["value", "comment", "period", "step", "reason"]
            for round_ in range(ROUNDS):
                data = {name: HOSTILE[(round_ * 7 + i) % len(HOSTILE)] for i, name in enumerate(names)}
                failures.check(client.post(url, data), "POST", url, user, str(data))
            if route.api and user in ("ca.canbo", "admin"):
                for index, body in enumerate(JSON_HOSTILE):
                    methods = (client.post, client.put, client.patch) if index < 3 else (client.post,)
                    for method in methods:
                        response = method(url, body, content_type="application/json")
                        failures.check(response, method.__name__.upper(), url, user, body[:100])
                csv = client.post(url, "\x00" * 100, content_type="text/csv")
                failures.check(csv, "POST", url, user, "csv")
    assert not failures, "\n".join(failures)


hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50) | st.sampled_from(HOSTILE),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(JSON_KEYS), children, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    route=st.sampled_from(ROUTES),
    user=st.sampled_from(USERS),
    params=st.dictionaries(st.sampled_from(sorted(VALID)), hostile_text, max_size=3),
    method=st.sampled_from(["get", "post", "put", "patch", "delete"]),
    form=st.dictionaries(st.sampled_from(JSON_KEYS), hostile_text, max_size=6),
    body=json_value,
)
def test_random_hostile_requests_never_give_a_5xx(clients, route, user, params, method, form, body):
    if route.admin and method != "get":
        return
    client = clients[user]
    url = route.url({k: v.replace("/", "") for k, v in params.items()})
    if method == "get":
        response = client.get(url, form)
    elif route.api:
        response = getattr(client, method)(
            url, json.dumps(body, default=str), content_type="application/json"
        )
    else:
        response = getattr(client, method)(url, form)
    failures = Failures()
    failures.check(response, method.upper(), url, user, str(form if not route.api else body))
    assert not failures, failures[0]

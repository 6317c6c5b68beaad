"""The API under hostile input (issue 12, items 3 and 7): deep JSON, huge numbers, absurd limits,
a 50 MB one-line CSV, DRF's own errors in English, and bulk import from the session_client session (CSRF).
Every answer is the project's ``{"errors": [...]}`` in Vietnamese, never a 5xx."""

import json
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from baocao.collection.models import DataValue

V1 = "/api/v1"
BULK = f"{V1}/data-value-sets/"
ROW = {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": 7}
CSV = "indicator,org_unit,period,kind,value,comment\nHS,CITY_POLICE,202006,actual,7,\n"
DEEP = "[" * 100_000 + "]" * 100_000


def messages(response) -> list[str]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return [e["message"] for e in response.json()["errors"]]


def vietnamese(text: str) -> bool:
    return any(ch in text for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ")


@pytest.mark.parametrize(
    "url", [f"{V1}/data-values/", f"{V1}/submissions/", f"{V1}/report-runs/", BULK], ids=str
)
def test_deeply_nested_json_is_a_400_in_vietnamese(setup, client_for, url):
    response = client_for("ca_canbo").post(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert any("lồng nhau quá sâu" in m for m in messages(response))


@pytest.mark.parametrize("number", ["9" * 5000, "1e999999999", "-1e999999999", "1e-999999999"])
def test_a_huge_number_in_bulk_json_is_a_row_error(setup, client_for, number):
    body = '{"dataValues": [{"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": %s}]}'
    response = client_for("ca_canbo").post(BULK, body % number, content_type="application/json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["row"] == 1 and "cột “value”" in error["message"] and vietnamese(error["message"])
    assert DataValue.objects.count() == 0


def test_a_huge_number_on_the_value_endpoint_is_a_400(setup, client_for):
    body = '{"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": %s}' % ("9" * 5000)
    response = client_for("ca_canbo").post(f"{V1}/data-values/", body, content_type="application/json")
    assert response.status_code == 400 and vietnamese(messages(response)[0])
    nan = client_for("ca_canbo").post(
        f"{V1}/data-values/", body.replace("9" * 5000, "NaN"), content_type="application/json"
    )
    assert nan.status_code == 400 and vietnamese(messages(nan)[0])


@pytest.mark.parametrize(
    "path", ["org-units", "indicators", "data-sets", "data-values", "submissions", "tasks", "report-types"]
)
def test_absurd_limits_and_offsets_are_a_normal_page(setup, client_for, path):
    client = client_for("vanphong")
    for query in ("limit=99999999999999999999999", "offset=99999999999999999999999", "limit=-1&offset=-5"):
        response = client.get(f"{V1}/{path}/?{query}")
        assert response.status_code == 200, (query, response.content[:200])
    capped = client.get(f"{V1}/{path}/?limit=99999999999999999999999").json()
    assert "results" in capped


def test_a_50_mb_one_line_csv_is_refused_at_once(setup, client_for):
    body = CSV.encode() + b"x" * 50_000_000
    started = time.monotonic()
    response = client_for("ca_canbo").post(BULK, body, content_type="text/csv")
    assert time.monotonic() - started < 5  # was 17 s (the line buffer grew quadratically)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["row"] == 3 and "dòng dài hơn" in error["message"]


def test_drf_errors_are_vietnamese_in_the_projects_form(setup, client_for):
    client = client_for("ca_canbo")
    unsupported = client.post(f"{V1}/data-values/", "a=b", content_type="text/plain")
    assert unsupported.status_code == 415 and vietnamese(messages(unsupported)[0])
    not_allowed = client.delete(f"{V1}/org-units/")
    assert not_allowed.status_code == 405 and vietnamese(messages(not_allowed)[0])
    not_acceptable = client.get(f"{V1}/org-units/", HTTP_ACCEPT="application/xml")
    assert not_acceptable.status_code == 406 and vietnamese(messages(not_acceptable)[0])
    broken = client.post(f"{V1}/data-values/", "{broken", content_type="application/json")
    assert broken.status_code == 400 and vietnamese(messages(broken)[0])
    anonymous = client_for(None).get(f"{V1}/org-units/")
    assert anonymous.status_code == 401 and vietnamese(messages(anonymous)[0])


def test_a_json_body_over_the_memory_limit_is_a_413_in_json(setup, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({**ROW, "comment": "x" * 2000})
    response = client_for("ca_canbo").post(f"{V1}/data-values/", body, content_type="application/json")
    assert response.status_code == 413 and vietnamese(messages(response)[0])


# ------------------------------------------------------------------------ item 7: the session_client session

TOKEN = "a" * 32  # a CSRF secret as the csrftoken cookie holds it; the page's script sends it back


@pytest.fixture
def session_client(setup):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="ca_canbo"))
    client.cookies["csrftoken"] = TOKEN
    return client


def test_bulk_csv_from_the_browser_session_is_imported(session_client):
    """The finding: CSV through the session got DRF's 415 in English."""
    response = session_client.post(BULK, CSV, content_type="text/csv", HTTP_X_CSRFTOKEN=TOKEN)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["created"] == 1
    assert DataValue.objects.get(indicator__code="HS").value == 7


def test_bulk_from_the_session_needs_the_csrf_token(session_client):
    response = session_client.post(BULK, CSV, content_type="text/csv")
    assert response.status_code == 403
    assert "CSRF" in messages(response)[0] and vietnamese(messages(response)[0])
    assert DataValue.objects.count() == 0


def test_bulk_json_over_2_5_mb_from_the_session_is_read(session_client):
    """The finding: JSON over 2,5 MB through the session got Django's HTML 400."""
    body = '{"dataValues": [' + " " * 3_000_000 + json.dumps(ROW) + "]}"
    response = session_client.post(
        BULK + "?dry_run=true", body, content_type="application/json", HTTP_X_CSRFTOKEN=TOKEN
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["created"] == 1


def test_the_session_path_has_the_same_size_limit_as_the_token_path(session_client, settings):
    settings.BAOCAO_API_MAX_UPLOAD_BYTES = 1000
    body = CSV + "HS,CITY_POLICE,202005,actual,7,\n" * 100
    response = session_client.post(BULK, body, content_type="text/csv", HTTP_X_CSRFTOKEN=TOKEN)
    assert response.status_code == 413 and vietnamese(messages(response)[0])
    assert DataValue.objects.count() == 0


def test_nul_characters_are_a_400_not_a_database_error(setup, client_for):
    client = client_for("ca_canbo")
    body = json.dumps({**ROW, "comment": "a\x00b"})
    response = client.post(f"{V1}/data-values/", body, content_type="application/json")
    assert response.status_code == 400 and "NUL" in messages(response)[0]
    bulk = client.post(BULK, json.dumps([{**ROW, "comment": "a\x00"}]), content_type="application/json")
    assert bulk.status_code == 400 and bulk.json()["errors"][0]["row"] == 1
    path = client.get(f"{V1}/org-units/%00/")
    assert path.status_code == 400 and "NUL" in messages(path)[0]


def test_a_broken_csv_row_is_explained_in_vietnamese(setup, client_for):
    body = CSV + "HS,CITY_POLICE,202005,actual,7," + "x" * 20_000 + "\n"
    response = client_for("ca_canbo").post(BULK, body, content_type="text/csv")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["row"] == 3 and error["message"] == "dòng CSV hỏng: một ô dài hơn 10.000 ký tự."


def test_a_form_body_over_the_memory_limit_is_a_413_in_json(setup, client_for):
    body = "comment=" + "x" * 3_000_000
    client = client_for("ca_canbo")
    response = client.post(f"{V1}/data-values/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and vietnamese(messages(response)[0])


def test_drf_field_messages_are_vietnamese(setup, client_for):
    body = '{"indicator": "HS", "org_unit": null, "period": {}, "value": 1, "version": "x"}'
    response = client_for("ca_canbo").post(f"{V1}/data-values/", body, content_type="application/json")
    assert response.status_code == 400
    found = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert all(vietnamese(m) for m in found.values()), found


@pytest.mark.parametrize("where", ["comment", "value"])
def test_a_lone_surrogate_in_bulk_json_is_a_row_error(setup, client_for, where):
    """A second probe: "\\ud800" decodes as JSON but cannot be stored or shown — a 500 on write (comment)
    and on the dry run's error message (value)."""
    row = {**ROW, where: "a\\ud800b"}
    body = '{"dataValues": [' + json.dumps(row).replace("\\\\ud800", "\\ud800") + "]}"
    assert "\\ud800" in body
    response = client_for("ca_canbo").post(f"{BULK}?dry_run=true", body, content_type="application/json")
    assert response.status_code == 400
    assert any("UTF-16" in m for m in messages(response))
    assert DataValue.objects.count() == 0


@pytest.mark.parametrize("flag", ["on", "maybe", "T", "y", "truе"])  # the last with a Cyrillic "е"
def test_a_dry_run_flag_that_is_not_true_or_false_is_refused_not_a_real_import(setup, client_for, flag):
    """A second probe: ?dry_run=on was read as false, so the "check" wrote the values."""
    response = client_for("ca_canbo").post(f"{BULK}?dry_run={flag}", {"dataValues": [ROW]}, format="json")
    assert response.status_code == 400
    (message,) = messages(response)
    assert "đúng/sai" in message
    assert DataValue.objects.count() == 0
    checked = client_for("ca_canbo").post(f"{BULK}?dry_run=1", {"dataValues": [ROW]}, format="json")
    assert checked.status_code == 200 and DataValue.objects.count() == 0
    written = client_for("ca_canbo").post(f"{BULK}?dry_run=false", {"dataValues": [ROW]}, format="json")
    assert written.status_code == 200 and DataValue.objects.count() == 1


def test_millions_of_blank_lines_in_a_bulk_csv_are_refused_early(setup, client_for):
    """A second probe: a header and 30 million empty lines took 9,5 s and answered "0 dòng"; empty lines
    now count against a bound."""
    body = "indicator,org_unit,period,kind,value,comment\n" + ",,,,,\n" * 20_000 + CSV.split("\n", 1)[1]
    response = client_for("ca_canbo").post(BULK, body, content_type="text/csv")
    assert response.status_code == 400
    assert any("10.000 dòng trống" in m for m in messages(response))
    assert DataValue.objects.count() == 0
    few = "indicator,org_unit,period,kind,value,comment\n" + "\n" * 50 + CSV.split("\n", 1)[1]
    assert client_for("ca_canbo").post(BULK, few, content_type="text/csv").status_code == 200

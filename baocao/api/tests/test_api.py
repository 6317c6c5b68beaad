import datetime

import pytest

from baocao.assignments.models import Task
from baocao.collection.models import ChangeSource, DataValue, Submission, SubmissionEvent, ValueChange
from baocao.indicators.models import Target

V1 = "/api/v1"


def test_anonymous_clients_get_401_with_an_error_list(setup, client_for):
    response = client_for(None).get(f"{V1}/org-units/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"]


def test_unit_staff_see_only_their_unit_and_the_office_its_subtree(setup, client_for):
    mine = client_for("ca_canbo").get(f"{V1}/org-units/").json()
    assert [u["code"] for u in mine["results"]] == ["CITY_POLICE"]
    office = client_for("vanphong").get(f"{V1}/org-units/").json()
    assert {u["code"] for u in office["results"]} == {"CITY", "CITY_TAX", "CITY_POLICE", "CITY_W1"}
    assert client_for("ca_canbo").get(f"{V1}/org-units/CITY_TAX/").status_code == 404
    assert client_for("vanphong").get(f"{V1}/org-units/CITY_TAX/").json()["parent"] == "CITY"


def test_reference_data_and_forms(setup, client_for):
    client = client_for("ca_canbo")
    indicator = client.get(f"{V1}/indicators/THU/").json()
    assert indicator["unit"] == {"code": "trieu_dong", "name": "triệu đồng", "dimension": "money"}
    form = client.get(f"{V1}/data-sets/BM_CA/").json()
    assert form["fields"] == [{"indicator": "HS", "kind": "actual"}, {"indicator": "THU", "kind": "actual"}]
    assert form["org_units"] == ["CITY_POLICE"]
    assert client_for("thue_canbo").get(f"{V1}/data-sets/").json()["results"] == []


def test_periods_are_described_and_bad_ids_are_400(setup, client_for):
    client = client_for("ca_canbo")
    june = client.get(f"{V1}/periods/202006/").json()
    assert june["label"] == "tháng 6/2020"
    assert june["reporting_window"] == ["2020-05-15", "2020-06-14"]
    assert (june["previous"], june["same_period_last_year"]) == ("202005", "201906")
    assert client.get(f"{V1}/periods/2020Q2/").json()["months"] == ["202004", "202005", "202006"]
    bad = client.get(f"{V1}/periods/2020-06/")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "period" and "2020-06" in bad.json()["errors"][0]["message"]


def _post_value(client, value, version=None, unit="CITY_POLICE", indicator="HS"):
    body = {"indicator": indicator, "org_unit": unit, "period": "202006", "value": value}
    if version is not None:
        body["version"] = version
    return client.post(f"{V1}/data-values/", body, format="json")


def test_unit_staff_write_their_values_with_optimistic_versions(setup, client_for):
    clerk = client_for("ca_canbo")
    created = _post_value(clerk, "1.425", version=0, indicator="THU")
    assert created.status_code == 201, created.json()
    assert (created.json()["value"], created.json()["text"], created.json()["version"]) == (1425, "1.425", 1)
    updated = _post_value(clerk, 1500, version=1, indicator="THU")
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = _post_value(client_for("ca_truong"), 9, version=1, indicator="THU")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current"]["value"] == 1500 and body["current"]["updated_by"] == "ca_canbo"
    assert body["attempted"]["value"] == 9
    assert DataValue.objects.get().value == 1500
    assert set(ValueChange.objects.values_list("source", flat=True)) == {ChangeSource.API}

    value_id = created.json()["id"]
    patched = clerk.patch(f"{V1}/data-values/{value_id}/", {"value": "1.600", "version": 2}, format="json")
    assert patched.status_code == 200 and patched.json()["value"] == 1600
    assert (
        clerk.patch(f"{V1}/data-values/{value_id}/", {"value": 1, "version": 2}, format="json").status_code
        == 409
    )


def test_value_checks_are_400_with_the_field(setup, client_for):
    clerk = client_for("ca_canbo")
    for body in (
        {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": "2,5"},
        {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": -1},
        {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "2020-6", "value": 1},
        {"indicator": "XX", "org_unit": "CITY_POLICE", "period": "202006", "value": 1},
        {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": True},
        {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": "abc"},
        {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006"},
    ):
        response = clerk.post(f"{V1}/data-values/", body, format="json")
        assert response.status_code == 400, (body, response.json())
        assert all(e["message"] for e in response.json()["errors"])
    assert clerk.post(f"{V1}/data-values/", "{not json", content_type="application/json").status_code == 400
    assert DataValue.objects.count() == 0


def test_nobody_writes_another_units_values_and_the_office_writes_none(setup, client_for):
    other = _post_value(client_for("thue_canbo"), 5)  # cannot even see the police
    assert other.status_code == 400 and other.json()["errors"][0]["field"] == "org_unit"
    office = _post_value(client_for("vanphong"), 5)
    assert office.status_code == 403 and "nhập số liệu" in office.json()["errors"][0]["message"]
    assert DataValue.objects.count() == 0


def test_values_are_listed_within_the_users_scope(setup, client_for):
    setup.value(setup.hs, setup.police, "202006", 7)
    setup.value(setup.thu, setup.tax, "202006", 100)
    assert [v["org_unit"] for v in client_for("ca_canbo").get(f"{V1}/data-values/").json()["results"]] == [
        "CITY_POLICE"
    ]
    office = client_for("vanphong").get(f"{V1}/data-values/", {"indicator": "THU", "period": "202006"}).json()
    assert [(v["org_unit"], v["value"]) for v in office["results"]] == [("CITY_TAX", 100)]
    tax_value = DataValue.objects.get(org_unit=setup.tax)
    assert client_for("ca_canbo").get(f"{V1}/data-values/{tax_value.pk}/").status_code == 404
    assert client_for("ca_canbo").get(f"{V1}/data-values/", {"period": "20206"}).status_code == 400


def test_targets_are_scoped(setup, client_for):
    setup.target(setup.thu, setup.tax, "2020", setup.yearly_plan, 1000)
    assert client_for("ca_canbo").get(f"{V1}/targets/").json()["results"] == []
    rows = client_for("thue_canbo").get(f"{V1}/targets/", {"period": "2020"}).json()["results"]
    assert [(t["indicator"], t["target_type"], t["value"]) for t in rows] == [("THU", "DT_NAM", 1000)]
    assert Target.objects.count() == 1


def test_the_workflow_through_the_api(setup, client_for):
    clerk, head, office, leader = (client_for(u) for u in ("ca_canbo", "ca_truong", "vanphong", "lanhdao"))
    assert _post_value(clerk, 7, version=0).status_code == 201
    opened = clerk.post(
        f"{V1}/submissions/", {"data_set": "BM_CA", "org_unit": "CITY_POLICE", "period": "202006"}
    )
    assert opened.status_code == 200 and opened.json()["status"] == "draft"
    url = f"{V1}/submissions/{opened.json()['id']}/transition/"

    def step(client, name, version, reason=""):
        return client.post(url, {"step": name, "version": version, "reason": reason}, format="json")

    assert step(clerk, "submit", 1).status_code == 403  # staff enter, the head submits
    assert step(head, "submit", 1).json()["status"] == "submitted"
    closed = _post_value(clerk, 8, version=1)
    assert closed.status_code == 409 and "không sửa được" in closed.json()["errors"][0]["message"]
    assert step(office, "return", 2).status_code == 400  # a reason is needed
    assert step(office, "accept", 1).status_code == 409  # stale version
    assert step(office, "accept", 2).json()["status"] == "accepted"
    assert step(office, "approve", 3).status_code == 403
    approved = step(leader, "approve", 3)
    assert approved.status_code == 200 and approved.json()["steps"] == ["lock", "reopen"]
    assert step(leader, "submit", 4).status_code == 403
    assert step(head, "bogus", 4).status_code == 400
    events = SubmissionEvent.objects.filter(submission_id=opened.json()["id"])
    assert [(e.to_status, e.source) for e in events] == [
        ("submitted", "api"),
        ("accepted", "api"),
        ("approved", "api"),
    ]
    assert (
        client_for("thue_canbo").post(url, {"step": "lock", "version": 4}, format="json").status_code == 404
    )
    listed = office.get(f"{V1}/submissions/", {"status": "approved"}).json()["results"]
    assert [s["org_unit"] for s in listed] == ["CITY_POLICE"]
    assert Submission.objects.get().status == "approved"


def test_tasks_and_their_completion(setup, client_for):
    task = Task.objects.create(
        content="Báo cáo tình hình an ninh",
        lead_unit=setup.police,
        assigned_on=datetime.date(2020, 5, 5),
        deadline_kind="once",
        deadline=datetime.date(2020, 6, 10),
    )
    assert client_for("thue_canbo").get(f"{V1}/tasks/").json()["results"] == []
    detail = client_for("ca_canbo").get(f"{V1}/tasks/{task.pk}/").json()
    assert detail["lead_unit"] == "CITY_POLICE" and detail["items"][0]["status"] == "open_overdue"
    url = f"{V1}/tasks/{task.pk}/completion/"
    assert client_for("vanphong").post(url, {"completed_on": "2020-06-09"}).status_code == 403
    future = client_for("ca_canbo").post(url, {"completed_on": "2999-01-01"})
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "completed_on"
    done = client_for("ca_canbo").post(url, {"completed_on": "2020-06-09", "note": "Đã xong"})
    assert done.status_code == 201
    detail = client_for("ca_canbo").get(f"{V1}/tasks/{task.pk}/").json()
    assert detail["items"][0]["completed_on"] == "2020-06-09"


@pytest.mark.parametrize("path", ["org-units", "indicators", "data-sets", "targets", "tasks", "report-runs"])
def test_lists_are_paginated(setup, client_for, path):
    body = client_for("vanphong").get(f"{V1}/{path}/", {"limit": 1}).json()
    assert set(body) >= {"count", "results"}

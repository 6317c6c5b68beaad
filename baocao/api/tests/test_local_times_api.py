"""The API writes every time the same way, on the users' clock with its offset (Asia/Ho_Chi_Minh, +07:00):
the conflict body's updated_at was the only one in UTC."""

V1 = "/api/v1"


def test_the_conflict_body_gives_the_time_like_the_resource_does(setup, client_for):
    clerk = client_for("ca_canbo")
    body = {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": 4, "version": 0}
    created = clerk.post(f"{V1}/data-values/", body, format="json")
    assert created.status_code == 201, created.json()
    stale = client_for("ca_truong").post(f"{V1}/data-values/", {**body, "value": 5}, format="json")
    assert stale.status_code == 409
    when = stale.json()["current"]["updated_at"]
    assert when.endswith("+07:00")
    assert when == clerk.get(f"{V1}/data-values/{created.json()['id']}/").json()["updated_at"]

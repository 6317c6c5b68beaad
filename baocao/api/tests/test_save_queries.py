"""One save through the API costs few queries (issue 16: 200 clerks saving at once): the permission is
looked up once per request (the user's roles, then decided from the units' paths), and the answer's
200/201 needs no existence query of its own."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

V1 = "/api/v1"


def _save(client, value, version):
    body = {"indicator": "THU", "org_unit": "CITY_POLICE", "period": "202006", "value": value}
    return client.post(f"{V1}/data-values/", body | {"version": version}, format="json")


def test_one_save_reads_the_roles_once_and_asks_no_permission_query_of_its_own(setup, client_for):
    clerk = client_for("ca_canbo")
    assert _save(clerk, "5", 0).status_code == 201
    with CaptureQueriesContext(connection) as save:
        answer = _save(clerk, "6", 1)
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["value"], answer.json()["version"]) == (6, 2)
    sql = [q["sql"] for q in save.captured_queries]
    assert sum("accounts_roleassignment" in q for q in sql) == 1
    # The unit is looked up once (the view's visible unit), not again to check the right to enter.
    assert sum('FROM "orgunits_orgunit"' in q and " LIKE " in q for q in sql) == 1
    assert not [q for q in sql if q.startswith('SELECT 1 AS "a" FROM "collection_datavalue"')]
    # No savepoint of the executor's or the audit chain's own, the chain's head moved and read at once.
    assert sum(q.startswith("SAVEPOINT") for q in sql) <= 2
    assert len(sql) <= 21


def test_created_is_201_and_a_rewrite_of_the_same_value_is_200(setup, client_for):
    clerk = client_for("ca_canbo")
    assert _save(clerk, "5", 0).status_code == 201
    again = _save(clerk, "5", 1)
    assert again.status_code == 200 and again.json()["version"] == 1


def test_a_unit_outside_the_clerks_subtree_is_still_refused(setup, client_for):
    tax = client_for("thue_canbo")
    answer = _save(tax, "5", 0)
    assert answer.status_code == 400 and "CITY_POLICE" in answer.json()["errors"][0]["message"]


def test_the_office_sees_the_unit_but_may_not_enter_its_values(setup, client_for):
    answer = _save(client_for("vanphong"), "5", 0)
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["message"] == "Bạn không có quyền nhập số liệu của Công an thành phố."

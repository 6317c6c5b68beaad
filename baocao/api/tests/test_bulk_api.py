import json

import pytest

from baocao.collection.models import DataValue, Submission, ValueChange

URL = "/api/v1/data-value-sets/"
HEADER = "indicator,org_unit,period,kind,value,comment\n"
ROWS: list[dict] = [
    {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "kind": "actual", "value": 7},
    {"indicator": "THU", "org_unit": "CITY_POLICE", "period": "202006", "value": "1.425,5", "comment": "ước"},
    {"indicator": "THU", "org_unit": "CITY_POLICE", "period": "202005", "kind": "thực hiện", "value": 38.161},
]


def post_json(client, payload, dry_run=False):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL + ("?dry_run=true" if dry_run else ""), body, content_type="application/json")


def post_csv(client, text, dry_run=False):
    return client.post(URL + ("?dry_run=true" if dry_run else ""), text, content_type="text/csv")


def test_json_dry_run_then_commit_then_idempotent_reupload(setup, client_for):
    clerk = client_for("ca_canbo")
    dry = post_json(clerk, {"dataValues": ROWS}, dry_run=True)
    assert dry.status_code == 200, dry.json()
    assert (dry.json()["created"], dry.json()["dry_run"]) == (3, True)
    assert [(r["row"], r["action"], r["value"]) for r in dry.json()["rows"]] == [
        (1, "created", 7),
        (2, "created", 1425.5),
        (3, "created", 38.161),
    ]
    assert DataValue.objects.count() == 0

    done = post_json(clerk, {"dataValues": ROWS}).json()
    assert (done["created"], done["updated"], done["unchanged"]) == (3, 0, 0)
    assert ValueChange.objects.filter(batch=done["batch"], source="api").count() == 3
    again = post_json(clerk, ROWS).json()  # a bare array is accepted too
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert ValueChange.objects.count() == 3

    changed = [dict(ROWS[0], value=8), *ROWS[1:]]
    preview = post_json(clerk, {"dataValues": changed}, dry_run=True).json()
    assert preview["rows"][0] == {**preview["rows"][0], "action": "updated", "old_value": 7, "value": 8}
    result = post_json(clerk, {"dataValues": changed}).json()
    assert (result["updated"], result["unchanged"]) == (1, 2)
    value = DataValue.objects.get(indicator__code="HS")
    assert (value.value, value.version, value.updated_by.username) == (8, 2, "ca_canbo")
    last = ValueChange.objects.get(batch=result["batch"])
    assert (last.old_value, last.new_value) == (7, 8)


def test_csv_commit_and_idempotency(setup, client_for):
    clerk = client_for("ca_canbo")
    text = HEADER + 'HS,CITY_POLICE,202006,actual,7,\nTHU,CITY_POLICE,202006,,"1.425,5",ước\n'
    assert post_csv(clerk, text, dry_run=True).json()["created"] == 2
    assert post_csv(clerk, text).json()["created"] == 2
    assert post_csv(clerk, text.encode("utf-8-sig")).json()["unchanged"] == 2
    assert ValueChange.objects.count() == 2


def _errors(response, status):
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert errors and all(set(e) == {"row", "field", "message"} and e["message"] for e in errors)
    assert DataValue.objects.count() == 0
    return errors


@pytest.mark.parametrize(
    "payload, field, text",
    [
        ('{"dataValues": [{"indicator": "HS",', None, "JSON không hợp lệ"),
        ("[1, 2]", None, "đối tượng JSON"),
        ('{"other": []}', None, "dataValues"),
        ("[] trailing", None, "còn nội dung"),
        ("", None, "JSON không hợp lệ"),
        ([{**ROWS[0], "indicator": "XX"}], "indicator", '"XX"'),
        ([{**ROWS[0], "org_unit": "NOWHERE"}], "org_unit", '"NOWHERE"'),
        ([{**ROWS[0], "period": "2020-06"}], "period", "2020-06"),
        ([{**ROWS[0], "kind": "tháng"}], "kind", "không hợp lệ"),
        ([{**ROWS[0], "value": True}], "value", "phải là số"),
        ([{**ROWS[0], "value": None}], "value", "thiếu giá trị"),
        ([{**ROWS[0], "value": "1.2.3"}], "value", "1.2.3"),
        ([{**ROWS[0], "value": "2,5"}], "value", "số nguyên"),
        ([{**ROWS[0], "value": -1}], "value", "số âm"),
        ([{**ROWS[0], "indicator": 12}], "indicator", "chuỗi"),
        ([{**ROWS[0], "colour": "red"}], "colour", "không được hỗ trợ"),
        ([ROWS[0], ROWS[0]], None, "trùng số liệu với dòng 1"),
    ],
)
def test_bad_json_is_a_400_with_every_error(setup, client_for, payload, field, text):
    errors = _errors(post_json(client_for("ca_canbo"), payload), 400)
    assert any(e["field"] == field and text in e["message"] for e in errors), errors


@pytest.mark.parametrize(
    "text, row, field, message",
    [
        ("", None, None, "Tệp rỗng"),
        ("indicator,org_unit,period\nHS,CITY_POLICE,202006\n", 1, "value", "thiếu cột"),
        (HEADER + "HS,CITY_POLICE,202006,actual,7,,surplus\n", 2, None, "có 7 cột"),
        (
            HEADER + "HS,CITY_POLICE,202006,actual,7,\nXX,CITY_POLICE,202006,actual,1,\n",
            3,
            "indicator",
            '"XX"',
        ),
        (b"\xff\xfe\x00binary", None, None, "UTF-8"),
    ],
)
def test_bad_csv_is_a_400_naming_the_line(setup, client_for, text, row, field, message):
    errors = _errors(post_csv(client_for("ca_canbo"), text), 400)
    assert any(e["row"] == row and e["field"] == field and message in e["message"] for e in errors), errors


def test_other_units_closed_forms_size_and_media_type(setup, client_for, settings):
    errors = _errors(post_json(client_for("thue_canbo"), ROWS), 403)
    assert "Công an thành phố" in errors[0]["message"]
    _errors(post_json(client_for("vanphong"), ROWS), 403)

    Submission.objects.create(data_set=setup.form, org_unit=setup.police, period="202006", status="submitted")
    errors = _errors(post_json(client_for("ca_canbo"), ROWS), 409)
    assert [e["row"] for e in errors] == [1, 2] and "không sửa được" in errors[0]["message"]

    settings.BAOCAO_API_MAX_UPLOAD_BYTES = 50
    _errors(post_json(client_for("ca_canbo"), ROWS), 413)
    _errors(client_for("ca_canbo").post(URL, "a=b", content_type="application/x-www-form-urlencoded"), 415)


def test_export_streams_and_round_trips(setup, client_for):
    clerk = client_for("ca_canbo")
    rows = [*ROWS, {**ROWS[0], "period": "202005", "value": "5.832.661.500"}]
    assert post_json(clerk, rows).status_code == 200
    setup.value(setup.thu, setup.tax, "202006", 1)  # not visible to the police
    for fmt in ("json", "csv"):
        response = clerk.get(URL, {"period": ["202005", "202006"], "format": fmt})
        assert response.status_code == 200 and response.streaming
        first = b"".join(response.streaming_content)
        assert b"CITY_TAX" not in first
        DataValue.objects.filter(org_unit=setup.police).delete()
        post = post_json if fmt == "json" else post_csv
        assert post(clerk, first).json()["created"] == 4
        again = b"".join(clerk.get(URL, {"period": ["202005", "202006"], "format": fmt}).streaming_content)
        assert again == first
    assert b'"value": 38.161' in first or b"38,161" in first
    exported = json.loads(
        b"".join(clerk.get(URL, {"period": "202006", "indicator": "THU"}).streaming_content)
    )
    assert exported == {
        "dataValues": [
            {
                "indicator": "THU",
                "org_unit": "CITY_POLICE",
                "period": "202006",
                "kind": "actual",
                "value": 1425.5,
                "comment": "ước",
            }
        ]
    }
    assert clerk.get(URL).status_code == 400
    assert clerk.get(URL, {"period": "202006", "org_unit": "CITY_TAX"}).status_code == 400

"""Key-figure cards are data: loaded from rows (the demo's key-figures.yaml), dumped back to the same rows,
chosen per unit or report type, all or nothing, MANAGE only."""

import csv
import io

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from baocao.analytics.cards import cards_for, dump_cards, dump_directions, load_cards, load_directions
from baocao.analytics.models import KeyFigureCard
from baocao.core.csvio import ImportRejected
from baocao.core.numbers import parse_number
from baocao.demo.loader import DEMO_BUNDLE
from baocao.indicators.models import Direction, Indicator
from baocao.orgunits.models import OrgUnit

# The demo's cards are its bundle's key-figure file; whether up is good is a column of its indicators.csv.
KEY_FIGURES = {
    "cards": yaml.safe_load((DEMO_BUNDLE / "key-figures.yaml").read_text(encoding="utf-8"))["cards"],
    "indicators": [
        {
            "code": r["code"],
            "direction": r["direction"],
            "warning_band": float(parse_number(r["warning_band"])),
        }
        for r in csv.DictReader(io.StringIO((DEMO_BUNDLE / "indicators.csv").read_text(encoding="utf-8")))
    ],
}


def test_demo_cards_round_trip(demo):
    assert dump_cards() == KEY_FIGURES["cards"]
    dumped = {row["code"]: row for row in dump_directions()}
    for row in KEY_FIGURES["indicators"]:
        if row["direction"] != "none" or row["warning_band"] != 5:
            assert dumped[row["code"]]["direction"] == row["direction"]
            assert dumped[row["code"]]["warning_band"] == row["warning_band"]
    assert load_cards(dump_cards()) == len(KEY_FIGURES["cards"])  # loading again changes nothing
    assert dump_cards() == KEY_FIGURES["cards"]


def test_city_and_its_agencies_see_the_report_types_cards_a_unit_card_set_wins(demo):
    city = OrgUnit.objects.get(code="TPLS")
    police = OrgUnit.objects.get(code="TPLS_CA")
    assert [(c.indicator.code, c.kind) for c in cards_for(city, "month")] == [
        (r["indicator"], r["kind"]) for r in KEY_FIGURES["cards"]
    ]
    assert len(cards_for(police, "month")) == len(KEY_FIGURES["cards"])  # inherited from the city
    load_cards([{"org_unit": "TPLS_CA", "indicator": "HS_VU"}])
    assert [c.indicator.code for c in cards_for(police, "month")] == ["HS_VU"]
    assert len(cards_for(city, "month")) == len(KEY_FIGURES["cards"])  # the city keeps its set
    province = OrgUnit.objects.get(code="LS")
    assert cards_for(province, "month") == []  # nothing above the city, no default set
    load_cards([{"indicator": "THU_NSNN", "target_types": ["DT_THANG"]}])
    assert [c.indicator.code for c in cards_for(province, "month")] == ["THU_NSNN"]


def test_a_bad_row_rejects_the_whole_set_naming_row_and_field(demo):
    before = dump_cards()
    with pytest.raises(ImportRejected) as caught:
        load_cards(
            [
                {"report_type": "KTXH_THANG", "indicator": "THU_NSNN"},
                {"report_type": "KTXH_THANG", "indicator": "KHONG_CO", "kind": "dự báo"},
                {
                    "report_type": "KTXH_THANG",
                    "org_unit": "TPLS",
                    "indicator": "HS_VU",
                    "target_types": ["X"],
                },
            ]
        )
    text = str(caught.value)
    assert 'Dòng 2, cột indicator: thẻ 2: không có chỉ tiêu mã "KHONG_CO"' in text
    assert "Dòng 2, cột kind" in text
    assert "Dòng 3, cột org_unit" in text
    assert 'Dòng 3, cột target_types: thẻ 3: không có loại kế hoạch mã "X"' in text
    assert dump_cards() == before
    with pytest.raises(ImportRejected, match="warning_band"):
        load_directions([{"code": "HS_VU", "direction": "down", "warning_band": 150}])
    assert Indicator.objects.get(code="HS_VU").direction == Direction.DOWN


def test_only_managers_load_cards(demo):
    leader = User.objects.get(username="lanhdao")
    with pytest.raises(PermissionDenied):
        load_cards([{"report_type": "KTXH_THANG", "indicator": "THU_NSNN"}], leader)
    with pytest.raises(PermissionDenied):
        load_directions([{"code": "HS_VU", "direction": "up"}], leader)
    assert Indicator.objects.get(code="HS_VU").direction == Direction.DOWN
    assert KeyFigureCard.objects.filter(report_type__code="KTXH_THANG").count() == len(KEY_FIGURES["cards"])
    admin = User.objects.get(username="admin")
    assert load_cards([{"report_type": "KTXH_THANG", "indicator": "THU_NSNN"}], admin) == 1

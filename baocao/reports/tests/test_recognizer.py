"""The recogniser against the demo's June 2020 figures: the police paragraph of the seed typed as plain
text is bound number by number, and the expressions write it back from the data; a wrong number is a
mismatch offering the stored figure; a changed value changes what the expressions write; archive import
proposes values by unit and name only. The seed's text is read from its copy (tests/data); no figure is
written here."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from baocao.analytics.figures import get_figures
from baocao.collection.models import DataValue
from baocao.core import numbers
from baocao.core.periods import Period
from baocao.reports.recognizer import propose_values, recognise
from baocao.reports.rendering import render_block, report_context
from baocao.testing import SEED_REPORT
from baocao.testing.factories import computed_from_demo

SEED = SEED_REPORT
JUNE = Period.parse("202006")


def police_paragraph() -> str:
    """The seed's police paragraph as a clerk types it: plain text, no marks ("28.000.000đ")."""
    paragraph = next(p for p in SEED.read_text(encoding="utf-8").split("\n\n") if "Phạm pháp hình sự" in p)
    return re.sub(r"<sup>d</sup>", "đ", paragraph).replace("*", "").strip()


def as_template(text: str, results) -> str:
    """The text with every bound number replaced by its data field, as the editor stores it."""
    out, last = [], 0
    for result in results:
        if result.status != "bound":
            continue
        binding = result.binding
        out += [text[last : binding.start], "{{ " + binding.expression + " }}"]
        last = binding.end
    return "".join([*out, text[last:]])


def rendered(template: str) -> str:
    figures = get_figures(["TPLS_CA"], JUNE)
    context = report_context(
        figures, JUNE, "Công an thành phố", next_figures=get_figures(["TPLS_CA"], JUNE.next())
    )
    return render_block(template, context)


@pytest.fixture(scope="module")
def june(django_db_setup, django_db_blocker):
    def compute():
        text = police_paragraph()
        results = recognise(text, org_unit="TPLS_CA", period=JUNE)
        template = as_template(text, results)
        stored_21 = get_figures(["TPLS_CA"], JUNE).value("MT_DOI_TUONG")
        typed = numbers.format_count(stored_21 + 4)
        wrong = recognise(
            f"Bắt {typed} đối tượng mua bán trái phép chất ma túy.", org_unit="TPLS_CA", period=JUNE
        )
        floor = stored_21 - stored_21 % 10
        approx = recognise(
            f"Bắt hơn {numbers.format_count(floor)} đối tượng.", org_unit="TPLS_CA", period=JUNE
        )
        before = rendered(template)
        DataValue.objects.filter(
            indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006", kind="actual"
        ).update(value=Decimal(9))
        after = rendered(template)
        clerk = User.objects.get(username="ca.canbo")
        try:
            recognise(text, org_unit="TPLS_PKT", period=JUNE, user=clerk)
            refused = False
        except PermissionDenied:
            refused = True
        DataValue.objects.filter(period="202006").delete()  # an empty June, as for the archive import
        proposals = propose_values(text, org_unit="TPLS_CA", period=JUNE)
        return {
            "text": text,
            "results": results,
            "template": template,
            "before": before,
            "after": after,
            "wrong": wrong,
            "approx": approx,
            "floor": floor,
            "stored_21": stored_21,
            "refused": refused,
            "proposals": proposals,
        }

    return computed_from_demo(django_db_blocker, compute)


def test_every_number_of_the_police_paragraph_is_bound(june):
    unbound = [(r.mention.text, r.status) for r in june["results"] if r.status != "bound"]
    assert unbound == []
    assert len(june["results"]) >= 20
    assert "{{" not in june["text"] and "{{ f.HS_VU.value|dem }}" in june["template"]


def test_the_bound_text_writes_the_seed_sentence_from_the_data(june):
    assert june["before"] == june["text"]


def test_a_changed_value_changes_the_text(june):
    assert june["after"] != june["before"]
    assert "xảy ra 09 vụ" in june["after"] and "xảy ra 09 vụ" not in june["before"]


def test_a_wrong_count_is_a_mismatch_offering_the_stored_figure(june):
    (result,) = june["wrong"]
    assert result.status == "mismatch"
    assert result.binding.code == "MT_DOI_TUONG"
    assert result.stored_text == numbers.format_count(june["stored_21"])
    assert result.mention.text != result.stored_text


def test_the_change_phrase_is_bound_as_one_comparison(june):
    change = next(r for r in june["results"] if r.mention.verb == "tăng")
    assert change.binding.field == "change_previous"
    assert june["text"][change.binding.start : change.binding.end].startswith("tăng")
    assert june["text"][change.binding.start : change.binding.end].endswith("so với tháng trước")


def test_a_unit_the_user_may_not_see_is_refused(june):
    assert june["refused"]


def test_archive_import_proposes_the_values_without_stored_data(june):
    by_code = {p.code: p for p in june["proposals"]}
    for code in ("HS_VU", "MT_VU", "MT_DOI_TUONG", "MT_HEROIN", "TTKS_VI_PHAM_GT", "HS_THIET_HAI"):
        assert code in by_code, code
    assert all(p.org_unit == "TPLS_CA" and p.period == "202006" for p in june["proposals"])
    assert by_code["MT_HEROIN"].unit == "gam" and by_code["MT_HEROIN"].sentence in june["text"]


def test_a_rounded_number_with_its_qualifier_is_bound_through_lam_tron(june):
    (result,) = june["approx"]
    assert june["floor"] != june["stored_21"]  # the stored figure is not a multiple of ten
    assert result.status == "bound" and result.binding.code == "MT_DOI_TUONG"
    assert "|lam_tron(" in result.binding.expression
    assert result.stored_text == f"hơn {numbers.format_count(june['floor'])}"

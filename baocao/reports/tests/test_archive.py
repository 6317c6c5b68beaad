"""Archive import (issue 14, point 5): the seed's own text read back into an empty June 2020.

The seed is read at test time (its copy in the repository, baocao.testing.SEED_REPORT).
No figure of the seed is typed here: the truth the office reviews
against is the demo's June 2020 values, read before they are deleted.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from baocao.collection.models import ChangeSource, DataValue, Submission, ValueChange
from baocao.core import numbers
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit
from baocao.reports.archive import import_archive, read_archive
from baocao.reports.building import build_document
from baocao.reports.document import Table
from baocao.reports.models import ReportType
from baocao.reports.tests.test_seed_report import normalise, sentences
from baocao.testing import SEED_REPORT
from baocao.testing.factories import computed_from_demo

JUNE = Period.month(2020, 6)
SEED = SEED_REPORT


def report_text() -> str:
    report_type = ReportType.objects.get(code="KTXH_THANG")
    built = build_document(report_type, report_type.org_unit, JUNE)
    return normalise(" ".join(item.text for item in built.document.body if not isinstance(item, Table)))


def review(reading, truth):
    """What a careful office does in the review table, against what it knows the figures were: keeps a
    right row, corrects the indicator of a row whose number belongs to another indicator (the picker),
    drops the rest (duplicates, numbers that are not values), and binds the figures left among the
    unplaced numbers. Returns (rows to import, counts of each action)."""
    covered: set = set()
    rows, actions = [], {"kept": 0, "corrected": 0, "dropped": 0, "added": 0}
    for row in reading.rows:
        key = (row.code, row.org_unit, row.kind)
        if truth.get(key) == row.value and key not in covered:
            covered.add(key)
            actions["kept"] += 1
        else:
            other = next(
                (k for k, v in truth.items() if v == row.value and k not in covered and k[2] == row.kind),
                None,
            )
            if other is None:
                actions["dropped"] += 1
                continue
            key = other
            covered.add(key)
            actions["corrected"] += 1
        rows.append(
            {
                "line": row.line,
                "indicator": key[0],
                "org_unit": key[1],
                "kind": key[2],
                "value": numbers.format_number(row.value),
                "sentence": row.sentence,
            }
        )
    for key, value in truth.items():
        if key in covered:
            continue
        sentence = next((u.sentence for u in reading.unplaced if u.value == value), None)
        if sentence is None:
            continue  # not stated in the text: the report cannot need it
        actions["added"] += 1
        rows.append(
            {
                "line": len(rows) + 1,
                "indicator": key[0],
                "org_unit": key[1],
                "kind": key[2],
                "value": numbers.format_number(value),
                "sentence": sentence,
            }
        )
    assert reading.unplaced  # the numbers left are listed
    return rows, actions


@pytest.fixture(scope="module")
def june(django_db_setup, django_db_blocker):
    def compute():
        before = report_text()
        truth = {
            (v.indicator.code, v.org_unit.code, v.kind): v.value
            for v in DataValue.objects.filter(period=JUNE.id).select_related("indicator", "org_unit")
        }
        DataValue.objects.filter(period=JUNE.id).delete()
        Submission.objects.filter(period=JUNE.id).delete()  # an empty June: no form sent yet
        emptied = report_text()
        office = User.objects.get(username="vanphong")
        city = OrgUnit.objects.get(code="TPLS")
        reading = read_archive(SEED.read_text(encoding="utf-8"), user=office, org_unit=city, period=JUNE)
        rows, actions = review(reading, truth)
        dry = import_archive(office, rows, org_unit=city, period=JUNE, dry_run=True)
        after_dry = DataValue.objects.filter(period=JUNE.id).count()
        done = import_archive(office, rows, org_unit=city, period=JUNE, dry_run=False)
        changes = list(ValueChange.objects.filter(batch=done.batch).select_related("indicator"))
        clerk = User.objects.get(username="ca.canbo")
        try:
            import_archive(clerk, rows[:1], org_unit=city, period=JUNE, dry_run=True)
            clerk_refused = False
        except PermissionDenied:
            clerk_refused = True
        return {
            "before": before,
            "emptied": emptied,
            "after": report_text(),
            "truth": truth,
            "reading": reading,
            "actions": actions,
            "dry": dry,
            "after_dry": after_dry,
            "done": done,
            "changes": changes,
            "clerk_refused": clerk_refused,
            "rows": rows,
        }

    return computed_from_demo(django_db_blocker, compute)


def test_the_seed_text_proposes_the_seeds_figures(june):
    truth, reading = june["truth"], june["reading"]
    right = [r for r in reading.rows if truth.get((r.code, r.org_unit, r.kind)) == r.value]
    proposed_keys = {(r.code, r.org_unit, r.kind) for r in right}
    # Most of the seed's values come back on the right indicator with their value; the rest are reviewed.
    assert len(proposed_keys) >= 0.8 * len(truth), (len(proposed_keys), len(truth))
    assert len(right) >= 0.85 * len(reading.rows)
    police = next(r for r in reading.rows if r.code == "HS_VU")
    assert "Phạm pháp hình sự" in police.sentence and police.org_unit == "TPLS_CA"


def test_the_dry_run_shows_what_would_change_and_writes_nothing(june):
    dry = june["dry"]
    assert dry.dry_run and june["after_dry"] == 0
    assert dry.created == len(june["rows"]) and dry.summary().startswith("Sẽ ghi")


def test_every_figure_sentence_of_the_report_is_back_after_review_and_import(june):
    before, emptied, after = june["before"], june["emptied"], june["after"]
    figure_sentences = [s for s in sentences(before) if re.search(r"\d", s)]
    assert len(figure_sentences) > 60
    lost = [s for s in figure_sentences if s not in emptied]
    assert len(lost) > 40  # emptying June did remove the figures from the report
    missing = [s for s in figure_sentences if s not in after]
    assert missing == []
    assert june["actions"]["kept"] > june["actions"]["corrected"] + june["actions"]["added"]


def test_each_imported_value_keeps_its_sentence_with_the_archive_source(june):
    changes = june["changes"]
    assert len(changes) == june["done"].created == len(june["rows"])
    assert {c.source for c in changes} == {ChangeSource.ARCHIVE}
    hs = next(c for c in changes if c.indicator.code == "HS_VU")
    assert hs.get_source_display() == "Từ báo cáo cũ" and "Phạm pháp hình sự" in hs.source_note


def test_a_unit_clerk_may_not_import_for_the_city(june):
    assert june["clerk_refused"]

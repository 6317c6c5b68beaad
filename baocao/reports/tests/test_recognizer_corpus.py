"""The recogniser's corpus (baocao/reports/recognizer/corpus): precision and recall on the seed report's
parts I and III against the demo's June 2020 figures (targets of issue 14: at least 95% of the
figure-bearing numbers bound to the right indicator, at most 2% of the bindings wrong), and on the
written sentences; the held-back part is scored and reported separately, never tuned on."""

import pytest

from baocao.reports.recognizer.corpus import corpus_files, evaluate
from baocao.testing.factories import computed_from_demo


@pytest.fixture(scope="module")
def scores(django_db_setup, django_db_blocker):
    def compute():
        return {path.stem: evaluate(path) for path in corpus_files("")}

    return computed_from_demo(django_db_blocker, compute)


def report(score) -> str:
    details = [score.line(), *(f"  thiếu: {m}" for m in score.misses), *(f"  sai: {w}" for w in score.wrongs)]
    return "\n".join(details)


def test_every_corpus_file_is_scored(scores):
    assert {"seed-2020-06", "held-back-2026"} <= set(scores)
    assert all(recognised.expected > 0 for recognised, _ in scores.values())


def test_the_seed_parts_i_and_iii_meet_the_targets(scores):
    recognised, _ = scores["seed-2020-06"]
    print(report(recognised))
    assert recognised.expected >= 140  # every figure-bearing number of parts I and III is in the corpus
    assert recognised.recall >= 0.95, report(recognised)
    assert recognised.wrong_rate <= 0.02, report(recognised)


def test_the_held_back_part_is_reported_separately(scores):
    recognised, proposed = scores["held-back-2026"]
    print(report(recognised))
    print(report(proposed))
    assert recognised.name.startswith("held-back") and proposed.name.startswith("held-back")

"""The `e2e` marker selects the browser tests and only them: `pytest -m "not e2e"` runs everything else.

Checked by collecting, in a separate pytest run, the browser tests together with one ordinary test file:
a collection only (no database, no browser), a few seconds."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDINARY = "baocao/core/tests/test_periods.py"


def collected(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_not_e2e_runs_the_ordinary_tests_and_no_browser_test():
    ids = collected("-m", "not e2e", "tests/e2e", ORDINARY)
    assert ids, "pytest -m 'not e2e' không chọn được kiểm thử nào"
    assert all(i.startswith(ORDINARY) for i in ids)


def test_e2e_selects_the_browser_tests_only():
    ids = collected("-m", "e2e", "tests/e2e", ORDINARY)
    assert ids
    assert all(i.startswith("tests/e2e/") for i in ids)

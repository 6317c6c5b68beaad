"""Module-scoped fixtures computed from the demo (``factories.computed_from_demo``) reach the test
database, never the developer's, even when their module runs alone.

pytest-django creates the test database only for the collected tests that mark or request it; a module
whose tests use only such a fixture (depending on ``django_db_setup``) would otherwise compute against
baocao.sqlite3. The root conftest marks those tests ``django_db``; ``computed_from_demo`` refuses any
database that is not a test database."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from baocao.testing.factories import computed_from_demo

ROOT = Path(__file__).resolve().parent.parent
PDFA = "baocao/reports/tests/test_pdfa.py"  # its tests use only the module's demo fixture


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


def test_a_module_run_alone_gets_the_test_database_for_its_module_fixture():
    marked = collected("-m", "django_db", PDFA)
    assert f"{PDFA}::test_the_issued_demo_pdf_is_pdfa_2b" in marked
    assert f"{PDFA}::test_something_that_is_not_a_pdf" not in marked  # no database asked, none given


@pytest.mark.django_db
def test_computed_from_demo_refuses_the_development_database(django_db_blocker):
    test_name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = str(ROOT / "baocao.sqlite3")
    try:
        with pytest.raises(RuntimeError, match="not a test database"):
            computed_from_demo(django_db_blocker, lambda: None)
    finally:
        connection.settings_dict["NAME"] = test_name

"""Test support shared by the test suites (factories of the test worlds); not used by the application."""

from pathlib import Path

# The seed report (UBND thành phố Lạng Sơn, June 2020), kept in the repository so a clone anywhere runs the
# tests that read it (the shared folder it came from is not part of a clone).
SEED_REPORT = (
    Path(__file__).resolve().parents[1] / "reports" / "tests" / "data" / "bao-cao-kt-xh-thang-6-2020.md"
)

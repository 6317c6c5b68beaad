"""Test support shared by the test suites (factories of the test worlds); not used by the application."""

"""Search from the header: accent-insensitive, across indicators, units, tasks and reports (issue 17)."""

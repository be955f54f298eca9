"""Fixtures of the reports tests: the weekly report's fortnight (reports.tests.weekly_data)."""

from reports.tests.weekly_data import fortnight, office, report_files  # noqa: F401

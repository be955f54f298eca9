"""Demo data of the reports app: last week's report, so the page is not empty after seed_demo.

Called at the end of `manage.py seed_demo` (core.management.commands.seed_demo), after the demo
dossiers and explanations exist. Idempotent: a week already built is left as it is.
"""

from __future__ import annotations

from django.utils import timezone

from .constants import ReportTrigger
from .models import WeeklyReport
from .services import last_complete_week, weekly_report_build


def seed(*, agency) -> int:
    """Build last week's weekly report of `agency` if it does not exist yet (nothing is
    emailed). Returns how many reports were created (0 or 1)."""
    now = timezone.now()
    week_start = last_complete_week(now)
    if WeeklyReport.objects.filter(agency=agency, week_start=week_start).exists():
        return 0
    weekly_report_build(
        agency=agency, week_start=week_start, trigger=ReportTrigger.COMMAND, now=now
    )
    return 1

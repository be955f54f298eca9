"""`manage.py build_weekly_report [--week YYYY-MM-DD] [--agency CODE] [--no-email]`.

Builds a new revision of the weekly late-dossier report (reports.services) of one agency or of
every agency, asking first for the explanations of late dossiers that have none, and emails it
to the leaders unless `--no-email` (once its files are rendered: a Celery task, run at once
when no broker is configured).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Agency
from dossiers.reporting import week_start_of
from reports.constants import ReportTrigger
from reports.services import files_ready, weekly_reports_build_all


class Command(BaseCommand):
    help = (
        "Build the weekly late-dossier report (a new revision) for last week, or for the week "
        "containing --week, and email it to the leaders."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--week",
            help="Any day of the week to report on, YYYY-MM-DD (default: last week).",
        )
        parser.add_argument(
            "--agency", help="Electronic identifier of the agency (default: every agency)."
        )
        parser.add_argument("--no-email", action="store_true", help="Build without emailing.")

    def handle(self, *args, week=None, agency=None, no_email=False, **options):
        week_start = None
        if week:
            try:
                week_start = week_start_of(date.fromisoformat(week))
            except ValueError as error:
                raise CommandError(f"--week: {week!r} is not a date YYYY-MM-DD.") from error
        agencies = None
        if agency:
            found = Agency.objects.filter(code=agency).first()
            if found is None:
                raise CommandError(f"No agency with the identifier {agency!r}.")
            agencies = [found]
        results = weekly_reports_build_all(
            trigger=ReportTrigger.COMMAND,
            agencies=agencies,
            week_start=week_start,
            email=not no_email,
            request_explanations=True,
        )
        failed = False
        for result in results:
            if result.report is None:
                failed = True
                self.stderr.write(f"{result.agency.code}: {result.error}")
                continue
            report = result.report
            report.refresh_from_db(fields=["xlsx_file", "pdf_file"])  # rendered after commit
            totals = report.figures.get("totals", {})
            if not files_ready(report):
                after = "; files and emails queued" if not no_email else "; files queued"
            else:
                after = "" if no_email else f", {report.deliveries.count()} email(s)"
            self.stdout.write(
                f"{result.agency.code}: week of {report.week_start:%d/%m/%Y}, revision "
                f"{report.revision} (#{report.pk}): {totals.get('open_overdue', 0)} overdue, "
                f"{totals.get('resolved_late', 0)} resolved late{after}"
            )
        if failed:
            raise CommandError("Some reports were not built.")

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import demo as accounts_demo
from dossiers import demo as dossiers_demo
from procedures import demo as procedures_demo
from reports import demo as reports_demo
from satisfaction import demo as satisfaction_demo


class Command(BaseCommand):
    help = "Load the demo agency, staff accounts and procedures. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (never on a real production database).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a known password; DEBUG is off.")
        agency = accounts_demo.seed()
        created = procedures_demo.seed(agency=agency)
        dossier_count = dossiers_demo.seed(agency=agency)
        report_count = reports_demo.seed(agency=agency)  # last week's report, after the dossiers
        response_count = satisfaction_demo.seed(agency=agency)  # ratings of returned dossiers
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} new procedure(s), {dossier_count} new dossier(s), "
                f"{report_count} new weekly report(s), {response_count} new survey response(s))."
            )
        )

"""`manage.py generate_dossiers --count N`: large realistic data sets for benchmarks.

Needs PostgreSQL (COPY) and an agency with published procedures and staff (`seed_demo`).
Never run it against a database with real dossiers: the rows are invented.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Agency
from dossiers.management.bulk import GenerationError, generate, require_postgresql


class Command(BaseCommand):
    help = (
        "Generate N realistic dossiers with their history, hand-overs and pauses over the last "
        "months (PostgreSQL COPY, for benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many dossiers.")
        parser.add_argument(
            "--agency", help="Electronic identifier of the agency (default: the primary one)."
        )
        parser.add_argument(
            "--batch", type=int, default=50_000, help="Dossiers per COPY transaction."
        )
        parser.add_argument(
            "--months", type=int, default=12, help="Spread receipts over the last N months."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument(
            "--check-foreign-keys",
            action="store_true",
            help="Keep foreign-key triggers on while loading (about twice as slow).",
        )
        parser.add_argument(
            "--no-parallel",
            action="store_true",
            help="Build and write in one process (slower; for debugging).",
        )

    def handle(
        self,
        *args,
        count,
        agency=None,
        batch,
        months,
        seed,
        no_parallel,
        check_foreign_keys,
        **options,
    ):
        try:
            require_postgresql()
        except GenerationError as error:
            raise CommandError(str(error)) from error
        found = Agency.objects.filter(code=agency).first() if agency else Agency.objects.primary()
        if found is None:
            raise CommandError(
                f"No agency {agency!r}." if agency else "No primary agency; run seed_demo first."
            )
        self.stdout.write(f"Generating {count:,} dossiers for {found.code} ({found})…")
        try:
            result = generate(
                agency=found,
                count=count,
                batch_size=batch,
                months=months,
                seed=seed,
                parallel=False if no_parallel else None,
                check_foreign_keys=check_foreign_keys,
                progress=self.stdout.write,
            )
        except GenerationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {result.dossiers:,} dossiers, {result.events:,} events, "
                f"{result.transfers:,} transfers, {result.pauses:,} pauses, "
                f"{result.apologies:,} apologies in {result.seconds:.1f} s."
            )
        )

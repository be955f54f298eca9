"""`manage.py generate_dossiers`: bulk data that behaves like data the services wrote."""

import re
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone
from psycopg2 import sql

from accounts.constants import Role
from core.calendar import TimeUnit, get_calendar
from core.text import fold
from dossiers.clock import timeliness_of
from dossiers.constants import FINISHED_STATUSES, OPEN_STATUSES, DossierStatus, Timeliness
from dossiers.models import (
    Dossier,
    DossierCodeSequence,
    DossierEvent,
    DossierPause,
    DossierTransfer,
)
from dossiers.tests.factories import published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db
S = DossierStatus


@pytest.fixture
def bench_agency(agency):
    published_procedure(agency)  # 5 working days
    published_procedure(
        agency,
        processing_time_amount=Decimal("15"),
        processing_time_unit=TimeUnit.CALENDAR_DAYS,
    )
    for role in (Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER):
        staff(agency, role)
    return agency


def _generate(agency, count, **options):
    out = StringIO()
    call_command(
        "generate_dossiers",
        count=count,
        agency=agency.code,
        batch=500,
        months=3,
        stdout=out,
        **options,
    )
    return out.getvalue()


def _sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def test_generates_dossiers_with_history_and_hand_overs(bench_agency):
    output = _generate(bench_agency, 2000)

    assert "Done: 2,000 dossiers" in output
    assert Dossier.objects.count() == 2000
    assert DossierEvent.objects.count() >= 3 * 2000
    assert not Dossier.objects.filter(events__isnull=True).exists()
    assert DossierTransfer.objects.count() >= 1500
    # Staff search finds generated applicants without diacritics, as it finds real ones.
    sample = Dossier.objects.order_by("id")[17]
    assert sample.applicant_search == fold(f"{sample.applicant_name} {sample.organisation_name}")
    assert sample in Dossier.objects.search(fold(sample.applicant_name).upper())
    # Foreign keys hold even though the load skips their triggers.
    for table, column, parent in (
        ("dossiers_dossierevent", "dossier_id", "dossiers_dossier"),
        ("dossiers_dossierevent", "actor_id", "accounts_user"),
        ("dossiers_dossiertransfer", "dossier_id", "dossiers_dossier"),
        ("dossiers_dossiertransfer", "receiver_id", "accounts_user"),
        ("dossiers_dossierpause", "dossier_id", "dossiers_dossier"),
        ("dossiers_dossierapology", "dossier_id", "dossiers_dossier"),
        ("dossiers_dossier", "handler_id", "accounts_user"),
        ("dossiers_dossier", "procedure_id", "procedures_procedure"),
    ):
        query = sql.SQL(
            "SELECT count(*) FROM {table} t LEFT JOIN {parent} p ON p.id = t.{column} "
            "WHERE t.{column} IS NOT NULL AND p.id IS NULL"
        ).format(
            table=sql.Identifier(table),
            parent=sql.Identifier(parent),
            column=sql.Identifier(column),
        )
        orphans = _sql(query)
        assert orphans == [(0,)], (table, column)


def test_codes_are_unique_follow_the_clock_and_later_intakes_continue(bench_agency):
    _generate(bench_agency, 2000)
    calendar = get_calendar()
    pattern = re.compile(rf"^{re.escape(bench_agency.code)}-(\d{{6}})-(\d{{4}})$")
    numbers = defaultdict(list)
    start = timezone.localdate() - timedelta(days=95)
    for code, received_at in Dossier.objects.order_by("received_at", "id").values_list(
        "code", "received_at"
    ):
        local = timezone.localtime(received_at)
        match = pattern.match(code)
        assert match, code
        assert match[1] == f"{local:%y%m%d}"
        assert calendar.is_working_day(local.date()) and local.date() >= start
        assert time(7) <= local.time() < time(17)
        assert local.time() < time(11, 30) or local.time() >= time(13, 30)
        numbers[local.date()].append(int(match[2]))
    assert sum(map(len, numbers.values())) == len(set(Dossier.objects.values_list("code")))
    for day, used in numbers.items():
        assert used == list(range(1, len(used) + 1)), day  # in order of receipt, no gap
        assert DossierCodeSequence.objects.get(agency=bench_agency, day=day).last_number == max(
            used
        )

    # A real intake on a generated day takes the next free number...
    busiest = max(numbers, key=lambda day: len(numbers[day]))
    desk = staff(bench_agency, Role.DESK_OFFICER)
    procedure = bench_agency.procedures.first()
    received_at = timezone.make_aware(datetime.combine(busiest, time(16, 30)))
    dossier = register_dossier(procedure=procedure, user=desk, received_at=received_at)
    assert dossier.code.endswith(f"{busiest:%y%m%d}-{len(numbers[busiest]) + 1:04d}")
    # ... and so does a second generation.
    _generate(bench_agency, 300, seed=7)
    assert Dossier.objects.values("code").distinct().count() == 2301


def test_statuses_dates_and_history_agree(bench_agency):
    _generate(bench_agency, 2000)
    dossiers = Dossier.objects.all()
    by_status = dict(_sql("SELECT status, count(*) FROM dossiers_dossier GROUP BY status"))

    # Mostly returned, mostly early or on time; a few open, refused, stopped or withdrawn.
    assert by_status[S.RETURNED] > 0.75 * 2000
    open_count = sum(by_status.get(s, 0) for s in OPEN_STATUSES)
    assert 0 < open_count < 0.15 * 2000
    assert by_status.get(S.REFUSED, 0) > 0
    returned = dossiers.filter(status=S.RETURNED)
    late = returned.filter(timeliness=Timeliness.LATE).count()
    assert 0 < late < returned.filter(timeliness=Timeliness.EARLY).count()

    now = timezone.now()
    assert not dossiers.filter(received_at__gt=now).exists()
    assert not DossierEvent.objects.filter(at__gt=now).exists()
    assert not dossiers.filter(status__in=OPEN_STATUSES, finished_at__isnull=False).exists()
    assert not dossiers.filter(status__in=FINISHED_STATUSES, finished_at__isnull=True).exists()
    assert not dossiers.filter(status__in=[S.RESOLVED, S.RETURNED], timeliness="").exists()
    assert not dossiers.exclude(status=S.REFUSED).filter(due_at__lt=F("original_due_at")).exists()
    assert not dossiers.filter(status=S.PROCESSING, handler__isnull=True).exists()
    phones = "SELECT count(*) FROM dossiers_dossier WHERE phone_last4 <> right(applicant_phone, 4)"
    assert _sql(phones) == [(0,)]
    assert not dossiers.exclude(applicant_phone__regex=r"^\+84(3|5|7|8|9)[0-9]{8}$").exists()
    # Paused dossiers have exactly one open pause; nobody else has one.
    paused = set(dossiers.filter(status__in=[S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT]))
    with_open_pause = {p.dossier for p in DossierPause.objects.filter(ended_at__isnull=True)}
    assert paused == with_open_pause
    # Dates agree with core.calendar and the clock rules the services apply.
    calendar = get_calendar()
    for dossier in dossiers.exclude(status=S.REFUSED).select_related("procedure"):
        assert dossier.original_due_at == calendar.due_at(
            dossier.received_at,
            dossier.processing_time_amount,
            dossier.processing_time_unit,
            cutoff=dossier.procedure.receipt_cutoff,
        ), dossier.code
        assert dossier.due_at == calendar.add_working_minutes(
            dossier.original_due_at, dossier.paused_minutes
        ) or (dossier.paused_minutes == 0 and dossier.due_at == dossier.original_due_at)
        if dossier.finished_at:
            assert dossier.timeliness == timeliness_of(
                finished_at=dossier.finished_at,
                due_at=dossier.due_at,
                multiple_supplements=dossier.supplement_request_count > 1,
            ), dossier.code
    for pause in DossierPause.objects.filter(ended_at__isnull=False):
        assert pause.working_minutes == calendar.working_minutes_between(
            pause.started_at, pause.ended_at
        )
    # The current status is where the history ends; events never go back in time.
    mismatched = _sql(
        """
        SELECT count(*) FROM dossiers_dossier d
        JOIN LATERAL (
            SELECT e.to_status FROM dossiers_dossierevent e
            WHERE e.dossier_id = d.id AND e.to_status <> '' AND e.to_status <> e.from_status
            ORDER BY e.at DESC, e.id DESC LIMIT 1
        ) last ON true
        WHERE last.to_status <> d.status
        """
    )
    assert mismatched == [(0,)]
    unordered = _sql(
        """
        SELECT count(*) FROM (
            SELECT at < lag(at) OVER (PARTITION BY dossier_id ORDER BY id) AS back
            FROM dossiers_dossierevent
        ) e WHERE back
        """
    )
    assert unordered == [(0,)]

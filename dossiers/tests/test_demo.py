"""The demo dossiers (`dossiers.demo.seed`): every state, real histories, idempotent.

Seeding runs the real services about 500 times, so it runs once for the module (inside a
transaction rolled back at the end) and each test reads the result.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from core.calendar import get_calendar
from core.validators import validate_cccd
from dossiers import demo
from dossiers.constants import (
    OPEN_STATUSES,
    DossierStatus,
    EventType,
    ExplanationStatus,
    PauseKind,
    Timeliness,
)
from dossiers.models import (
    Dossier,
    DossierApology,
    DossierEvent,
    DossierExplanation,
    DossierPause,
    DossierTransfer,
    IntakeGuidance,
)
from procedures import demo as procedures_demo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A Wednesday morning; the six months before it include Tết 2026 (16-20/2).
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=VN)
S = DossierStatus


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            agency = accounts_demo.seed()
            procedures_demo.seed(agency=agency)
            created = demo.seed(agency=agency, now=NOW)
            yield agency, created
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(seeded, db):
    return seeded


def _demo_dossiers(agency):
    return Dossier.objects.filter(agency=agency, note__startswith=demo.DEMO_NOTE)


def test_seed_covers_every_state_a_desk_sees(world):
    agency, created = world
    dossiers = _demo_dossiers(agency)
    assert created == dossiers.count() == Dossier.objects.filter(agency=agency).count()
    assert 110 <= created <= 130
    statuses = set(dossiers.values_list("status", flat=True))
    assert statuses >= {S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT}
    assert statuses >= {S.RESOLVED, S.RETURNED, S.STOPPED, S.WITHDRAWN, S.REFUSED}

    returned = dossiers.filter(status=S.RETURNED)
    assert set(returned.values_list("timeliness", flat=True)) == {
        Timeliness.EARLY,
        Timeliness.ON_TIME,
        Timeliness.LATE,
    }
    assert (
        returned.filter(timeliness=Timeliness.EARLY).count()
        > returned.filter(timeliness=Timeliness.LATE).count()
    )
    late = returned.filter(timeliness=Timeliness.LATE).first()
    assert late.resolved_at > late.due_at or late.supplement_request_count > 1

    resolved = dossiers.filter(status=S.RESOLVED)
    assert resolved.filter(paper_result_received_at__isnull=False).exists()
    assert resolved.filter(paper_result_received_at__isnull=True).exists()

    # Paused with the documents asked for; the clock stands still (one open pause).
    waiting = dossiers.filter(status=S.SUPPLEMENT_REQUESTED)
    for dossier in waiting:
        pause = dossier.pauses.get(ended_at__isnull=True)
        assert pause.kind == PauseKind.SUPPLEMENT and pause.items
    assert DossierPause.objects.filter(
        dossier__in=dossiers.filter(status=S.AWAITING_PAYMENT),
        kind=PauseKind.PAYMENT,
        ended_at__isnull=True,
    ).exists()
    # Closed pauses moved the due date by their working time.
    resumed = dossiers.filter(paused_minutes__gt=0).first()
    assert resumed.due_at > resumed.original_due_at

    # Rescheduled once, with an apology, to a later appointment.
    apologies = DossierApology.objects.filter(dossier__in=dossiers)
    assert apologies.exists()
    assert not apologies.filter(sequence__gt=1).exists()
    for apology in apologies:
        assert apology.new_due_at > apology.previous_due_at
        assert apology.dossier.rescheduled_due_at == apology.new_due_at
    assert apologies.filter(dossier__status__in=OPEN_STATUSES).exists()

    # Overdue open dossiers and dossiers due within one working day (amber).
    calendar = get_calendar()
    amber_until = calendar.end_of_day(calendar.next_working_day(NOW.date()))
    running = dossiers.filter(status__in=[S.ACCEPTED, S.PROCESSING])
    assert running.filter(due_at__lt=NOW).exists()
    assert running.filter(due_at__gte=NOW, due_at__lte=amber_until).exists()
    assert running.filter(due_at__gt=amber_until).exists()

    assert dossiers.filter(transfers__position=2).exists()  # desk -> office head -> specialist
    assert IntakeGuidance.objects.filter(agency=agency).count() == demo.GUIDANCE_COUNT


def test_nothing_happens_after_now_and_codes_follow_the_clock(world):
    agency, _ = world
    dossiers = _demo_dossiers(agency)
    assert not DossierEvent.objects.filter(dossier__in=dossiers, at__gt=NOW).exists()
    assert not dossiers.filter(updated_at__gt=NOW).exists()
    assert dossiers.earliest("received_at").received_at >= NOW - timedelta(days=190)
    by_day = {}
    for dossier in dossiers.order_by("received_at", "id"):
        day = timezone.localtime(dossier.received_at, VN).date()
        assert dossier.code.startswith(f"{agency.code}-{day:%y%m%d}-")
        by_day.setdefault(day, []).append(int(dossier.code.rsplit("-", 1)[1]))
    for numbers in by_day.values():  # numbered in order of receipt, from 0001
        assert numbers == list(range(1, len(numbers) + 1))
    for dossier in dossiers:
        local = timezone.localtime(dossier.received_at, VN)
        assert get_calendar().is_working_day(local.date())
        assert 7 <= local.hour < 17


def test_applicants_look_real(world):
    agency, _ = world
    for dossier in _demo_dossiers(agency):
        number = phonenumbers.parse(dossier.applicant_phone, None)
        assert phonenumbers.is_valid_number(number), dossier.applicant_phone
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        assert dossier.phone_last4 == dossier.applicant_phone[-4:]
        assert dossier.applicant_id_number.startswith("056")
        assert validate_cccd(dossier.applicant_id_number, today=NOW.date())
        assert dossier.applicant_name.split()[0] in demo.FAMILY_NAMES
        assert "Khánh Hòa" in dossier.applicant_address


def test_histories_are_ordered_and_end_in_the_current_status(world):
    agency, _ = world
    dossiers = _demo_dossiers(agency).prefetch_related("events", "transfers", "pauses")
    for dossier in dossiers:
        events = sorted(dossier.events.all(), key=lambda e: e.id)
        assert [e.at for e in events] == sorted(e.at for e in events), dossier.code
        first = events[0]
        assert first.at == dossier.received_at
        assert first.type in (EventType.ACCEPTED, EventType.REFUSED)
        status = ""
        for event in events:
            if event.to_status and event.to_status != event.from_status:
                assert event.from_status == status, (dossier.code, event.type)
                status = event.to_status
        assert status == dossier.status, dossier.code
        types = [e.type for e in events]
        assert types.count(EventType.RESCHEDULED) <= 1
        assert types.count(EventType.ASSIGNED) == len(dossier.transfers.all())
        # A pause ends by resumption, or with the dossier when it is stopped or withdrawn.
        resumed = [
            p for p in dossier.pauses.all() if p.ended_at and p.ended_at != dossier.finished_at
        ]
        assert types.count(EventType.RESUMED) == len(resumed), dossier.code
        if dossier.status in (S.RESOLVED, S.RETURNED):
            resolved = next(e for e in events if e.type == EventType.RESOLVED)
            assert resolved.at == dossier.resolved_at == dossier.finished_at
            assert resolved.data["new"]["timeliness"] == dossier.timeliness
        if dossier.status == S.RETURNED:
            assert events[-1].type == EventType.RETURNED
            assert events[-1].at == dossier.returned_at
        if dossier.handler_id:
            last = max(dossier.transfers.all(), key=lambda t: t.position)
            assert last.receiver_id == dossier.handler_id
    assert DossierTransfer.objects.filter(dossier__in=dossiers, completed_at__isnull=True).count()


def test_second_run_adds_nothing(world):
    agency, _ = world
    before = (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        IntakeGuidance.objects.count(),
        DossierApology.objects.count(),
    )
    assert demo.seed(agency=agency, now=NOW) == 0
    assert demo.seed(agency=agency) == 0  # whatever "now" is
    after = (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        IntakeGuidance.objects.count(),
        DossierApology.objects.count(),
    )
    assert after == before


def test_late_dossiers_have_explanations_in_every_state(world):
    agency, _ = world
    dossiers = _demo_dossiers(agency)
    explanations = DossierExplanation.objects.filter(dossier__in=dossiers)
    late = dossiers.filter(timeliness=Timeliness.LATE)
    overdue = dossiers.overdue(NOW)
    # Asked about every dossier that finished late or is overdue now, and no other.
    assert set(explanations.values_list("dossier", flat=True)) == set(
        late.values_list("pk", flat=True)
    ) | set(overdue.values_list("pk", flat=True))
    assert set(explanations.values_list("status", flat=True)) == set(ExplanationStatus.values)
    for explanation in explanations.prefetch_related("events"):
        events = list(explanation.events.all())
        # Asked the working morning after the dossier finished or fell due, never after now.
        assert events[0].type == "requested" and events[0].actor is None
        asked = timezone.localtime(events[0].at, VN)
        assert asked.time() == time(7, 30) or asked.date() == NOW.date()
        assert all(e.at <= NOW for e in events)
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[-1].to_status == explanation.status
    # One went through a return before it was accepted.
    assert explanations.filter(status=ExplanationStatus.ACCEPTED, submission_count=2).exists()

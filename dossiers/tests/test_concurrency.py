"""Concurrent intake and concurrent actions on PostgreSQL (real threads, real transactions)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from accounts.constants import Role
from core.calendar import get_calendar
from dossiers import services
from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from dossiers.tests.factories import published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_fifty_concurrent_registrations_get_fifty_consecutive_codes(agency):
    assert connection.vendor == "postgresql"
    procedure = published_procedure(agency)
    desk = staff(agency, Role.DESK_OFFICER)
    barrier = threading.Barrier(10)

    @_in_thread
    def register(i):
        if i < 10:
            barrier.wait(timeout=10)
        return register_dossier(procedure=procedure, user=desk).code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(register, range(50)))
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert len(set(codes)) == 50
    assert numbers == list(range(1, 51))


def test_two_officers_acting_at_once_lose_no_update(agency):
    procedure = published_procedure(agency)
    desk = staff(agency, Role.DESK_OFFICER)
    leader = staff(agency, Role.LEADER)
    officer = staff(agency, Role.SPECIALIST)
    dossier = register_dossier(procedure=procedure, user=desk)
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    barrier = threading.Barrier(2)

    @_in_thread
    def request_supplement():
        barrier.wait(timeout=10)
        services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Bản sao"], reason="Thiếu"
        )

    calendar = get_calendar()
    new_due_at = calendar.end_of_day(
        calendar.add_working_days(timezone.localtime(dossier.due_at).date(), 3)
    )

    @_in_thread
    def reschedule():
        barrier.wait(timeout=10)
        services.dossier_reschedule(
            dossier=dossier, user=leader, reason="Cần xác minh", new_due_at=new_due_at
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(request_supplement), pool.submit(reschedule)]
        errors = [f.exception() for f in futures]

    assert errors == [None, None]
    dossier = Dossier.objects.get(pk=dossier.pk)
    # Both changes are kept: neither write overwrote the other's fields.
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert dossier.supplement_request_count == 1
    assert dossier.rescheduled_due_at == new_due_at
    assert dossier.events.count() == 4

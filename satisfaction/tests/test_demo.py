"""The demo survey responses (`satisfaction.demo.seed`): six months, through the services."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from dossiers import demo as dossiers_demo
from procedures import demo as procedures_demo
from satisfaction import demo
from satisfaction.constants import FollowUpStatus, ResponseSource
from satisfaction.models import Answer, FollowUp, KioskDevice, Response

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=VN)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            agency = accounts_demo.seed()
            procedures_demo.seed(agency=agency)
            dossiers_demo.seed(agency=agency, now=NOW)
            created = demo.seed(agency=agency, now=NOW)
            yield agency, created
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(seeded, db):
    return seeded


def test_about_60_responses_from_every_source_over_six_months(world):
    agency, created = world
    responses = Response.objects.filter(agency=agency)

    assert created == responses.count() == demo.LINKED_COUNT + demo.KIOSK_COUNT
    assert set(responses.values_list("source", flat=True)) == set(ResponseSource.values)
    months = {
        timezone.localtime(at, VN).strftime("%Y-%m")
        for at in responses.values_list("submitted_at", flat=True)
    }
    assert len(months) >= 5
    assert max(responses.values_list("submitted_at", flat=True)) <= NOW
    linked = responses.filter(dossier__isnull=False)
    assert linked.count() == demo.LINKED_COUNT
    assert not linked.filter(handler__isnull=True).exists()
    assert all(
        r.submitted_at >= (r.dossier.returned_at or r.dossier.resolved_at)
        for r in linked.select_related("dossier")
    )


def test_mostly_satisfied_with_a_few_low_scores_opening_follow_ups(world):
    agency, _created = world
    responses = Response.objects.filter(agency=agency)
    scores = list(Answer.objects.filter(response__agency=agency).values_list("score", flat=True))

    assert sum(1 for s in scores if s >= 4) / len(scores) > 0.6
    assert {1, 2} & set(scores)
    follow_ups = FollowUp.objects.filter(response__agency=agency)
    assert 2 <= follow_ups.count() <= 20
    assert follow_ups.count() == responses.filter(pk__in=follow_ups.values("response")).count()
    old = follow_ups.filter(opened_at__lt=NOW - timedelta(days=30))
    assert old.exists() and not old.filter(status=FollowUpStatus.OPEN).exists()
    assert all(f.closed_by.username == "lanhdao" and f.action_taken for f in old)
    assert responses.filter(facility_options__isnull=False).distinct().count() >= 5


def test_the_demo_tablet_is_enrolled_by_the_desk(world):
    agency, _created = world
    tablet = KioskDevice.objects.get(agency=agency, name=demo.DEMO_TABLET)

    assert tablet.enrolled_by.username == "motcua" and tablet.is_active
    assert tablet.responses.count() == demo.KIOSK_COUNT


def test_seeding_again_adds_nothing(world):
    agency, _created = world

    assert demo.seed(agency=agency, now=NOW) == 0
    assert Response.objects.filter(agency=agency).count() == demo.LINKED_COUNT + demo.KIOSK_COUNT

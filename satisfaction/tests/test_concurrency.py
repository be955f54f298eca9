"""Two submissions of the same dossier at once (double tap, two phones): one response."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from accounts.constants import Role
from dossiers import services as dossier_services
from dossiers.tests.factories import published_procedure, register_dossier, staff
from satisfaction import services
from satisfaction.constants import ResponseSource
from satisfaction.models import Response
from satisfaction.selectors import active_survey
from satisfaction.tests.conftest import scores

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _today():
    """Real time here (threads): the conftest's frozen clock is not wanted."""
    yield


@pytest.fixture(scope="module", autouse=True)
def _restore_post_migration_rows(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush (role groups included): put back what the
    migrations created, for the tests of a later --reuse-db run."""
    from django.db import connections

    contents = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if getattr(connections[alias], "_test_serialized_contents", None)
    }
    yield
    with django_db_blocker.unblock():
        for alias, serialized in contents.items():
            connections[alias].creation.deserialize_db_from_string(serialized)


def test_eight_simultaneous_submissions_give_one_response_and_seven_polite_refusals(agency):
    desk = staff(agency, Role.DESK_OFFICER)
    officer = staff(agency, Role.SPECIALIST)
    dossier = register_dossier(
        procedure=published_procedure(agency), user=desk, received_at=timezone.now()
    )
    dossier_services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    dossier_services.dossier_resolve(dossier=dossier, user=officer)
    services.invitation_for_dossier(dossier=dossier)
    survey = active_survey()
    answers = services.SurveyAnswers(scores=scores(survey))
    barrier = threading.Barrier(8)

    def submit(_n):
        try:
            barrier.wait(timeout=10)
            services.response_submit(
                survey=survey, source=ResponseSource.LINK, answers=answers, dossier=dossier
            )
            return "saved"
        except services.AlreadyAnswered:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(submit, range(8)))

    assert sorted(outcomes) == ["refused"] * 7 + ["saved"]
    assert Response.objects.filter(dossier=dossier).count() == 1

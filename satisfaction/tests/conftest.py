"""Fixtures of the satisfaction tests: dossiers through the real services, the active survey,
and the answers a citizen sends."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.constants import Role
from dossiers import services as dossier_services
from dossiers.tests.factories import published_procedure, register_dossier, staff
from satisfaction import selectors
from satisfaction.services import question_field

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Personal data no public page may show (distinctive on purpose).
APPLICANT = {
    "name": "Trịnh Thị Xuyến Độc Nhất",
    "phone": "0912 765 431",
    "id_number": "079188004321",
    "email": "xuyen.docnhat@example.com",
    "address": "99 Đường Riêng Tư, phường Vĩnh Hòa",
}


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.fixture(autouse=True)
def _today():
    """Tests run on Tue 10/3/2026 at noon unless they travel: the day after the usual return."""
    with time_machine.travel(at(2026, 3, 10, 12), tick=False):
        yield


@pytest.fixture
def procedure(agency):
    return published_procedure(agency, name="Cấp Giấy phép tổ chức lễ hội")


@pytest.fixture
def desk(agency):
    return staff(agency, Role.DESK_OFFICER, first_name="Thu", last_name="Lê")


@pytest.fixture
def officer(agency):
    return staff(agency, Role.SPECIALIST, first_name="Minh", last_name="Phạm")


def make_dossier(procedure, desk, officer, *, received=(2026, 3, 2, 9), resolve=True, ret=True):
    """A dossier received, handled by `officer`, resolved on the 6th and returned on the 9th
    (March 2026) unless told otherwise."""
    dossier = register_dossier(
        procedure=procedure,
        user=desk,
        received_at=at(*received),
        name=APPLICANT["name"],
        phone=APPLICANT["phone"],
        id_number=APPLICANT["id_number"],
        email=APPLICANT["email"],
        address=APPLICANT["address"],
    )
    with time_machine.travel(at(2026, 3, 2, 14), tick=False):
        dossier_services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    if resolve:
        with time_machine.travel(at(2026, 3, 6, 10), tick=False):
            dossier_services.dossier_resolve(dossier=dossier, user=officer)
    if resolve and ret:
        with time_machine.travel(at(2026, 3, 9, 9), tick=False):
            dossier_services.dossier_return_result(dossier=dossier, user=desk)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def returned(procedure, desk, officer):
    return make_dossier(procedure, desk, officer)


@pytest.fixture
def survey(db):
    return selectors.active_survey()


def scores(survey, value=4, **overrides):
    """{question id: score} for every question; overrides by position "c<criterion>q<question>"."""
    result = {}
    for criterion in survey.criteria.all():
        for question in criterion.questions.all():
            key = f"c{criterion.position}q{question.position}"
            result[question.pk] = overrides.get(key, value)
    return result


def form_data(survey, value=4, **extra):
    """The POST of the survey form with every question answered `value`."""
    data = {"survey_version": str(survey.pk)}
    for question_id, score in scores(survey, value).items():
        data[question_field(question_id)] = str(score)
    data.update(extra)
    return data

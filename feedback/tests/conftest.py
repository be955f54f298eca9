import pytest

from accounts.constants import Role
from procedures.tests.factories import ProcedureFactory

from .factories import staff


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.FEEDBACK_ATTACHMENT_ROOT = tmp_path / "feedback-files"
    settings.PUBLIC_BASE_URL = "https://dichvucong.nhatrang.gov.vn"


@pytest.fixture
def procedure(agency):
    return ProcedureFactory(published=True, agency=agency)


@pytest.fixture
def boss(agency):
    return staff(agency, Role.LEADER)


@pytest.fixture
def officer(agency):
    return staff(agency, Role.SPECIALIST)


@pytest.fixture
def desk(agency):
    return staff(agency, Role.DESK_OFFICER)

import pytest

from accounts.constants import Role
from dossiers.tests.factories import published_procedure, staff


@pytest.fixture
def procedure(agency):
    return published_procedure(agency)


@pytest.fixture
def desk(agency):
    return staff(agency, Role.DESK_OFFICER)


@pytest.fixture
def officer(agency):
    return staff(agency, Role.SPECIALIST)


@pytest.fixture
def boss(agency):
    return staff(agency, Role.LEADER)

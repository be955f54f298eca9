"""Project-wide fixtures: persona users by role, and the strict no-skip rule for CI."""

import os

import pytest
from django.contrib.auth.models import Group

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_sessionfinish(session, exitstatus):
    """STRICT_TESTS=1 (CI): a skipped test is a failure, so skipping cannot hide breakage."""
    if os.environ.get("STRICT_TESTS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"STRICT: {len(skipped)} test(s) were skipped; failing the run.")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language (Vietnamese).

    Django leaves the language of the last request active in the thread; without this, a test
    that asked for English would change the language of the tests that follow it.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (calendar overrides, primary agency, rate limits)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agency(db):
    return AgencyFactory(is_primary=True)


def _user_with_role(role, agency):
    user = UserFactory(department__agency=agency)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def desk_officer(agency):
    return _user_with_role(Role.DESK_OFFICER, agency)


@pytest.fixture
def specialist(agency):
    return _user_with_role(Role.SPECIALIST, agency)


@pytest.fixture
def leader(agency):
    return _user_with_role(Role.LEADER, agency)


@pytest.fixture
def administrator(agency):
    user = _user_with_role(Role.ADMINISTRATOR, agency)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user

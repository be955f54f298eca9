"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Every test in this directory is marked `e2e` (deselect with `-m "not e2e"`). Pages come in two
sizes, a phone and a desktop, and `screenshot()` keeps full-page PNGs for a human to look at.
"""

import os
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR.parents[1] / "test-artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium instead of a downloaded browser (`playwright install` cannot run here)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def _post_migration_rows(django_db_setup):
    """The serialized test database (role groups, permissions) as the migrations left it.

    Read before Playwright starts: once its event loop runs in this thread, Django hands out
    per-context connection wrappers that lack `_test_serialized_contents`.
    """
    from django.db import connections

    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_under_playwright(_post_migration_rows, playwright):
    from django.db import connections

    assert _post_migration_rows, "the test database was not serialized"
    for alias, contents in _post_migration_rows.items():
        connections[alias]._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db, django_db_serialized_rollback):
    """The live server runs in another thread, so tests commit (transactional_db).

    A transactional test ends with a flush, which also removes the role groups created by data
    migrations; the serialized rollback reloads them before each test.
    """


@pytest.fixture(scope="module", autouse=True)
def _restore_post_migration_rows(_post_migration_rows, django_db_blocker):
    """Leave the database as the migrations left it, for later tests and for --reuse-db."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for alias, contents in _post_migration_rows.items():
            connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture
def phone_page(new_context):
    # A visitor on a Vietnamese phone: the portal follows Accept-Language.
    return new_context(**PHONE, locale="vi-VN").new_page()


@pytest.fixture
def desktop_page(new_context):
    return new_context(**DESKTOP, locale="vi-VN").new_page()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as test-artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

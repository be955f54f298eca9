"""Roles are groups created by data migrations; code checks permissions, never group names."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from accounts.constants import Role
from accounts.tests.factories import UserFactory

# (persona, permission, granted). Each row is a rule a member of staff would notice.
MATRIX = [
    # Desk officer: reads procedures and the calendar, changes nothing.
    ("desk_officer", "procedures.view_procedure", True),
    ("desk_officer", "procedures.view_dossiercomponent", True),
    ("desk_officer", "procedures.add_procedure", False),
    ("desk_officer", "procedures.change_procedure", False),
    ("desk_officer", "procedures.publish_procedure", False),
    ("desk_officer", "core.view_calendaroverride", True),
    ("desk_officer", "core.change_calendaroverride", False),
    ("desk_officer", "accounts.view_user", False),
    ("desk_officer", "accounts.change_user", False),
    # Specialist: drafts and edits procedures, cannot publish or delete them.
    ("specialist", "procedures.add_procedure", True),
    ("specialist", "procedures.change_procedure", True),
    ("specialist", "procedures.change_procedurestep", True),
    ("specialist", "procedures.publish_procedure", False),
    ("specialist", "procedures.delete_procedure", False),
    ("specialist", "core.change_calendaroverride", False),
    ("specialist", "accounts.change_user", False),
    # Leader: publishes, sees the staff list, does not manage accounts or the calendar.
    ("leader", "procedures.publish_procedure", True),
    ("leader", "procedures.view_procedure", True),
    ("leader", "procedures.delete_procedure", False),
    ("leader", "accounts.view_user", True),
    ("leader", "accounts.add_user", False),
    ("leader", "accounts.change_user", False),
    ("leader", "core.change_calendaroverride", False),
    # Administrator: manages users, departments, agencies, the calendar and procedures.
    ("administrator", "accounts.add_user", True),
    ("administrator", "accounts.change_user", True),
    ("administrator", "accounts.delete_user", True),
    ("administrator", "accounts.change_department", True),
    ("administrator", "accounts.change_agency", True),
    ("administrator", "auth.view_group", True),
    ("administrator", "auth.change_group", False),
    ("administrator", "core.change_calendaroverride", True),
    ("administrator", "procedures.publish_procedure", True),
    ("administrator", "procedures.delete_procedure", True),
]


@pytest.mark.django_db
def test_the_four_role_groups_exist_after_migrations():
    names = set(Group.objects.values_list("name", flat=True))

    assert set(Role.values) <= names
    assert set(Role.values) == {"desk_officer", "specialist", "leader", "administrator"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_every_role_has_permissions(role):
    assert Group.objects.get(name=role).permissions.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "perm", "granted"), MATRIX)
def test_permission_matrix(request, persona, perm, granted):
    user = request.getfixturevalue(persona)

    assert user.is_superuser is False
    assert user.has_perm(perm) is granted


@pytest.mark.django_db
def test_every_permission_in_the_matrix_exists():
    """A misspelt permission would make a `False` row pass for the wrong reason."""
    missing = []
    for _persona, perm in {(p, perm) for p, perm, _granted in MATRIX}:
        app_label, codename = perm.split(".")
        if not Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).exists():
            missing.append(perm)

    assert missing == []


@pytest.mark.django_db
def test_a_user_without_a_role_has_none_of_these_permissions(agency):
    user = UserFactory(department__agency=agency)

    assert [perm for _p, perm, _g in MATRIX if user.has_perm(perm)] == []


# Where group names may appear: the data migrations that create the groups, the demo seed,
# and tests. Everything else asks `user.has_perm(...)`.
GROUP_NAME_CHECK = re.compile(r"groups\.filter\(\s*name|groups__name|groups\.get\(\s*name")
ALLOWED = {Path("accounts/demo.py")}
SKIPPED_DIRS = {"__pycache__", "node_modules", "staticfiles", "media", "test-artifacts"}


def _is_allowed(relative: Path) -> bool:
    parts = relative.parts
    return (
        relative in ALLOWED
        or "migrations" in parts
        or "tests" in parts
        or relative.name == "conftest.py"
    )


def _source_files(root: Path):
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in SKIPPED_DIRS]
        for name in filenames:
            if name.endswith((".py", ".html")):
                yield Path(directory, name)


def test_no_application_code_checks_group_names():
    root = Path(settings.BASE_DIR)
    scanned, offenders = [], []
    for path in sorted(_source_files(root)):
        relative = path.relative_to(root)
        if _is_allowed(relative):
            continue
        scanned.append(relative)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if GROUP_NAME_CHECK.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")

    assert Path("accounts/views.py") in scanned  # the walk really covers the apps
    assert Path("templates/base.html") in scanned
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        'if user.groups.filter(name="leader").exists():',
        'User.objects.filter(groups__name="specialist")',
        'request.user.groups.get(name="administrator")',
    ],
)
def test_the_group_name_pattern_catches_the_usual_spellings(line):
    assert GROUP_NAME_CHECK.search(line)

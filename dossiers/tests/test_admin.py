"""The dossier admin: read-only, history untouchable, rows limited like the staff screens."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory, UserFactory
from dossiers.models import Dossier, DossierEvent
from dossiers.tests.factories import published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(procedure, desk):
    return register_dossier(procedure=procedure, user=desk)


@pytest.fixture
def foreign_dossier():
    agency = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    return register_dossier(
        procedure=published_procedure(agency), user=staff(agency, Role.DESK_OFFICER)
    )


@pytest.fixture
def admin_client(client, administrator):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # pages default to Vietnamese
    client.force_login(administrator)
    return client


def test_events_cannot_be_added_changed_or_deleted(admin_client, dossier):
    event = dossier.events.get()
    change = reverse("admin:dossiers_dossierevent_change", args=[event.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html and "deletelink" not in html
    assert admin_client.post(change, {"note": "sửa lịch sử"}).status_code == 403
    assert admin_client.get(reverse("admin:dossiers_dossierevent_add")).status_code == 403
    delete = reverse("admin:dossiers_dossierevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.note == ""
    assert DossierEvent.objects.count() == 1


def test_superuser_cannot_change_history_either(client, dossier):
    root = UserFactory(is_superuser=True, is_staff=True, department=None)
    client.force_login(root)
    event = dossier.events.get()
    change = reverse("admin:dossiers_dossierevent_change", args=[event.pk])
    assert client.post(change, {"note": "x"}).status_code == 403
    changelist = reverse("admin:dossiers_dossierevent_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert DossierEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in (200, 302)


def test_dossiers_are_read_only_with_their_parts_inline(admin_client, dossier):
    change = reverse("admin:dossiers_dossier_change", args=[dossier.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert dossier.documents.first().name in html  # read-only inline
    assert dossier.get_absolute_url() in html  # link to the staff screen
    assert admin_client.post(change, {"applicant_name": "X"}).status_code == 403
    assert admin_client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Nguyễn Văn An"


def test_admin_lists_only_visible_dossiers_and_searches_by_code(
    admin_client, dossier, foreign_dossier
):
    changelist = reverse("admin:dossiers_dossier_changelist")
    html = admin_client.get(changelist).content.decode()
    assert dossier.code in html and foreign_dossier.code not in html
    html = admin_client.get(changelist, {"q": dossier.code[-11:]}).content.decode()
    assert dossier.code in html
    foreign_change = reverse("admin:dossiers_dossier_change", args=[foreign_dossier.pk])
    assert admin_client.get(foreign_change).status_code == 302  # "does not exist" redirect
    events = admin_client.get(reverse("admin:dossiers_dossierevent_changelist"))
    assert foreign_dossier.code not in events.content.decode()
    assert Dossier.objects.count() == 2

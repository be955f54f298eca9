"""The survey tablet at the desk: enrolment by staff, answers without login, reset, limits."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers.tests.factories import staff
from satisfaction import services
from satisfaction.constants import ResponseSource
from satisfaction.models import KioskDevice, Response
from satisfaction.tests.conftest import APPLICANT, form_data, make_dossier
from satisfaction.tokens import KIOSK_COOKIE

pytestmark = pytest.mark.django_db
KIOSK = "/danh-gia/quay/"
DEVICES = "/can-bo/danh-gia/thiet-bi/"


def html_of(response) -> str:
    return response.content.decode()


def enrol(desk, name="Quầy 1") -> tuple[Client, KioskDevice]:
    """A tablet enrolled the way the desk does it: log in on it, enrol, log out."""
    tablet = Client()
    tablet.force_login(desk)
    response = tablet.post(DEVICES, {"name": name})
    assert response.status_code == 302
    cookie = tablet.cookies[KIOSK_COOKIE].value
    tablet.logout()  # the test client forgets every cookie here; a browser keeps this one
    tablet.cookies[KIOSK_COOKIE] = cookie
    return tablet, KioskDevice.objects.get(name=name)


@pytest.fixture
def tablet(desk):
    return enrol(desk)[0]


def test_a_tablet_that_is_not_enrolled_gets_a_clear_page(client, agency, survey):
    response = client.get(KIOSK)

    assert response.status_code == 403
    html = html_of(response)
    assert 'data-testid="kiosk-not-enrolled"' in html
    assert "Máy tính bảng này chưa được đăng ký" in html
    assert 'name="q' not in html
    assert client.post(KIOSK, form_data(survey)).status_code == 403
    assert Response.objects.count() == 0


def test_enrolment_sets_a_long_lived_signed_cookie_and_stores_no_token(desk):
    tablet = Client()
    tablet.force_login(desk)

    response = tablet.post(DEVICES, {"name": "Quầy 1"})

    cookie = response.cookies[KIOSK_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == django_settings.SATISFACTION_KIOSK_COOKIE_DAYS * 86400
    device = KioskDevice.objects.get()
    assert device.enrolled_by == desk
    token = cookie.value.split(":")[0]
    assert token not in device.token_hash


def test_an_enrolled_tablet_works_without_login_and_thanks_then_resets(tablet, survey):
    page = tablet.get(KIOSK)
    assert page.status_code == 200
    assert 'name="dossier_code"' in html_of(page)

    response = tablet.post(KIOSK, form_data(survey, 5))

    assert response.status_code == 302 and response["Location"] == KIOSK + "?cam-on=1"
    thanks = tablet.get(response["Location"])
    html = html_of(thanks)
    assert 'data-testid="kiosk-thanks"' in html
    assert f'<meta http-equiv="refresh" content="6;url={KIOSK}">' in html
    saved = Response.objects.get()
    assert saved.source == ResponseSource.KIOSK and saved.dossier is None
    assert saved.kiosk.name == "Quầy 1"


def test_a_valid_code_links_the_dossier_and_a_wrong_one_says_nothing(tablet, returned, survey):
    wrong = tablet.post(KIOSK, form_data(survey, 4, dossier_code="000.00.20.H32-260302-9999"))
    linked = tablet.post(KIOSK, form_data(survey, 3, dossier_code=returned.code.lower()))

    assert wrong.status_code == linked.status_code == 302
    assert wrong["Location"] == linked["Location"]
    general, rated = Response.objects.order_by("id")
    assert general.dossier is None and general.procedure is None
    assert rated.dossier == returned and rated.procedure == returned.procedure
    assert rated.handler == returned.handler and rated.desk_officer == returned.received_by

    again = tablet.post(KIOSK, form_data(survey, 1, dossier_code=returned.code))
    assert again["Location"] == linked["Location"]  # already rated: a general response, silently
    assert Response.objects.filter(dossier=returned).count() == 1
    assert Response.objects.count() == 3


def test_the_kiosk_never_shows_anything_about_a_dossier(tablet, returned, survey):
    response = tablet.post(KIOSK, form_data(survey, 4, dossier_code=returned.code))
    html = html_of(tablet.get(response["Location"]))
    for value in [*APPLICANT.values(), returned.procedure.name]:
        assert value not in html


def test_a_dossier_of_another_office_is_not_linked(desk, survey, procedure, officer):
    other_agency = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    tablet = enrol(staff(other_agency, Role.DESK_OFFICER))[0]
    dossier = make_dossier(procedure, desk, officer)

    tablet.post(KIOSK, form_data(survey, 4, dossier_code=dossier.code))

    assert Response.objects.get().dossier is None


def test_bad_scores_at_the_kiosk_are_refused_and_answers_kept(tablet, survey):
    data = form_data(survey, 4, dossier_code="abc")
    question = survey.criteria.first().questions.first()
    data[f"q{question.pk}"] = "9"

    response = tablet.post(KIOSK, data)

    assert response.status_code == 400
    html = html_of(response)
    assert "Chỉ chọn một trong năm mức" in html
    assert html.count(" checked") == sum(len(c.questions.all()) for c in survey.criteria.all()) - 1
    assert Response.objects.count() == 0


def test_a_revoked_tablet_is_refused(desk, survey):
    tablet, device = enrol(desk)
    services.kiosk_revoke(user=desk, device=device)

    assert tablet.get(KIOSK).status_code == 403
    assert tablet.post(KIOSK, form_data(survey)).status_code == 403
    assert Response.objects.count() == 0


def test_a_forged_or_tampered_cookie_is_refused(desk, survey):
    tablet, _device = enrol(desk)
    value = tablet.cookies[KIOSK_COOKIE].value

    forged = Client()
    forged.cookies[KIOSK_COOKIE] = "x" + value
    assert forged.get(KIOSK).status_code == 403
    forged.cookies[KIOSK_COOKIE] = value.split(":")[0]  # the token without its signature
    assert forged.get(KIOSK).status_code == 403


def test_too_many_answers_from_one_tablet_get_429(tablet, survey, settings):
    settings.SATISFACTION_KIOSK_RATE_PER_DEVICE = "2/h"
    tablet.post(KIOSK, form_data(survey))
    tablet.post(KIOSK, form_data(survey))

    response = tablet.post(KIOSK, form_data(survey))

    assert response.status_code == 429
    assert "Quá nhiều lượt đánh giá" in html_of(response)
    assert 'http-equiv="refresh"' in html_of(response)
    assert Response.objects.count() == 2


def test_too_many_answers_from_one_address_get_429_whatever_the_tablet(desk, survey, settings):
    settings.SATISFACTION_KIOSK_RATE_PER_IP = "2/h"
    first, _ = enrol(desk, "Quầy 1")
    second, _ = enrol(desk, "Quầy 2")
    first.post(KIOSK, form_data(survey))
    second.post(KIOSK, form_data(survey))

    assert first.post(KIOSK, form_data(survey)).status_code == 429


# --- the staff page --------------------------------------------------------------------------
def test_the_tablets_page_needs_login(client, agency):
    response = client.get(DEVICES)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.LEADER])
def test_staff_without_the_permission_get_403(client, agency, role):
    client.force_login(staff(agency, role))

    assert client.get(DEVICES).status_code == 403
    assert client.post(DEVICES, {"name": "Quầy 9"}).status_code == 403
    assert KioskDevice.objects.count() == 0


def test_the_desk_sees_its_tablets_and_not_another_office_s(client, desk):
    enrol(desk, "Quầy 1")
    stranger = staff(AgencyFactory(code="000.00.21.H32", name="Phòng khác"), Role.DESK_OFFICER)
    _other, foreign = enrol(stranger, "Máy của phòng khác")
    client.force_login(desk)

    html = html_of(client.get(DEVICES))

    assert "Quầy 1" in html and "Máy của phòng khác" not in html
    response = client.post(reverse("satisfaction:kiosk-device-revoke", args=[foreign.pk]))
    assert response.status_code == 404
    assert KioskDevice.objects.get(pk=foreign.pk).is_active


def test_the_desk_revokes_a_tablet_and_it_stops_at_once(client, desk, survey):
    tablet, device = enrol(desk)
    client.force_login(desk)

    response = client.post(reverse("satisfaction:kiosk-device-revoke", args=[device.pk]))

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_by == desk and device.revoked_at is not None
    assert tablet.get(KIOSK).status_code == 403
    assert "Đã thu hồi" in html_of(client.get(DEVICES))


def test_a_tablet_without_a_name_is_not_enrolled(client, desk):
    client.force_login(desk)

    response = client.post(DEVICES, {"name": "  "})

    assert response.status_code == 400
    assert KIOSK_COOKIE not in response.cookies
    assert KioskDevice.objects.count() == 0


def test_the_page_marks_the_browser_that_is_a_tablet(desk):
    tablet, device = enrol(desk)
    tablet.force_login(desk)

    html = html_of(tablet.get(DEVICES))

    assert re.search(rf'data-device="{device.pk}">\s*<td>Quầy 1 <span', html)
    assert "trình duyệt này" in html


def test_the_tablets_page_needs_few_queries(client, desk, django_assert_max_num_queries):
    for n in range(15):
        device, _token = services.kiosk_enroll(user=desk, name=f"Quầy {n}")
        if n % 3 == 0:
            services.kiosk_revoke(user=desk, device=device)
    client.force_login(desk)

    with django_assert_max_num_queries(8):
        response = client.get(DEVICES)
    assert html_of(response).count("data-device=") == 15

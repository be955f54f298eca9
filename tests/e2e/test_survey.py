"""The satisfaction survey in a real browser: a citizen rates a dossier from the link on a
phone, and a tablet at the desk takes ratings without login (issue 7).

Pages are in Vietnamese; the test finds things by ids, names and data attributes.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.constants import Role
from dossiers import services as dossier_services
from dossiers.tests.factories import published_procedure, register_dossier, staff
from satisfaction import services
from satisfaction.constants import ResponseSource
from satisfaction.models import FollowUp, Response
from satisfaction.tokens import survey_path
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True}
NAME, PHONE = "Hoàng Thị Riêng Tư", "0935 246 813"


@pytest.fixture
def returned(agency):
    desk = staff(agency, Role.DESK_OFFICER, first_name="Thu", last_name="Lê")
    officer = staff(agency, Role.SPECIALIST)
    procedure = published_procedure(agency, name="Cấp Giấy phép tổ chức lễ hội")
    dossier = register_dossier(
        procedure=procedure,
        user=desk,
        received_at=timezone.now() - timedelta(days=5),
        name=NAME,
        phone=PHONE,
    )
    dossier_services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    dossier_services.dossier_resolve(dossier=dossier, user=officer)
    return dossier_services.dossier_return_result(dossier=dossier, user=desk)


def tap_score(page, field, score):
    page.locator(f"label[for='id_{field}_{score - 1}']").click()


def test_citizen_rates_a_dossier_from_the_link_on_a_phone(live_server, phone_page, returned):
    page = phone_page
    invitation = services.invitation_for_dossier(dossier=returned)
    page.goto(live_server.url + survey_path(invitation.token))
    expect(page.locator("[data-testid=survey-dossier]")).to_contain_text(
        "Cấp Giấy phép tổ chức lễ hội"
    )
    assert NAME not in page.content() and returned.code not in page.content()
    screenshot(page, "survey-phone-top")

    fields = page.locator("fieldset.sv-q[id^='q']").evaluate_all(
        "nodes => nodes.map(n => n.id.replace('-group', ''))"
    )
    assert len(fields) >= 12
    # Each answer is a button at least 48 px high, and five fit side by side on the phone.
    box = page.locator(f"label[for='id_{fields[0]}_0']").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A first try with one question left out: the error says which, the rest is kept.
    for field in fields[1:]:
        tap_score(page, field, 4)
    tap_score(page, fields[2], 2)
    page.locator("label[for='id_facilities_1']").click()
    page.locator("#id_comment").fill("Quầy thiếu bút viết.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator(f"#{fields[0]}-error")).to_be_visible()
    expect(page.locator(f"#id_{fields[2]}_1")).to_be_checked()
    expect(page.locator("#id_facilities_1")).to_be_checked()
    expect(page.locator("#id_comment")).to_have_value("Quầy thiếu bút viết.")
    screenshot(page, "survey-phone-errors")

    tap_score(page, fields[0], 5)
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("[data-testid=survey-thanks]")).to_be_visible()
    screenshot(page, "survey-phone-thanks")

    response = Response.objects.get()
    assert response.source == ResponseSource.LINK and response.dossier == returned
    assert FollowUp.objects.filter(response=response).exists()  # the 2 opened one

    # The same link again: already rated.
    page.goto(live_server.url + survey_path(invitation.token))
    expect(page.locator("[data-state=used]")).to_be_visible()


def test_citizen_reaches_the_survey_with_code_and_phone_digits(live_server, phone_page, returned):
    page = phone_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    page.locator("#id_code").fill(returned.code.lower())
    page.locator("#id_phone_last4").fill("6813")
    screenshot(page, "survey-phone-entry")
    page.get_by_role("button", name="Tiếp tục đến phiếu khảo sát").click()
    expect(page).to_have_url(re.compile(r"/danh-gia/[A-Za-z0-9_-]{32}/\?nguon=tra-cuu$"))
    expect(page.locator("[data-testid=survey-dossier]")).to_be_visible()


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_a_tablet_at_the_desk_takes_ratings_without_login(
    live_server, new_context, desk_officer, returned, settings
):
    settings.SATISFACTION_KIOSK_RESET_SECONDS = 2
    context = new_context(**TABLET, locale="vi-VN")
    page = context.new_page()

    # Not enrolled yet: a clear page, no form.
    page.goto(live_server.url + reverse("satisfaction:kiosk"))
    expect(page.locator("[data-testid=kiosk-not-enrolled]")).to_be_visible()

    # The desk officer enrols the tablet from the tablet, then logs out.
    log_in(context, live_server, desk_officer)
    page.goto(live_server.url + reverse("satisfaction:kiosk-devices"))
    page.locator("#id_name").fill("Quầy 1")
    page.get_by_role("button", name="Đăng ký trình duyệt này").click()
    expect(page.locator("tr[data-device]")).to_contain_text("Quầy 1")
    screenshot(page, "survey-tablets-staff")
    context.clear_cookies(name=settings.SESSION_COOKIE_NAME)

    page.goto(live_server.url + reverse("satisfaction:kiosk"))
    expect(page.locator("#id_dossier_code")).to_be_visible()
    assert page.locator("header.kiosk-bar").count() == 1
    assert page.locator("a[href='/']").count() == 0  # nowhere to wander off to
    fields = page.locator("fieldset.sv-q[id^='q']").evaluate_all(
        "nodes => nodes.map(n => n.id.replace('-group', ''))"
    )
    for label in page.locator("label.sv-opt").all()[:10]:
        box = label.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    screenshot(page, "survey-kiosk-tablet")

    page.locator("#id_dossier_code").fill(returned.code)
    for field in fields:
        page.locator(f"label[for='id_{field}_4']").tap()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("[data-testid=kiosk-thanks]")).to_be_visible()
    screenshot(page, "survey-kiosk-thanks")

    # The thank-you screen goes back to an empty form by itself.
    page.wait_for_url(re.compile(r"/danh-gia/quay/$"), timeout=10000)
    expect(page.locator("#id_dossier_code")).to_have_value("")
    assert page.locator("input.sv-radio:checked").count() == 0

    response = Response.objects.get()
    assert response.source == ResponseSource.KIOSK and response.dossier == returned


def test_the_receipt_slip_carries_the_survey_qr_code(live_server, desktop_page, returned):
    page = desktop_page
    log_in(page.context, live_server, returned.received_by)
    page.goto(
        live_server.url
        + reverse("dossiers:dossier-slip", kwargs={"code": returned.code, "slip": "receipt"})
    )
    survey_qr = page.locator(".survey-qr-box svg")
    expect(survey_qr).to_be_visible()
    box = survey_qr.bounding_box()
    assert 80 <= box["width"] <= 100  # 24 mm at 96 dpi: big enough to scan from paper
    screenshot(page, "survey-receipt-slip")

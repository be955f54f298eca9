"""The desk officer's day: receive a dossier with the keyboard, then the list and the page.

Pages are in Vietnamese (the portal's default), so the test finds things by name and id.
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
from dossiers import services
from dossiers.models import Dossier
from dossiers.tests.factories import published_procedure, register_dossier, staff
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(page, live_server, user):
    """Reuse a session made by Django's test client (the login form has its own test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def desk_day(agency, desk_officer):
    """A festival procedure to receive, a karaoke one beside it, and a morning's dossiers."""
    festival = published_procedure(agency, name="Đăng ký tổ chức lễ hội")
    karaoke = published_procedure(agency, name="Cấp Giấy phép đủ điều kiện kinh doanh karaoke")
    published_procedure(agency, name="Thông báo tổ chức lễ hội")
    specialist = staff(agency, Role.SPECIALIST, first_name="Thị Hoa", last_name="Lê")
    now = timezone.now()
    dossiers = []
    for days_ago, name in [
        (20, "Trần Văn Quá Hạn"),
        (7, "Phạm Thị Sắp Hạn"),
        (1, "Võ Minh Còn Hạn"),
        (0, "Công ty TNHH Biển Xanh"),
    ]:
        dossiers.append(
            register_dossier(
                procedure=karaoke if days_ago % 2 else festival,
                user=desk_officer,
                received_at=now - timedelta(days=days_ago),
                name=name,
            )
        )
    busy = dossiers[1]
    services.dossier_assign(dossier=busy, handler=specialist, user=desk_officer)
    services.dossier_request_supplement(
        dossier=busy,
        user=specialist,
        items=["Bản sao Giấy chứng nhận đủ điều kiện PCCC", "Sơ đồ khu vực tổ chức"],
        reason="Hồ sơ thiếu giấy tờ về an toàn phòng cháy",
        legal_basis="Nghị định 54/2019/NĐ-CP",
    )
    return {"festival": festival, "busy": busy, "specialist": specialist}


def test_desk_officer_registers_a_dossier_with_the_keyboard(
    desktop_page, live_server, desk_officer, desk_day
):
    page = desktop_page
    log_in(page, live_server, desk_officer)
    page.goto(live_server.url + reverse("dossiers:dossier-intake"))

    # 1. The picker has the focus: type without accents, the first match is highlighted.
    picker = page.locator("#procedure-search")
    expect(picker).to_be_focused()
    page.keyboard.type("dang ky le hoi")
    option = page.locator("#procedure-listbox [role=option]").first
    expect(option).to_contain_text("Đăng ký tổ chức lễ hội")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(page.locator("#procedure-listbox [role=option]")).to_have_count(1)
    screenshot(page, "desk-intake-picker")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"\?procedure={desk_day['festival'].pk}$"))

    # 2. The first document has the focus: tick it, then the second one, with the keyboard.
    boxes = page.locator(".components-table input[type=checkbox]")
    expect(boxes.first).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # form of the first document
    page.keyboard.press("Tab")  # its quantity
    page.keyboard.press("Tab")  # second document
    expect(boxes.nth(1)).to_be_focused()
    page.keyboard.press("Space")
    expect(boxes.first).to_be_checked()
    expect(boxes.nth(1)).to_be_checked()

    # 3. The applicant, typed field by field.
    page.locator("#id_applicant_name").focus()
    page.keyboard.type("Nguyễn Thị Mai")
    page.keyboard.press("Tab")
    expect(page.locator("#id_applicant_id_number")).to_be_focused()
    page.keyboard.type("056190001234")
    page.locator("#id_applicant_phone").focus()
    page.keyboard.type("0905 123 456")
    page.locator("#id_applicant_address").focus()
    page.keyboard.type("25 Trần Phú, phường Nha Trang, Khánh Hòa")
    expect(page.locator("#id_consent_sms")).not_to_be_checked()
    screenshot(page, "desk-intake-form")

    # 4. Enter accepts: the receipt slip opens, ready to print.
    page.keyboard.press("Enter")
    slip = re.escape(reverse("dossiers:dossier-slip", args=["CODE", "receipt"]) + "?print=1")
    expect(page).to_have_url(re.compile(slip.replace("CODE", "[^/]+") + "$"))
    dossier = Dossier.objects.get(applicant_name="Nguyễn Thị Mai")
    assert page.url.endswith(
        reverse("dossiers:dossier-slip", args=[dossier.code, "receipt"]) + "?print=1"
    )
    assert dossier.documents.count() == 2
    assert dossier.applicant_phone == "+84905123456"
    assert dossier.consent_sms is False


def test_a_mistake_comes_back_with_everything_typed(
    desktop_page, live_server, desk_officer, desk_day
):
    page = desktop_page
    log_in(page, live_server, desk_officer)
    page.goto(
        live_server.url
        + reverse("dossiers:dossier-intake")
        + f"?procedure={desk_day['festival'].pk}"
    )
    page.keyboard.press("Space")
    page.locator("#id_applicant_name").fill("Nguyễn Thị Mai")
    page.locator("#id_applicant_phone").fill("0123")
    page.locator("#id_applicant_address").fill("25 Trần Phú")
    page.locator("#id_applicant_address").press("Enter")

    phone = page.locator("#id_applicant_phone")
    expect(phone).to_have_class(re.compile("is-invalid"))
    expect(phone).to_be_focused()
    expect(phone).to_have_value("0123")
    expect(page.locator("#id_applicant_name")).to_have_value("Nguyễn Thị Mai")
    expect(page.locator(".components-table input[type=checkbox]").first).to_be_checked()
    screenshot(page, "desk-intake-error")
    assert not Dossier.objects.filter(applicant_name="Nguyễn Thị Mai").exists()


def test_the_list_and_the_dossier_page(desktop_page, live_server, desk_officer, desk_day):
    page = desktop_page
    log_in(page, live_server, desk_officer)
    page.goto(live_server.url + reverse("dossiers:dossier-list"))
    rows = page.locator(".dossier-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first.locator(".light")).to_have_class(re.compile("light-red"))
    screenshot(page, "desk-list")

    busy = desk_day["busy"]
    page.locator(f"a:text-is('{busy.code}')").click()
    expect(page).to_have_url(live_server.url + busy.get_absolute_url())
    expect(page.locator(".clock")).to_contain_text("Bản sao Giấy chứng nhận đủ điều kiện PCCC")
    # The desk may resume (documents arrived) or withdraw; it may not resolve.
    actions = page.locator(".actions details.action")
    expect(actions).to_have_count(2)
    expect(page.locator("#action-resume")).to_be_attached()
    expect(page.locator("#action-resolve")).not_to_be_attached()
    page.locator("#action-resume summary").click()
    screenshot(page, "desk-dossier")

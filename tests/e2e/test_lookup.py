"""The citizen's dossier look-up in a real browser: typing the code on a phone, and the QR link.

Pages come in Vietnamese (the phone's locale); assertions rely on codes, dates, data attributes
and the documents' own names, not on English wording.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from dossiers import services
from dossiers.constants import DossierStatus
from dossiers.tests.factories import published_procedure, register_dossier, staff
from dossiers.tokens import lookup_path
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ITEMS = ["Bản sao Giấy chứng nhận đủ điều kiện PCCC", "Sơ đồ mặt bằng phòng hát"]


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def people(agency):
    from accounts.constants import Role

    return {
        "desk": staff(agency, Role.DESK_OFFICER),
        "officer": staff(agency, Role.SPECIALIST),
    }


@pytest.fixture
def waiting_for_documents(agency, people):
    """Received Thu 12/2/2026 (Tết follows), handed over, then documents requested."""
    procedure = published_procedure(agency, name="Cấp Giấy phép kinh doanh dịch vụ karaoke")
    dossier = register_dossier(
        procedure=procedure, user=people["desk"], received_at=at(2026, 2, 12, 9)
    )
    with time_machine.travel(at(2026, 2, 12, 10), tick=False):
        services.dossier_assign(dossier=dossier, handler=people["officer"], user=people["desk"])
    with time_machine.travel(at(2026, 2, 13, 9), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=people["officer"], items=ITEMS, reason="Thiếu giấy tờ"
        )
    return dossier


@pytest.fixture
def result_ready(agency, people):
    procedure = published_procedure(agency, name="Cấp Giấy phép tổ chức lễ hội")
    dossier = register_dossier(
        procedure=procedure, user=people["desk"], received_at=at(2026, 3, 2, 9)
    )
    with time_machine.travel(at(2026, 3, 2, 14), tick=False):
        services.dossier_assign(dossier=dossier, handler=people["officer"], user=people["desk"])
    with time_machine.travel(at(2026, 3, 6, 10), tick=False):
        services.dossier_resolve(dossier=dossier, user=people["officer"])
    return dossier


def no_sideways_scroll(page, width=390):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_citizen_on_a_phone_types_the_code_and_4_digits_and_sees_the_status(
    phone_page, live_server, waiting_for_documents
):
    page = phone_page
    dossier = waiting_for_documents
    page.goto(live_server.url + reverse("dossiers:lookup"))

    code = page.locator("#id_code")
    digits = page.locator("#id_phone_last4")
    expect(code).to_be_visible()
    expect(digits).to_have_attribute("inputmode", "numeric")
    expect(page.locator("label[for=id_phone_last4]")).to_be_visible()
    button = page.locator(".lookup-form button[type=submit]")
    assert button.bounding_box()["height"] >= 44  # a thumb-sized target
    no_sideways_scroll(page)
    screenshot(page, "lookup-phone-form")

    # A typo in the digits first: the same form comes back with a message, nothing shown.
    code.tap()
    page.keyboard.type(dossier.code.lower())
    digits.tap()
    page.keyboard.type("3465")
    button.tap()
    expect(page.locator("#lookup-errors")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_count(0)
    expect(page.locator("#id_code")).to_have_value(re.compile(re.escape(dossier.code), re.I))
    no_sideways_scroll(page)
    screenshot(page, "lookup-phone-not-found")

    page.locator("#id_phone_last4").fill("")
    page.locator("#id_phone_last4").tap()
    page.keyboard.type("3456")
    page.locator(".lookup-form button[type=submit]").tap()

    expect(page).to_have_url(re.compile(r"/tra-cuu/\?code=.+&phone_last4=3456$"))
    expect(page.locator("h1")).to_have_text(dossier.code)
    expect(page.locator("[data-status]")).to_have_attribute(
        "data-status", DossierStatus.SUPPLEMENT_REQUESTED
    )
    items = page.locator("[data-testid=requested-items] li")
    expect(items).to_have_text(ITEMS)
    expect(page.locator("[data-testid=holidays]")).to_contain_text("Tết Nguyên Đán")
    expect(page.locator("[data-testid=timeline] li")).to_have_count(3)
    expect(page.get_by_text("Cấp Giấy phép kinh doanh dịch vụ karaoke")).to_be_visible()
    # Personal data stays off the page.
    body = page.locator("body").inner_text()
    assert "Nguyễn Văn An" not in body and "0905" not in body and "056090001234" not in body
    no_sideways_scroll(page)
    screenshot(page, "lookup-phone-result-supplement")


def test_citizen_opens_the_qr_link_of_the_receipt_slip(phone_page, live_server, result_ready):
    page = phone_page
    page.goto(live_server.url + lookup_path(result_ready.code))

    expect(page.locator("h1")).to_have_text(result_ready.code)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", DossierStatus.RESOLVED)
    expect(page.locator("[data-testid=next-step]")).to_contain_text(
        result_ready.agency.office_hours
    )
    hotline = page.locator("#desk-title ~ p a[href^='tel:']")
    expect(hotline).to_have_text(result_ready.agency.hotline)
    no_sideways_scroll(page)
    screenshot(page, "lookup-phone-qr-result-ready")


def test_a_tampered_qr_link_says_so_and_offers_the_form(desktop_page, live_server, result_ready):
    page = desktop_page
    response = page.goto(live_server.url + lookup_path(result_ready.code) + "x")

    assert response.status == 404
    expect(page.locator("[data-status]")).to_have_count(0)
    expect(page.locator("#id_code")).to_have_value(result_ready.code)
    expect(page.locator("#id_phone_last4")).to_be_visible()
    screenshot(page, "lookup-desktop-invalid-link")

    page.locator("#id_phone_last4").fill("3456")
    page.locator(".lookup-form button[type=submit]").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", DossierStatus.RESOLVED)
    screenshot(page, "lookup-desktop-result-ready")


def test_a_rescheduled_dossier_apologises_with_the_new_date(phone_page, live_server, people):
    procedure = published_procedure(people["desk"].department.agency)
    dossier = register_dossier(
        procedure=procedure, user=people["desk"], received_at=at(2026, 3, 2, 9)
    )
    with time_machine.travel(at(2026, 3, 2, 14), tick=False):
        services.dossier_assign(dossier=dossier, handler=people["officer"], user=people["desk"])
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):
        services.dossier_reschedule(
            dossier=dossier,
            user=people["officer"],
            reason="Chờ xác minh thực tế",
            new_due_at=at(2026, 3, 13, 17),
        )
    page = phone_page
    # The citizen looks on Tue 10/3/2026, after the first date and before the new one.
    with time_machine.travel(at(2026, 3, 10, 8), tick=True):
        page.goto(live_server.url + lookup_path(dossier.code))
        apology = page.locator("[data-testid=apology]")
        expect(apology).to_contain_text("13/03/2026")
        expect(apology).to_contain_text("09/03/2026")
        expect(page.locator("#appointment-title ~ p time")).to_contain_text("13/03/2026")
        no_sideways_scroll(page)
        screenshot(page, "lookup-phone-rescheduled")

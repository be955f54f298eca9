"""A citizen sends feedback from a phone and gets a receipt code; the tracking link works.

Pages come in Vietnamese (the phone's locale); assertions rely on codes, field names and URLs,
not on English wording.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from feedback.models import Feedback
from procedures.tests.factories import ProcedureFactory
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def karaoke(agency):
    return ProcedureFactory(
        published=True, agency=agency, name="Cấp Giấy phép kinh doanh dịch vụ karaoke"
    )


def test_citizen_sends_feedback_from_a_phone(live_server, phone_page, agency, karaoke):
    page = phone_page
    page.goto(live_server.url + karaoke.get_absolute_url())
    page.locator("#help a[href*='thu-tuc=']").click()
    expect(page.locator("#id_procedure")).to_have_value(str(karaoke.pk))

    # Sending without the required fields: the errors are shown, what was typed is kept.
    page.locator("#id_content").fill("Hẹn trả giấy phép ngày 05/3 nhưng đến nay chưa có.")
    page.get_by_role("button", name=re.compile("Gửi|Send")).click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_content")).to_have_value(
        "Hẹn trả giấy phép ngày 05/3 nhưng đến nay chưa có."
    )
    expect(page.locator("#id_sender_name-error")).to_be_visible()
    screenshot(page, "feedback-form-errors-phone")

    page.locator("label[for='id_kind_0']").click()
    page.locator("#id_category").select_option("procedure")
    page.locator("#id_sender_name").fill("Nguyễn Thị Lan")
    page.locator("#id_sender_address").fill("25 Yersin, phường Nha Trang")
    page.locator("#id_sender_phone").fill("0905 123 456")
    page.locator("#id_consent_processing").check()
    page.get_by_role("button", name=re.compile("Gửi|Send")).click()

    feedback = Feedback.objects.get()
    expect(page.locator("#receipt-code")).to_have_text(feedback.code)
    assert "Nguyễn Thị Lan" not in page.content()
    screenshot(page, "feedback-receipt-phone")
    page.locator("#tracking-link").click()
    expect(page).to_have_url(re.compile(re.escape(f"/phan-anh-kien-nghi/t/{feedback.code}/")))
    expect(page.locator(".pakn-code")).to_have_text(feedback.code)
    screenshot(page, "feedback-tracking-phone")


def test_archive_on_a_phone(live_server, phone_page, agency):
    phone_page.goto(live_server.url + reverse("feedback:archive") + "?q=le+phi")
    expect(phone_page.locator("#id_q")).to_have_value("le phi")
    screenshot(phone_page, "feedback-archive-phone")

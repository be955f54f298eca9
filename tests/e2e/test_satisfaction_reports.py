"""Leadership side of the satisfaction survey: the leader's index page on a desktop, a
follow-up closed from its page, and the public summary on a phone.

Pages are in Vietnamese (the browser's locale); the test finds things by id and by data.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.constants import Role
from dossiers.tests.factories import published_procedure, staff
from satisfaction.models import FollowUp
from satisfaction.tests.index_data import make_response
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COMMENT = "Cán bộ hướng dẫn chưa rõ, phải đi lại nhiều lần (BÌNH-LUẬN-E2E)"


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def year_of_responses(agency):
    """About ten responses a month for a year: two procedures, three officers, some complaints
    about the desk, a few low scores with follow-ups."""
    desk = staff(agency, Role.DESK_OFFICER, last_name="Trần", first_name="Thị Thu")
    officers = [
        staff(agency, Role.SPECIALIST, last_name="Lê", first_name="Văn Hòa"),
        staff(agency, Role.SPECIALIST, last_name="Phạm", first_name="Minh Đức"),
    ]
    procedures = [
        published_procedure(agency, name="Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke"),
        published_procedure(agency, name="Thông báo tổ chức lễ hội"),
    ]
    now = timezone.now()
    checklist = [("but_giay",), (), ("ghe_ngoi", "thoi_gian_cho"), (), (), ("bieu_mau",)]
    for n in range(120):
        low = n % 17 == 0
        if low:
            scores = {"*": 4, "phuc_vu_cong_chuc": [2, 3, 4]}
        elif n % 5 == 0:
            scores = {"*": 3, "ket_qua_tien_do": 4}
        else:
            scores = {"*": 4 + (n % 3 == 0)}
        make_response(
            agency,
            at=now - timedelta(days=3 * n, hours=n % 7),
            scores=scores,
            procedure=procedures[n % 2],
            desk_officer=desk,
            handler=officers[n % 2],
            comment=COMMENT if low else "",
            expectation="Mong có thêm ghế ngồi chờ và nước uống." if n % 9 == 0 else "",
            facilities=checklist[n % 6],
            follow_up=low,
        )
    return {"desk": desk}


def test_the_leader_reads_the_index_and_closes_a_follow_up(
    live_server, desktop_page, agency, leader, year_of_responses
):
    page = desktop_page
    log_in(page, live_server, leader)
    page.goto(live_server.url + reverse("satisfaction:index"))

    expect(page.locator("#overall-index")).to_contain_text("%")
    expect(page.locator("#criteria-table tbody tr")).to_have_count(6)
    expect(page.locator("#trend-table tbody tr")).to_have_count(12)
    expect(page.locator("#officer-table")).to_contain_text("Lê Văn Hòa")
    expect(page.locator("#facility-table")).to_be_visible()
    expect(page.locator("#tthc-estimate")).to_be_visible()
    assert page.locator("figure.chart svg[role=img]").count() == 2
    screenshot(page, "satisfaction-index-desktop")

    # A bad date: a Vietnamese message, the default period, no error page.
    page.goto(live_server.url + reverse("satisfaction:index") + "?period_start=31/02/2026")
    expect(page.locator("#filter-errors")).to_be_visible()
    expect(page.locator("#criteria-table")).to_be_visible()

    page.locator("#followups-link").click()
    page.locator("#followup-table tbody tr a").first.click()
    expect(page.locator("#response-comment")).to_contain_text("BÌNH-LUẬN-E2E")
    page.locator("#form-close button[type=submit]").click()
    expect(page.locator("#id_close-text-error")).to_be_visible()
    page.locator("#id_close-text").fill("Đã gọi điện xin lỗi công dân và nhắc nhở cán bộ.")
    page.locator("#form-close button[type=submit]").click()
    expect(page.locator("#followup-status")).to_have_text("Đã xong")
    expect(page.locator("#followup-history")).to_contain_text("Đã gọi điện xin lỗi công dân")
    screenshot(page, "satisfaction-followup-closed-desktop")
    assert FollowUp.objects.filter(status="closed", closed_by=leader).count() == 1


def test_the_public_summary_on_a_phone(live_server, phone_page, agency, year_of_responses):
    page = phone_page
    page.goto(live_server.url + reverse("satisfaction:public-summary"))

    expect(page.locator("#ps-overall")).to_contain_text("%")
    expect(page.locator("#ps-criteria li")).to_have_count(6)
    expect(page.locator("#ps-months tbody tr")).to_have_count(12)
    content = page.content()
    for secret in ("BÌNH-LUẬN-E2E", "Lê Văn Hòa", "Trần Thị Thu", "karaoke", "ghế ngồi chờ và"):
        assert secret not in content, secret
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "satisfaction-public-summary-phone")

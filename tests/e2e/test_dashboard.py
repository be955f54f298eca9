"""The leaders' dashboard in a browser: figures, charts readable as tables, a figure's list, the
period filter; at desktop width (the leader's office) and at phone width.

The desk's dossiers are placed relative to today (the browser and the live server run on the real
clock), so the assertions are about what a leader would check, not about exact numbers.
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
def office(agency, desk_officer, leader):
    """Three procedures, two specialists and about twenty dossiers of the last five weeks."""
    procedures = [
        published_procedure(agency, name="Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke"),
        published_procedure(agency, name="Đăng ký tổ chức lễ hội"),
        published_procedure(agency, name="Thông báo thành lập thư viện"),
    ]
    officers = [
        staff(agency, Role.SPECIALIST, first_name="Thị Hoa", last_name="Lê"),
        staff(agency, Role.SPECIALIST, first_name="Văn Minh", last_name="Trần"),
    ]
    now = timezone.now()
    for n, days_ago in enumerate([34, 30, 27, 23, 20, 16, 13, 11, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]):
        dossier = register_dossier(
            procedure=procedures[n % 3],
            user=desk_officer,
            received_at=now - timedelta(days=days_ago, hours=1),
            name=f"Người nộp số {n + 1}",
        )
        officer = officers[n % 2]
        services.dossier_assign(dossier=dossier, handler=officer, user=desk_officer)
        if n % 5 == 1:
            services.dossier_request_supplement(
                dossier=dossier,
                user=officer,
                items=["Bản sao Giấy chứng nhận đủ điều kiện PCCC"],
                reason="Hồ sơ thiếu giấy tờ về an toàn phòng cháy",
            )
        elif n % 3 == 0 and days_ago > 6:
            services.dossier_resolve(dossier=dossier, user=officer, result_summary="Đã cấp")
    return {"procedures": procedures}


def test_a_leader_reads_the_dashboard_and_opens_the_list_behind_a_figure(
    desktop_page, live_server, leader, office
):
    page = desktop_page
    log_in(page, live_server, leader)
    page.goto(live_server.url + reverse("core:staff-home"))
    page.get_by_role("link", name="Bảng điều hành").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng điều hành")

    # Today's figures, the at-risk and paused sections, the 766 estimates with their label.
    expect(page.locator("#today .stat")).to_have_count(5)
    expect(page.locator("#paused")).to_contain_text("Hồ sơ thiếu giấy tờ về an toàn phòng cháy")
    expect(page.locator("#service-index")).to_contain_text(
        "Ước tính nội bộ, không phải điểm chính thức"
    )
    # Charts are images with a name, each next to a table with the same numbers.
    charts = page.locator("figure.chart svg[role=img]")
    expect(charts).to_have_count(4)
    expect(page.locator("#trend table tbody tr")).to_have_count(12)
    names = [charts.nth(i).get_attribute("aria-labelledby") for i in range(4)]
    assert all(names)
    screenshot(page, "dashboard-desktop")

    # A figure is a link to the list of its dossiers: the same number there.
    badge = page.locator("#at-risk-title a")
    expected = re.match(r"(\d+)", badge.inner_text()).group(1)
    badge.click()
    expect(page).to_have_url(re.compile(r"/can-bo/ho-so/\?due_within=3"))
    expect(page.locator(".counts .count").first).to_have_text(f"{expected} hồ sơ")
    page.go_back()

    # The period filter: last week, then back to this week.
    page.get_by_label("Kỳ", exact=True).select_option("last_week")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"period=last_week"))
    expect(page.locator(".dashboard-scope")).to_contain_text("Tuần trước")
    # Chosen dates that end before they start: a plain message, the page still works.
    page.get_by_label("Kỳ", exact=True).select_option("custom")
    page.get_by_label("Từ", exact=True).fill("2026-03-10")
    page.get_by_label("Đến", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("alert")).to_contain_text("Ngày cuối của kỳ ở trước ngày đầu.")
    expect(page.locator("#today .stat")).to_have_count(5)


def test_the_dashboard_fits_a_phone(phone_page, live_server, leader, office):
    page = phone_page
    log_in(page, live_server, leader)
    page.goto(live_server.url + reverse("reports:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng điều hành")
    # Nothing wider than the screen but the tables, which scroll inside their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Chart texts keep a readable size at 390 px.
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('figure.chart-bar svg text')).fontSize)"
    )
    assert size >= 12
    screenshot(page, "dashboard-phone")

"""A leader reads the weekly late-dossier report on a desktop, drills into a figure, and builds
last week's report with the button. Pages are in Vietnamese (the portal's default)."""

import re

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from reports import services
from reports.constants import ReportTrigger
from reports.tests.weekly_data import BUILD_AT, make_fortnight, make_office
from tests.e2e.conftest import screenshot
from tests.e2e.test_desk import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def april(agency, settings, tmp_path):
    """The fortnight of 20 April - 3 May 2026 and its Monday report, built as the beat would."""
    settings.REPORTS_FILE_ROOT = tmp_path / "reports"
    office = make_office(agency)
    rows = make_fortnight(office)
    with time_machine.travel(BUILD_AT, tick=False):
        report = services.weekly_report_build(agency=agency, trigger=ReportTrigger.BEAT)
    return {"office": office, "rows": rows, "report": report}


def test_a_leader_reads_the_weekly_report_and_drills_into_a_figure(
    desktop_page, live_server, april
):
    page = desktop_page
    office, rows = april["office"], april["rows"]
    log_in(page, live_server, office["boss"])
    page.goto(live_server.url + reverse("core:staff-home"))
    page.get_by_role("link", name="Báo cáo tuần về hồ sơ trễ hạn").click()

    # The list: last week's report with its headline figures, and the "Build now" form.
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo tuần về hồ sơ trễ hạn")
    page.get_by_role("link", name="27/04/2026 – 03/05/2026").click()

    # The report: figures with last week's, the late dossiers with their explanations.
    expect(page.get_by_role("heading", name="Số liệu trong tuần")).to_be_visible()
    overdue = page.locator('tr[data-figure="open_overdue"]')
    expect(overdue).to_contain_text("Đang giải quyết cuối kỳ, quá hạn")
    late = page.locator("table.late-table tbody tr")
    expect(late).to_have_count(2)
    expect(late.first).to_contain_text(rows["late_open"].code)
    expect(late.first).to_contain_text("Trần V. Q.")
    expect(late.first).to_contain_text("Chờ ý kiến của cơ quan khác")
    expect(late.nth(1)).to_contain_text("08/05/2026")  # rescheduled date, shown apart
    expect(page.get_by_role("link", name="Excel")).to_be_visible()
    screenshot(page, "weekly-report-desktop")

    # The figure links to exactly its dossiers, with a heading naming it.
    overdue.get_by_role("link").click()
    expect(page.locator(".figure-heading")).to_contain_text(
        "Đang giải quyết cuối kỳ, quá hạn, 27/04/2026 – 03/05/2026"
    )
    expect(page.locator("td.code a")).to_have_text([rows["late_open"].code])
    screenshot(page, "weekly-report-drill-down-desktop")


def test_a_leader_builds_last_weeks_report_with_the_button(desktop_page, live_server, april):
    page = desktop_page
    log_in(page, live_server, april["office"]["boss"])
    page.goto(live_server.url + reverse("reports:weekly-report-list"))
    page.get_by_role("button", name="Lập ngay").click()
    expect(page).to_have_url(re.compile(r"/can-bo/bao-cao-tuan/\d+/$"))
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("lần lập thứ 1")
    expect(page.get_by_role("heading", name="Hồ sơ trễ hạn", exact=True)).to_be_visible()

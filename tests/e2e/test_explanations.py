"""Explanations of late dossiers on a desktop: the specialist writes one, the office head
returns it, the specialist corrects it, the office head accepts it.

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
from dossiers.constants import ExplanationStatus
from dossiers.models import DossierExplanation
from dossiers.tests.factories import published_procedure, register_dossier, staff
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(page, live_server, user):
    """Reuse a session made by Django's test client (the login form has its own test)."""
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def late_karaoke(agency, desk_officer):
    """A karaoke licence received three weeks ago and still being processed: overdue."""
    procedure = published_procedure(
        agency, name="Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke"
    )
    specialist = staff(agency, Role.SPECIALIST, first_name="Thị Hoa", last_name="Lê")
    leader = staff(agency, Role.LEADER, first_name="Minh", last_name="Trần")
    dossier = register_dossier(
        procedure=procedure,
        user=desk_officer,
        received_at=timezone.now() - timedelta(days=21),
        name="Công ty TNHH Giải trí Biển Xanh",
    )
    services.dossier_assign(dossier=dossier, handler=specialist, user=desk_officer)
    assert services.explanation_request_overdue() == 1
    explanation = DossierExplanation.objects.get(dossier=dossier)
    return {"specialist": specialist, "leader": leader, "explanation": explanation}


def test_write_return_correct_accept(desktop_page, live_server, late_karaoke):
    page = desktop_page
    specialist, leader = late_karaoke["specialist"], late_karaoke["leader"]
    explanation = late_karaoke["explanation"]
    code = explanation.dossier.code

    # 1. The specialist's home page says one explanation waits; the list shows the deadline.
    log_in(page, live_server, specialist)
    page.goto(live_server.url + reverse("core:staff-home"))
    expect(page.get_by_test_id("explanation-badge")).to_contain_text("1")
    page.get_by_role("link", name="Giải trình hồ sơ trễ hạn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giải trình tôi cần viết")
    row = page.locator("tr", has_text=code)
    expect(row).to_contain_text("Chưa giải trình")
    expect(row).to_contain_text("ngày làm việc")
    screenshot(page, "explanations-officer-list")
    row.get_by_role("link", name=re.compile("^Viết")).click()

    # 2. The form has the focus; sending it without the text keeps what was typed.
    reason = page.locator("#id_reason_category")
    expect(reason).to_be_focused()
    reason.select_option(label="Chờ ý kiến của cơ quan khác")
    page.locator("#id_remedy").fill("Gửi văn bản xin ý kiến ngay trong ngày nhận hồ sơ.")
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(page.locator("#id_text")).to_be_focused()
    expect(page.get_by_text("Trình bày diễn biến và lý do hồ sơ bị trễ hạn.")).to_be_visible()
    expect(page.locator("#id_remedy")).to_have_value(
        "Gửi văn bản xin ý kiến ngay trong ngày nhận hồ sơ."
    )
    screenshot(page, "explanations-officer-error")
    page.keyboard.type("Chờ ý kiến của Công an phường về an ninh, trật tự.")
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(page.get_by_text("Đã gửi giải trình để lãnh đạo xem xét.")).to_be_visible()
    expect(page.locator(".explanation-status").first).to_have_text("Chờ xem xét")

    # 3. The office head returns it, saying what to add.
    log_in(page, live_server, leader)
    page.goto(live_server.url + reverse("dossiers:explanation-list"))
    screenshot(page, "explanations-leader-list")
    page.locator("tr", has_text=code).get_by_role("link", name=re.compile("^Xem xét")).click()
    expect(page.locator(".explanation-text")).to_contain_text("Công an phường")
    page.locator("#id_note").fill("Ghi rõ số và ngày của văn bản xin ý kiến.")
    screenshot(page, "explanations-leader-review")
    page.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.get_by_text("Đã trả lại giải trình để cán bộ sửa.")).to_be_visible()

    # 4. The specialist sees the note and the text sent before, corrects and sends again.
    log_in(page, live_server, specialist)
    page.goto(live_server.url + explanation.get_absolute_url())
    expect(page.locator("#review-note")).to_contain_text("Ghi rõ số và ngày")
    text = page.locator("#id_text")
    expect(text).to_have_value("Chờ ý kiến của Công an phường về an ninh, trật tự.")
    screenshot(page, "explanations-officer-returned")
    text.press("End")
    page.keyboard.type(" Công văn số 12/VHTT ngày 21/4, trả lời ngày 28/4.")
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(page.locator(".explanation-status").first).to_have_text("Chờ xem xét")

    # 5. The office head accepts it; the history shows every step with who and when.
    log_in(page, live_server, leader)
    page.goto(live_server.url + explanation.get_absolute_url())
    page.get_by_role("button", name="Chấp nhận").click()
    expect(page.get_by_text("Đã chấp nhận giải trình.")).to_be_visible()
    history = page.locator(".explanation-history tbody tr")
    expect(history).to_have_count(5)
    expect(history.nth(4)).to_contain_text("Trần Minh")
    screenshot(page, "explanations-leader-accepted")
    explanation.refresh_from_db()
    assert explanation.status == ExplanationStatus.ACCEPTED
    assert explanation.submission_count == 2

    # 6. The dossier page shows the state with a link.
    page.goto(live_server.url + explanation.dossier.get_absolute_url())
    block = page.locator("#explanation")
    expect(block).to_contain_text("Đã chấp nhận")
    expect(block.get_by_role("link", name="Mở giải trình")).to_be_visible()
    screenshot(page, "explanations-dossier-block")

"""A member of staff logs in from the browser and lands in the staff area."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


def test_staff_login_with_enter_lands_in_the_staff_area(desktop_page, live_server, desk_officer):
    page = desktop_page
    page.goto(live_server.url + reverse("accounts:login"))
    screenshot(page, "login-desktop")

    page.locator("input[name=username]").fill(desk_officer.username)
    page.locator("input[name=password]").fill("matkhau-123")
    page.locator("input[name=password]").press("Enter")

    expect(page).to_have_url(live_server.url + reverse("core:staff-home"))
    expect(page.locator("h1")).to_contain_text(desk_officer.get_full_name())
    logout = page.locator(f"form[action='{reverse('accounts:logout')}'] button")
    expect(logout).to_be_attached()
    screenshot(page, "staff-home-desktop")


def test_wrong_password_on_a_phone_shows_the_error_and_keeps_the_username(
    phone_page, live_server, desk_officer
):
    page = phone_page
    page.goto(live_server.url + reverse("accounts:login"))

    page.locator("input[name=username]").fill(desk_officer.username)
    page.locator("input[name=password]").fill("sai-mat-khau")
    page.locator("button[type=submit].btn-portal").tap()

    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_value(desk_officer.username)
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + "$"))
    screenshot(page, "login-phone-error")

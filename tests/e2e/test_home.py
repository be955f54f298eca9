"""The home page in a real browser, at phone and desktop widths."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


def open_home(page, live_server):
    page.goto(live_server.url + reverse("core:home"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_home_on_a_phone_collapses_the_menu_and_opens_it_on_tap(phone_page, live_server, agency):
    page = phone_page
    open_home(page, live_server)
    menu = page.locator("#main-nav")
    toggler = page.locator("button.navbar-toggler")

    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    # Nothing sticks out sideways on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "home-phone")

    toggler.tap()

    expect(toggler).to_have_attribute("aria-expanded", "true")
    # Bootstrap animates the height; "collapse show" replaces "collapsing" once it is open.
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(page.locator("#language-select")).to_be_visible()
    expect(menu.locator(f"a[href='{reverse('procedures:procedure-list')}']")).to_be_visible()
    screenshot(page, "home-phone-menu-open")


def test_home_on_a_phone_shows_the_contact_and_a_callable_hotline(phone_page, live_server, agency):
    page = phone_page
    open_home(page, live_server)

    hotline = page.locator("#contact-title ~ dl a[href^='tel:']")
    expect(hotline).to_have_text(agency.hotline)
    expect(hotline).to_have_attribute("href", "tel:" + agency.hotline.replace(" ", ""))
    hotline.scroll_into_view_if_needed()
    box = hotline.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_home_on_a_desktop_shows_the_menu_without_a_toggler(desktop_page, live_server, agency):
    page = desktop_page
    open_home(page, live_server)

    expect(page.locator("button.navbar-toggler")).to_be_hidden()
    expect(page.locator("#main-nav")).to_be_visible()
    # The four quick links sit on one row at this width.
    tops = {round(box["y"]) for box in _boxes(page.locator(".quick-link"))}
    assert len(tops) == 1
    screenshot(page, "home-desktop")


def test_home_search_box_submits_to_the_catalogue(desktop_page, live_server, agency):
    page = desktop_page
    open_home(page, live_server)

    page.locator("#home-q").fill("karaoke")
    page.locator("#home-q").press("Enter")

    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=karaoke$"))


def test_home_search_box_works_on_a_phone(phone_page, live_server, agency):
    page = phone_page
    open_home(page, live_server)

    page.locator("#home-q").fill("lễ hội")
    page.locator("form[role=search] button[type=submit]").tap()

    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=l%E1%BB%85\+h%E1%BB%99i$"))


def test_skip_link_appears_on_tab_and_moves_focus_to_the_main_content(
    desktop_page, live_server, agency
):
    page = desktop_page
    open_home(page, live_server)
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["width"] <= 1  # visually hidden until focused

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["width"] > 50 and box["height"] > 20
    screenshot(page, "home-desktop-skip-link")

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()


def test_language_switcher_changes_the_page_to_english(desktop_page, live_server, agency):
    page = desktop_page
    open_home(page, live_server)

    page.locator("#language-select").select_option("en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + reverse("core:home"))
    expect(page.locator("#language-select")).to_have_value("en")


def _boxes(locator):
    return [locator.nth(i).bounding_box() for i in range(locator.count())]

"""The public procedure catalogue in a real browser: search without diacritics, read, download."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from procedures import demo
from tests.e2e.conftest import screenshot

SECTIONS = [
    "#subjects",
    "#agency",
    "#submit",
    "#steps",
    "#dossier",
    "#time",
    "#result",
    "#fees",
    "#legal-basis",
    "#publication",
    "#online",
    "#help",
]


def test_a_citizen_on_a_phone_finds_a_procedure_typed_without_diacritics_and_gets_its_form(
    phone_page, live_server, agency
):
    demo.seed(agency=agency)
    page = phone_page
    page.goto(live_server.url + reverse("core:home"))
    page.get_by_role("searchbox").fill("dang ky le hoi")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=dang\+ky\+le\+hoi"))
    result = page.get_by_role("link", name="Đăng ký tổ chức lễ hội cấp huyện")
    expect(result).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "catalogue-phone-search")

    result.click()
    expect(page.locator("h1")).to_have_text("Đăng ký tổ chức lễ hội cấp huyện")
    for section in SECTIONS:
        expect(page.locator(section)).to_be_attached()
    # The time limit in plain words: festival registration counts calendar days.
    expect(page.locator("#time")).to_contain_text("ngày")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "catalogue-phone-detail")

    # The karaoke licence amendment has a form to download (Mẫu số 03).
    page.goto(live_server.url + reverse("procedures:procedure-detail", args=["1.000963"]))
    with page.expect_download() as download_info:
        page.locator("#dossier a[download]").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_on_a_desktop_upper_case_with_diacritics_finds_the_same_and_filters_by_field(
    desktop_page, live_server, agency
):
    demo.seed(agency=agency)
    page = desktop_page
    url = live_server.url + reverse("procedures:procedure-list")
    page.goto(url + "?q=dang+ky")
    plain = page.locator(".procedure-result h2").all_inner_texts()
    page.goto(url + "?q=" + "ĐĂNG KÝ")
    accented = page.locator(".procedure-result h2").all_inner_texts()
    assert plain and plain == accented

    page.goto(url)
    page.get_by_label("Lĩnh vực").select_option(label="Thư viện")
    page.get_by_role("button", name="Tìm kiếm").first.click()
    names = page.locator(".procedure-result h2").all_inner_texts()
    assert names and all("thư viện" in name.lower() for name in names)
    screenshot(page, "catalogue-desktop-field-filter")

    page.get_by_role("link", name=re.compile("thư viện", re.IGNORECASE)).first.click()
    expect(page.locator("#dossier table")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".portal-header")).to_be_hidden()
    screenshot(page, "catalogue-desktop-detail-print")

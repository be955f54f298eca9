import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def html_of(response):
    return response.content.decode()


def test_home_page_shows_the_agency_contact_in_vietnamese(client, agency):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert agency.hotline in html
    assert 'href="#main"' in html


def test_home_page_starts_with_a_skip_link_to_the_main_content(client, agency):
    html = html_of(client.get(reverse("core:home")))

    body = html[html.index("<body") :]
    first_link = body[body.index("<a ") : body.index("</a>")]
    assert 'href="#main"' in first_link
    assert "visually-hidden-focusable" in first_link
    assert '<main id="main"' in html


def test_home_page_shows_office_hours_address_and_a_callable_hotline(client):
    AgencyFactory(
        is_primary=True,
        hotline="0258 3822 500",
        address="01 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
        office_hours="Sáng: 7 giờ 00 - 11 giờ 30\nChiều: 13 giờ 30 - 17 giờ 00",
    )

    html = html_of(client.get(reverse("core:home")))

    assert "Sáng: 7 giờ 00 - 11 giờ 30<br>Chiều: 13 giờ 30 - 17 giờ 00" in html
    assert "01 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa" in html
    assert 'href="tel:02583822500"' in html


def test_home_page_without_a_primary_agency_still_renders(client):
    response = client.get(reverse("core:home"))

    assert response.status_code == 200
    assert 'href="tel:' not in html_of(response)


def test_home_page_links_to_every_public_service(client, agency):
    html = html_of(client.get(reverse("core:home")))

    for url in [
        reverse("procedures:procedure-list"),
        reverse("dossiers:lookup"),
        reverse("feedback:submit"),
        reverse("satisfaction:entry"),
        escape(settings.NATIONAL_PORTAL_URL),
    ]:
        assert f'href="{url}"' in html, url


def test_home_search_box_submits_to_the_procedure_catalogue(client, agency):
    html = html_of(client.get(reverse("core:home")))

    form = re.search(r'<form[^>]*role="search"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert f'action="{reverse("procedures:procedure-list")}"' in form.group(0)
    assert 'method="get"' in form.group(0)
    assert 'name="q"' in form.group(1)


def test_language_switcher_switches_to_english_and_back(client, agency):
    home = reverse("core:home")
    assert '<option value="en"' in html_of(client.get(home))

    response = client.post(reverse("set_language"), {"language": "en", "next": home})

    assert response.status_code == 302
    assert response["Location"] == home
    assert '<html lang="en">' in html_of(client.get(home))

    client.post(reverse("set_language"), {"language": "vi", "next": home})
    assert '<html lang="vi">' in html_of(client.get(home))


def test_language_switcher_refuses_an_external_next(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("slug", ["phan-anh-kien-nghi"])
def test_coming_soon_pages_are_public_and_give_the_hotline(client, agency, slug):
    response = client.get(reverse("core:coming-soon", args=[slug]))

    assert response.status_code == 200
    assert agency.hotline in html_of(response)


def test_unknown_coming_soon_page_is_404(client, agency):
    response = client.get(reverse("core:coming-soon", args=["khong-co"]))

    assert response.status_code == 404


def test_the_survey_is_no_longer_coming_soon(client, agency):
    assert client.get(reverse("core:coming-soon", args=["danh-gia"])).status_code == 404
    assert client.get(reverse("satisfaction:entry")).status_code == 200


def test_unknown_url_renders_the_portal_404_page(client, agency, settings):
    settings.DEBUG = False

    response = client.get("/trang-khong-ton-tai/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = html_of(response)
    assert '<html lang="vi">' in html
    assert f'href="{reverse("core:home")}"' in html
    assert agency.hotline in html  # the footer is there: the visitor is still on the portal


def test_staff_area_requires_login(client):
    response = client.get(reverse("core:staff-home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_login_post_without_csrf_token_is_refused(desk_officer):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("accounts:login"),
        {"username": desk_officer.username, "password": "matkhau-123"},
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_post_with_the_csrf_token_of_the_page_is_accepted(desk_officer):
    client = Client(enforce_csrf_checks=True)
    page = html_of(client.get(reverse("accounts:login")))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        reverse("accounts:login"),
        {
            "username": desk_officer.username,
            "password": "matkhau-123",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_browser_set_to_english_still_gets_vietnamese_until_the_visitor_switches(client, agency):
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.django_db
def test_an_edited_hotline_shows_at_once(client, agency):
    client.get(reverse("core:home"))  # primes the cache
    agency.hotline = "0258 9999 888"
    agency.save()
    assert "0258 9999 888" in client.get(reverse("core:home")).content.decode()

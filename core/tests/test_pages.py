import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_page_shows_the_agency_contact_in_vietnamese(client, agency):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert agency.hotline in html
    assert 'href="#main"' in html


@pytest.mark.django_db
def test_staff_area_requires_login(client):
    response = client.get(reverse("core:staff-home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]

"""Staff login, lockout after repeated failures (django-axes), logout and the `next` redirect.

Real flows go through `client.post` to the login page, as a browser would: axes only counts
attempts that come with a request. The Vietnamese catalogue of the portal is not written yet,
so assertions check structure and behaviour, and Django's own Vietnamese where it has it.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.forms import StaffLoginForm

PASSWORD = "matkhau-123"
WRONG = "sai-mat-khau"

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_url():
    return reverse("accounts:login")


def post_login(client, username, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def is_logged_in(client):
    return "_auth_user_id" in client.session


def invalid_login_message():
    with translation.override(settings.LANGUAGE_CODE):
        return escape(str(StaffLoginForm.error_messages["invalid_login"]))


def test_login_page_is_vietnamese_and_has_the_form(client, login_url):
    response = client.get(login_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert 'name="username"' in html
    assert 'type="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # "Password" comes from Django's own Vietnamese catalogue.
    assert "Mật khẩu" in html


def test_empty_form_shows_djangos_vietnamese_required_message(client):
    response = post_login(client, "", "")

    assert response.status_code == 200
    assert response.content.decode().count("Trường này là bắt buộc.") == 2
    assert not is_logged_in(client)


def test_wrong_password_shows_an_error_and_keeps_the_username(client, desk_officer):
    response = post_login(client, desk_officer.username, WRONG)

    assert response.status_code == 200
    html = response.content.decode()
    assert invalid_login_message() in html
    assert "alert-danger" in html
    assert f'value="{desk_officer.username}"' in html
    assert WRONG not in html  # the password is never echoed back
    assert not is_logged_in(client)


def test_right_password_logs_in_and_lands_in_the_staff_area(client, desk_officer):
    response = post_login(client, desk_officer.username, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("core:staff-home")
    assert is_logged_in(client)
    assert client.get(reverse("core:staff-home")).status_code == 200


def test_logged_in_user_opening_the_login_page_goes_to_the_staff_area(client, desk_officer):
    client.force_login(desk_officer)

    response = client.get(reverse("accounts:login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("core:staff-home")


def test_sixth_attempt_is_locked_out_even_with_the_right_password(client, desk_officer):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert post_login(client, desk_officer.username, WRONG).status_code == 200
    # The fifth failure reaches the limit: axes answers it with the lockout page already.
    fifth = post_login(client, desk_officer.username, WRONG)
    assert fifth.status_code == 429

    sixth = post_login(client, desk_officer.username, PASSWORD)

    assert sixth.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in sixth.templates]
    assert 'name="password"' not in sixth.content.decode()
    assert not is_logged_in(client)
    # The attempt with the right password counts as one more failure, not as a success.
    assert AccessAttempt.objects.get(username=desk_officer.username).failures_since_start == 6


def test_lockout_of_one_username_does_not_lock_out_a_colleague_at_the_same_desk(
    client, desk_officer, specialist
):
    for _ in range(5):
        post_login(client, desk_officer.username, WRONG)

    response = post_login(client, specialist.username, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_successful_login_resets_the_failure_count(client, desk_officer):
    for _ in range(4):
        post_login(client, desk_officer.username, WRONG)
    assert post_login(client, desk_officer.username, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    # Without the reset these would be failures 5 to 8 and the last login would be refused.
    for _ in range(4):
        assert post_login(client, desk_officer.username, WRONG).status_code == 200
    response = post_login(client, desk_officer.username, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_logout_refuses_get(client, desk_officer):
    client.force_login(desk_officer)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert is_logged_in(client)


def test_logout_by_post_ends_the_session_and_returns_home(client, desk_officer):
    client.force_login(desk_officer)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert not is_logged_in(client)
    assert client.get(reverse("core:staff-home")).status_code == 302


def test_staff_page_sends_to_login_and_back_after_login(client, desk_officer):
    staff_home = reverse("core:staff-home")
    response = client.get(staff_home)
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert f'name="next" value="{staff_home}"' in login_page.content.decode()

    response = post_login(client, desk_officer.username, PASSWORD, next="/thu-tuc/")

    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/phishing", "//evil.example/", "http://testserver.evil.example/"],
)
def test_external_next_is_refused(client, desk_officer, next_url):
    response = post_login(client, desk_officer.username, PASSWORD, next=next_url)

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert is_logged_in(client)

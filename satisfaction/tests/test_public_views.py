"""The citizen's survey pages: the invitation link, the code + phone entry, thank-you and the
clear pages of links that cannot be answered. Pages are in Vietnamese (the portal's default)."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from satisfaction import services
from satisfaction.constants import ResponseSource
from satisfaction.models import FollowUp, Response
from satisfaction.tests.conftest import APPLICANT, at, form_data, make_dossier
from satisfaction.tokens import survey_path

pytestmark = pytest.mark.django_db
ENTRY = "/danh-gia/"


@pytest.fixture
def invitation(returned):
    return services.invitation_for_dossier(dossier=returned)


@pytest.fixture
def link(invitation):
    return survey_path(invitation.token)


def html_of(response) -> str:
    return response.content.decode()


def assert_no_personal_data(html: str, dossier=None):
    for value in APPLICANT.values():
        assert value not in html, value
    assert "0912765431" not in html and "765 431" not in html
    if dossier is not None:
        assert dossier.code not in html


def checked_scores(html: str) -> dict[str, str]:
    """{field name: value} of the radio buttons checked on a page."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="radio"' in tag and " checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            found[name] = re.search(r'value="([^"]+)"', tag).group(1)
    return found


# --- the link --------------------------------------------------------------------------------
def test_the_link_opens_the_survey_with_the_procedure_and_date_only(client, link, returned):
    response = client.get(link)

    assert response.status_code == 200
    html = html_of(response)
    assert "Cấp Giấy phép tổ chức lễ hội" in html
    assert "09/03/2026" in html  # the day the result was handed over
    for label in ["Tiếp cận dịch vụ", "Điều kiện tiếp đón và phục vụ", "Sự phục vụ của công chức"]:
        assert label in html
    assert "Rất không hài lòng" in html and "Rất hài lòng" in html
    assert "Thiếu bút, giấy viết" in html  # the facility checklist
    assert_no_personal_data(html, returned)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_every_question_has_five_buttons_from_1_to_5(client, link, survey):
    html = html_of(client.get(link))
    question_count = sum(len(c.questions.all()) for c in survey.criteria.all())

    values = re.findall(r'type="radio" class="sv-radio" name="q\d+" value="(\d)"', html)
    assert len(values) == 5 * question_count
    assert values[:5] == ["1", "2", "3", "4", "5"]


def test_sending_the_survey_thanks_the_citizen_and_records_the_response(client, link, survey):
    response = client.post(link, form_data(survey, 4, comment="Cảm ơn cán bộ."))

    assert response.status_code == 302
    assert response["Location"] == reverse("satisfaction:thanks")
    thanks = client.get(response["Location"])
    assert "Cảm ơn Ông/Bà đã đánh giá" in html_of(thanks)
    saved = Response.objects.get()
    assert saved.source == ResponseSource.LINK and saved.comment == "Cảm ơn cán bộ."
    assert not FollowUp.objects.exists()


def test_the_qr_code_link_records_its_source(client, invitation, survey):
    path = survey_path(invitation.token, source=ResponseSource.QR)
    assert path.endswith("?nguon=qr")
    page = html_of(client.get(path))
    assert 'name="source" value="qr"' in page

    client.post(path, form_data(survey, 5, source="qr"))

    assert Response.objects.get().source == ResponseSource.QR


def test_a_2_sent_from_the_page_opens_a_follow_up(client, link, survey):
    data = form_data(survey, 4)
    first_question = survey.criteria.first().questions.first()
    data[f"q{first_question.pk}"] = "2"

    client.post(link, data)

    assert FollowUp.objects.get().reasons[0]["question_id"] == first_question.pk


@pytest.mark.parametrize("bad", ["0", "6", "abc", ""])
def test_a_score_outside_1_to_5_is_refused_in_vietnamese_and_every_answer_is_kept(
    client, link, survey, bad
):
    data = form_data(survey, 4, comment="Ghế ngồi chờ hơi ít", expectation="Thêm ghế")
    questions = [q for c in survey.criteria.all() for q in c.questions.all()]
    data[f"q{questions[0].pk}"] = bad
    data[f"q{questions[1].pk}"] = "5"
    facility = survey.facility_options.get(code="ghe_ngoi")
    data["facilities"] = [str(facility.pk)]

    response = client.post(link, data)

    assert response.status_code == 400
    html = html_of(response)
    if bad:
        assert "Chỉ chọn một trong năm mức" in html
    else:
        assert "Xin chọn mức độ hài lòng" in html
    assert "Vui lòng xem lại các câu được đánh dấu. Các câu trả lời của Ông/Bà vẫn được giữ." in (
        html
    )
    kept = checked_scores(html)
    assert f"q{questions[0].pk}" not in kept
    assert kept[f"q{questions[1].pk}"] == "5"
    assert all(kept[f"q{q.pk}"] == "4" for q in questions[2:])
    assert "Ghế ngồi chờ hơi ít" in html and "Thêm ghế" in html
    assert f'value="{facility.pk}" id="id_facilities_2" checked' in html
    assert Response.objects.count() == 0


def test_a_second_submission_is_refused_politely(client, link, survey):
    client.post(link, form_data(survey, 4))

    again = client.post(link, form_data(survey, 1))

    assert again.status_code == 409
    assert "Hồ sơ này đã được đánh giá" in html_of(again)
    assert Response.objects.count() == 1
    assert client.get(link).status_code == 409  # the link now says so too


def test_the_robot_field_is_thanked_and_forgotten(client, link, survey):
    response = client.post(link, form_data(survey, 4, website="http://spam.example"))

    assert response.status_code == 302
    assert Response.objects.count() == 0


def test_answers_to_a_replaced_version_ask_for_the_new_one(client, link, survey, administrator):
    data = form_data(survey, 4)
    new = services.survey_new_version(survey=survey, user=administrator)
    services.survey_activate(survey=new, user=administrator)

    response = client.post(link, data)

    assert response.status_code == 400
    assert "Phiếu khảo sát vừa được cập nhật" in html_of(response)
    assert Response.objects.count() == 0


def test_the_form_needs_the_csrf_token(link, survey):
    client = Client(enforce_csrf_checks=True)

    assert client.post(link, form_data(survey, 4)).status_code == 403
    assert Response.objects.count() == 0


# --- links that cannot be answered -----------------------------------------------------------
def test_a_forged_token_gets_a_clear_page(client, returned):
    response = client.get(survey_path("A" * 32))

    assert response.status_code == 404
    html = html_of(response)
    assert "Đường liên kết không hợp lệ" in html
    assert reverse("satisfaction:entry") in html


def test_an_expired_link_says_so(client, link):
    with time_machine.travel(at(2026, 5, 1, 9), tick=False):
        response = client.get(link)

    assert response.status_code == 410
    assert "Đường dẫn đánh giá đã hết hạn" in html_of(response)


def test_an_expired_link_refuses_answers_too(client, link, survey):
    with time_machine.travel(at(2026, 5, 1, 9), tick=False):
        response = client.post(link, form_data(survey, 4))

    assert response.status_code == 410
    assert Response.objects.count() == 0


def test_a_link_before_the_result_is_ready_says_to_come_back(
    client, procedure, desk, officer, survey
):
    dossier = make_dossier(procedure, desk, officer, resolve=False)
    invitation = services.invitation_for_dossier(dossier=dossier)

    response = client.get(survey_path(invitation.token))

    assert response.status_code == 409
    assert "Hồ sơ của Ông/Bà chưa có kết quả" in html_of(response)
    assert client.post(survey_path(invitation.token), form_data(survey)).status_code == 409


@pytest.mark.parametrize("state", ["forged", "expired", "used", "not_ready"])
def test_no_closed_page_shows_personal_data(client, link, survey, returned, state):
    path = link
    if state == "forged":
        path = survey_path("B" * 32)
    elif state == "used":
        client.post(link, form_data(survey))
    elif state == "not_ready":
        returned.status = "4"  # a page must hold whatever the state
        returned.save(update_fields=["status"])
    travel = at(2026, 5, 1) if state == "expired" else at(2026, 3, 10, 12)
    with time_machine.travel(travel, tick=False):
        html = html_of(client.get(path))
    assert_no_personal_data(html, returned)


# --- the entry with code and phone digits ----------------------------------------------------
def test_the_entry_page_asks_for_the_code_and_4_digits(client, agency):
    html = html_of(client.get(ENTRY))

    assert 'name="code"' in html and 'name="phone_last4"' in html
    assert 'inputmode="numeric"' in html


def test_the_code_and_4_digits_lead_to_the_dossier_s_survey(client, returned, survey):
    response = client.post(ENTRY, {"code": returned.code.lower(), "phone_last4": "5431"})

    assert response.status_code == 302
    assert re.fullmatch(r"/danh-gia/[A-Za-z0-9_-]{32}/\?nguon=tra-cuu", response["Location"])
    page = client.get(response["Location"])
    assert page.status_code == 200
    client.post(response["Location"], form_data(survey, 4, source="tra-cuu"))
    assert Response.objects.get().source == ResponseSource.LOOKUP


def same(html: str) -> str:
    """The page without this request's CSRF token and without what was typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'(name="(?:code|phone_last4)" id="[^"]+") value="[^"]*"', r"\1", html)


def test_wrong_code_and_wrong_phone_give_the_same_answer(client, returned, procedure):
    wrong_phone = client.post(ENTRY, {"code": returned.code, "phone_last4": "0000"})
    wrong_code = client.post(ENTRY, {"code": returned.code[:-1] + "9", "phone_last4": "5431"})

    assert wrong_phone.status_code == wrong_code.status_code == 404
    assert same(html_of(wrong_phone)) == same(html_of(wrong_code))
    assert "Không tìm thấy hồ sơ" in html_of(wrong_phone)


def test_the_entry_says_when_the_dossier_was_already_rated(client, returned, survey):
    services.response_submit(
        survey=survey,
        source=ResponseSource.LINK,
        answers=services.SurveyAnswers(
            scores={q.pk: 4 for c in survey.criteria.all() for q in c.questions.all()}
        ),
        dossier=returned,
    )

    response = client.post(ENTRY, {"code": returned.code, "phone_last4": "5431"})

    assert response.status_code == 409
    assert "Hồ sơ này đã được đánh giá" in html_of(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "", "phone_last4": "5431"}, "Nhập mã hồ sơ"),
        ({"code": "<script>", "phone_last4": "5431"}, "Đây không phải là mã hồ sơ"),
        ({"code": "000.00.20.H32-260302-0001", "phone_last4": "54"}, "Nhập đúng 4 chữ số"),
    ],
)
def test_malformed_entries_show_the_form_again_with_a_message(client, agency, data, message):
    response = client.post(ENTRY, data)

    assert response.status_code == 400
    assert message in html_of(response)


def test_too_many_attempts_from_one_address_get_429(client, returned, settings):
    settings.SATISFACTION_ENTRY_RATE_PER_IP = "3/m"
    for _attempt in range(3):
        assert client.post(ENTRY, {"code": returned.code, "phone_last4": "0000"}).status_code == 404

    response = client.post(ENTRY, {"code": returned.code, "phone_last4": "5431"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Quá nhiều lần thử" in html_of(response)


def test_too_many_attempts_on_one_code_get_429_from_any_address(returned, settings):
    settings.SATISFACTION_ENTRY_RATE_PER_CODE = "2/h"
    for n in range(2):
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(ENTRY, {"code": returned.code, "phone_last4": "0"})

    response = Client(REMOTE_ADDR="10.0.0.9").post(
        ENTRY, {"code": returned.code, "phone_last4": "5431"}
    )

    assert response.status_code == 429


def test_too_many_answers_from_one_address_get_429(client, link, survey, settings):
    settings.SATISFACTION_SUBMIT_RATE = "2/h"
    client.post(link, {"survey_version": str(survey.pk)})
    client.post(link, {"survey_version": str(survey.pk)})

    response = client.post(link, form_data(survey))

    assert response.status_code == 429
    assert Response.objects.count() == 0


def test_every_public_page_opens_without_login(client, link, agency):
    for path in [ENTRY, link, reverse("satisfaction:thanks")]:
        assert client.get(path).status_code == 200, path


def test_the_survey_page_needs_few_queries(client, link, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get(link).status_code == 200


@pytest.mark.parametrize(
    "extra",
    [
        {"source": "<script>alert(1)</script>"},
        {"survey_version": "x"},
        {"survey_version": "99999999999999999999"},
        {"facilities": ["abc", "999999"]},
        {"comment": "a" * 5000},
        {"comment": "nul\x00byte"},
        {"q1": ["1", "5"]},
        {"website": ""},
    ],
)
def test_bad_input_never_answers_500(client, link, survey, extra):
    response = client.post(link, form_data(survey, 4, **extra))

    assert response.status_code in (302, 400)
    assert Response.objects.count() == (1 if response.status_code == 302 else 0)


@pytest.mark.parametrize(
    "path",
    [
        "/danh-gia/" + "a" * 64 + "/",
        "/danh-gia/" + "-" * 32 + "/",
        "/danh-gia/%00" + "a" * 30 + "/",
    ],
)
def test_odd_links_get_a_page_not_an_error(client, agency, path):
    assert client.get(path).status_code == 404


def test_an_unknown_source_counts_as_the_link(client, link, survey):
    client.post(link, form_data(survey, 4, source="facebook"))

    assert Response.objects.get().source == ResponseSource.LINK

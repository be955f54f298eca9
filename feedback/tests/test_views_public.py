import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from feedback import services
from feedback.models import Feedback
from feedback.tokens import tracking_token
from feedback.views.public import VOTE_COOKIE

from .factories import (
    SENDER_ADDRESS,
    SENDER_EMAIL,
    SENDER_NAME,
    make_feedback,
)

pytestmark = pytest.mark.django_db
SUBMIT = reverse("feedback:submit")


def html_of(response):
    return response.content.decode()


def valid_post(**overrides):
    data = {
        "kind": "feedback",
        "category": "procedure",
        "content": "Cán bộ hẹn trả kết quả nhưng quá hạn 3 ngày.",
        "proposed_solution": "",
        "procedure": "",
        "dossier_code": "",
        "sender_name": "Lê Văn Tám",
        "sender_address": "12 Yersin, Nha Trang",
        "sender_phone": "0905 123 456",
        "sender_email": "",
        "consent_processing": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_form_page_renders_for_anonymous_visitors(client, agency, procedure):
    response = client.get(SUBMIT, {"thu-tuc": procedure.pk})
    html = html_of(response)
    assert response.status_code == 200
    assert 'name="consent_processing"' in html and 'name="website"' in html
    assert f'<option value="{procedure.pk}" selected>' in html


def test_sending_gives_a_receipt_code_and_tracking_link(client, agency):
    response = client.post(SUBMIT, valid_post())
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("feedback:submitted", args=[feedback.code]))
    page = client.get(response["Location"])
    html = html_of(page)
    assert page.status_code == 200 and feedback.code in html
    assert f"/{tracking_token(feedback.code)}/" in html
    assert "Lê Văn Tám" not in html and "905" not in html
    assert page["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("overrides", "field", "kept"),
    [
        ({"sender_name": ""}, "sender_name", "Cán bộ hẹn trả kết quả"),
        ({"sender_address": "   "}, "sender_address", "Lê Văn Tám"),
        ({"sender_phone": ""}, "sender_phone", "12 Yersin"),
        ({"sender_phone": "abc"}, "sender_phone", "Lê Văn Tám"),
        ({"content": ""}, "content", "Lê Văn Tám"),
        ({"content": "x" * 6000}, "content", "Lê Văn Tám"),
        ({"kind": "petition"}, "proposed_solution", "Cán bộ hẹn trả kết quả"),
        ({"kind": "complaint"}, "kind", "Lê Văn Tám"),
        ({"category": ""}, "category", "Lê Văn Tám"),
        ({"consent_processing": ""}, "consent_processing", "Lê Văn Tám"),
        ({"sender_email": "not-an-email"}, "sender_email", "Lê Văn Tám"),
        ({"procedure": "999999"}, "procedure", "Lê Văn Tám"),
        ({"procedure": "abc"}, "procedure", "Lê Văn Tám"),
        ({"dossier_code": "x" * 100}, "dossier_code", "Lê Văn Tám"),
        ({"content": "Nội dung\x00 lạ"}, None, None),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, agency, overrides, field, kept):
    response = client.post(SUBMIT, valid_post(**overrides))
    if field is None:  # cleaned, not refused
        assert response.status_code in (302, 400)
        return
    html = html_of(response)
    assert response.status_code == 400
    assert f'id="id_{field}-error"' in html or f"#id_{field}" in html
    assert kept in html
    assert not Feedback.objects.exists()


def test_missing_fields_are_explained_in_vietnamese(client, agency):
    html = html_of(client.post(SUBMIT, valid_post(sender_name="", consent_processing="")))
    assert "họ và tên" in html.lower() or "họ tên" in html.lower()


def test_honeypot_refuses_robots(client, agency):
    response = client.post(SUBMIT, valid_post(website="http://spam.example"))
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_html_in_content_is_shown_as_text(client, agency, boss):
    script = "<script>alert('x')</script><b>đậm</b>"
    response = client.post(SUBMIT, valid_post(content=script, sender_name=""))
    assert "<script>alert" not in html_of(response)
    feedback = make_feedback(agency, state="answered", leader=boss, content=script)
    services.feedback_publish(
        feedback=feedback, user=boss, public_question=script, public_answer=script
    )
    html = html_of(client.get(reverse("feedback:answer", args=[feedback.pk])))
    assert "<script>alert" not in html and escape("<script>alert('x')</script>") in html
    archive = html_of(client.get(reverse("feedback:archive")))
    assert "<script>alert" not in archive


def test_submissions_are_rate_limited_per_ip(client, agency, settings):
    settings.FEEDBACK_SUBMIT_RATE = "2/h"
    for _ in range(2):
        assert client.post(SUBMIT, valid_post()).status_code == 302
    response = client.post(SUBMIT, valid_post())
    assert response.status_code == 429 and "Retry-After" in response
    assert Feedback.objects.count() == 2
    assert client.get(SUBMIT).status_code == 200  # reading the form is never limited


def test_oversized_requests_are_refused_before_reading(client, agency, settings):
    settings.FEEDBACK_ATTACHMENT_MAX_FILES = 1
    settings.FEEDBACK_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 400_000, content_type="application/pdf")
    response = client.post(SUBMIT, {**valid_post(), "files": big})
    assert response.status_code == 413
    assert not Feedback.objects.exists()


def test_attachments_are_accepted_and_bad_ones_explained(client, agency):
    good = SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    assert client.post(SUBMIT, {**valid_post(), "files": good}).status_code == 302
    bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(SUBMIT, {**valid_post(), "files": bad})
    assert response.status_code == 400 and 'id="id_files-error"' in html_of(response)


def test_tracking_page_shows_status_only(client, agency):
    feedback = make_feedback(agency)
    url = reverse("feedback:track", args=[feedback.code, tracking_token(feedback.code)])
    response = client.get(url)
    html = html_of(response)
    assert response.status_code == 200 and feedback.code in html
    for value in (SENDER_NAME, SENDER_ADDRESS, SENDER_EMAIL, "912345678", feedback.content):
        assert value not in html
    wrong = reverse("feedback:track", args=[feedback.code, "x" * 12])
    assert client.get(wrong).status_code == 404


def test_tracking_is_rate_limited(client, agency, settings):
    settings.FEEDBACK_TRACK_RATE = "3/m"
    url = reverse("feedback:track", args=["PA26-AAAAAA", "x"])
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_archive_never_shows_personal_data(client, agency, boss, procedure):
    make_feedback(agency, state="published", leader=boss, procedure=procedure)
    pages = [
        client.get(reverse("feedback:archive")),
        client.get(reverse("feedback:archive"), {"q": "ho so"}),
        client.get(reverse("feedback:answer", args=[Feedback.objects.get().pk])),
        client.get(reverse("procedures:procedure-detail", args=[procedure.slug]))
        if hasattr(procedure, "slug")
        else client.get(procedure.get_absolute_url()),
    ]
    for response in pages:
        html = html_of(response)
        assert response.status_code == 200
        for value in (SENDER_NAME, "Xuyến", SENDER_ADDRESS, SENDER_EMAIL, "912345678"):
            assert value not in html


def test_procedure_page_lists_its_answers(client, agency, boss, procedure):
    item = make_feedback(agency, state="published", leader=boss, procedure=procedure)
    html = html_of(client.get(procedure.get_absolute_url()))
    assert reverse("feedback:answer", args=[item.pk]) in html
    assert f"{reverse('feedback:submit')}?thu-tuc={procedure.pk}" in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"linh_vuc": "abc"},
        {"linh_vuc": "99999999999999"},
        {"thu_tuc": "<script>"},
        {"q": "\x00"},
        {"q": "%_\\"},
    ],
)
def test_archive_never_fails_on_odd_parameters(client, agency, params):
    response = client.get(reverse("feedback:archive"), params)
    assert response.status_code in (200, 400)


def test_archive_query_count_is_bounded(
    client, agency, boss, procedure, django_assert_max_num_queries
):
    for n in range(25):
        make_feedback(
            agency, state="published", leader=boss, procedure=procedure, content=f"Hỏi {n}"
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("feedback:archive"), {"q": "hoi", "page": "1"})
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        client.get(procedure.get_absolute_url())


def test_votes_once_per_browser_with_csrf(agency, boss):
    from django.test import Client

    item = make_feedback(agency, state="published", leader=boss)
    url = reverse("feedback:vote", args=[item.pk])
    client = Client(enforce_csrf_checks=True)
    assert client.post(url, {"helpful": "1"}).status_code == 403  # no CSRF token
    page = client.get(reverse("feedback:answer", args=[item.pk]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html_of(page)).group(1)
    first = client.post(url, {"helpful": "1", "csrfmiddlewaretoken": token})
    second = client.post(url, {"helpful": "0", "csrfmiddlewaretoken": token})
    assert first.status_code == second.status_code == 302
    assert VOTE_COOKIE in client.cookies
    item.refresh_from_db()
    assert (item.helpful_count, item.not_helpful_count) == (1, 0)
    client.cookies[VOTE_COOKIE] = "forged"
    client.post(url, {"helpful": "0", "csrfmiddlewaretoken": token})
    item.refresh_from_db()
    assert item.not_helpful_count == 1  # a forged cookie counts as no cookie


def test_votes_are_rate_limited_and_unknown_answers_404(client, agency, boss, settings):
    settings.FEEDBACK_VOTE_RATE = "1/h"
    item = make_feedback(agency, state="published", leader=boss)
    assert (
        client.post(reverse("feedback:vote", args=[item.pk + 999]), {"helpful": "1"}).status_code
        == 404
    )
    assert (
        client.post(reverse("feedback:vote", args=[item.pk]), {"helpful": "1"}).status_code == 429
    )


def test_unpublished_answers_are_not_public(client, agency, boss):
    item = make_feedback(agency, state="answered", leader=boss)
    assert client.get(reverse("feedback:answer", args=[item.pk])).status_code == 404

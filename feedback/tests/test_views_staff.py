import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from feedback.constants import Channel, FeedbackStatus
from feedback.models import Feedback

from .factories import SENDER_NAME, make_feedback, staff

pytestmark = pytest.mark.django_db
REGISTER = reverse("feedback:staff-register")
INTAKE = reverse("feedback:staff-intake")


def action_url(feedback, action):
    return reverse("feedback:staff-action", args=[feedback.code, action])


def test_staff_pages_need_login_and_permission(client, agency, boss):
    feedback = make_feedback(agency)
    for url in (REGISTER, INTAKE, feedback.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]
    outsider = staff(agency, Role.SPECIALIST)
    client.force_login(outsider)
    assert client.get(INTAKE).status_code == 403
    assert client.get(feedback.get_absolute_url()).status_code == 404  # not assigned to them
    other = staff(AgencyFactory(code="000.00.23.H32", is_primary=False), Role.LEADER)
    client.force_login(other)
    assert client.get(feedback.get_absolute_url()).status_code == 404


def test_register_lists_items_with_overdue_flags_in_bounded_queries(
    client, agency, desk, boss, django_assert_max_num_queries
):
    for _ in range(30):
        make_feedback(agency, state="processing", leader=boss)
    Feedback.objects.update(due_at="2020-01-02T10:00:00+07:00")
    client.force_login(desk)
    with django_assert_max_num_queries(10):
        response = client.get(REGISTER, {"status": "overdue"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("light-red") >= 25
    for params in ({"status": "nonsense"}, {"page": "abc"}, {"q": "x" * 500}, {"page": "999"}):
        assert client.get(REGISTER, params).status_code == 200


def test_intake_by_phone_registers_and_keeps_input_on_error(client, agency, desk):
    client.force_login(desk)
    data = {
        "channel": Channel.PHONE,
        "kind": "feedback",
        "category": "conduct",
        "content": "Người gọi phản ánh cán bộ tiếp nhận chậm.",
        "sender_name": "Phạm Thị Gọi",
        "sender_address": "Phường Vĩnh Hải",
        "sender_phone": "",
        "consent_processing": "on",
    }
    response = client.post(INTAKE, data)
    assert response.status_code == 400 and "Phạm Thị Gọi" in response.content.decode()
    response = client.post(INTAKE, {**data, "sender_phone": "0258 3822 511"})
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == feedback.get_absolute_url()
    assert feedback.channel == Channel.PHONE and feedback.received_by == desk
    post = client.post(INTAKE, {**data, "channel": Channel.POST, "received_at": "2026-01-05T08:30"})
    assert post.status_code == 302
    assert client.post(INTAKE, {**data, "received_at": "2999-01-01T08:00"}).status_code == 400


def test_item_page_walks_the_whole_lifecycle(client, agency, boss, officer):
    feedback = make_feedback(agency)
    client.force_login(boss)
    page = client.get(feedback.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and SENDER_NAME in html
    assert action_url(feedback, "classify") in html and action_url(feedback, "publish") not in html

    assert (
        client.post(
            action_url(feedback, "classify"), {"classify-classification": "within"}
        ).status_code
        == 302
    )
    assert (
        client.post(action_url(feedback, "assign"), {"assign-officer": officer.pk}).status_code
        == 302
    )
    client.force_login(officer)
    answer = {
        "answer-answer_text": f"Gửi bà {SENDER_NAME}: đã xử lý.",
        "answer-reply_number": "12/TL",
    }
    assert client.post(action_url(feedback, "answer"), answer).status_code == 302
    letter = client.get(reverse("feedback:reply-letter", args=[feedback.code]))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in letter.content.decode()
    assert "12/TL" in letter.content.decode()
    pdf = client.get(reverse("feedback:reply-letter-pdf", args=[feedback.code]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")

    client.force_login(boss)
    leaking = {"publish-public_question": "Hỏi", "publish-public_answer": f"Gửi bà {SENDER_NAME}"}
    refused = client.post(action_url(feedback, "publish"), leaking)
    assert refused.status_code == 400 and "Hỏi" in refused.content.decode()
    clean = {"publish-public_question": "Hỏi về thời hạn", "publish-public_answer": "Đã xử lý."}
    assert client.post(action_url(feedback, "publish"), clean).status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.PUBLISHED
    types = list(feedback.events.values_list("type", flat=True))
    assert types == ["submitted", "classified", "assigned", "answered", "published"]


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("classify", {}),
        ("classify", {"classify-classification": "bogus"}),
        ("classify", {"classify-classification": "not_accepted"}),  # no reason
        ("forward", {"forward-competent_body": "Sở"}),  # not classified yet
        ("answer", {"answer-answer_text": "x"}),  # not classified yet
        ("publish", {}),
        ("assign", {"assign-officer": "999999"}),
        ("request_info", {"request_info-note": ""}),
    ],
)
def test_bad_actions_are_explained_never_500(client, agency, boss, action, data):
    feedback = make_feedback(agency)
    client.force_login(boss)
    response = client.post(action_url(feedback, action), data)
    assert response.status_code == 400
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.RECEIVED


def test_unknown_action_and_code_are_404(client, agency, boss):
    feedback = make_feedback(agency)
    client.force_login(boss)
    assert client.post(action_url(feedback, "delete"), {}).status_code == 404
    assert client.get(reverse("feedback:staff-detail", args=["PA26-ZZZZZZ"])).status_code == 404
    assert client.get(reverse("feedback:reply-letter", args=[feedback.code])).status_code == 404


def test_attachment_download_is_checked(client, agency, desk, officer):
    pdf = SimpleUploadedFile("don.pdf", b"%PDF-1.4 data", content_type="application/pdf")
    client.post(
        reverse("feedback:submit"),
        {
            "kind": "feedback",
            "category": "procedure",
            "content": "Nội dung",
            "sender_name": "A B",
            "sender_address": "Nha Trang",
            "sender_phone": "0905123456",
            "consent_processing": "on",
            "files": pdf,
        },
    )
    attachment = Feedback.objects.get().attachments.get()
    url = reverse("feedback:attachment-download", args=[attachment.pk])
    client.force_login(officer)
    assert client.get(url).status_code == 404
    client.force_login(desk)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_figures_page_for_leaders(client, agency, boss, desk, django_assert_max_num_queries):
    make_feedback(agency, state="published", leader=boss)
    client.force_login(desk)
    assert client.get(reverse("feedback:staff-figures")).status_code == 403
    client.force_login(boss)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("feedback:staff-figures"), {"nam": "abc"})
    assert response.status_code == 200

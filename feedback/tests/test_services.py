from datetime import datetime
from itertools import product
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from core.exceptions import ApplicationError
from feedback import services
from feedback.constants import Channel, Classification, EventType, FeedbackKind, FeedbackStatus
from feedback.models import Feedback, FeedbackEvent
from feedback.permissions import FeedbackNotFound
from feedback.selectors import feedback_register
from feedback.tokens import check_tracking_token, normalize_code, tracking_token
from feedback.workflow import TRANSITIONS, TransitionNotAllowed, check_transition

from .factories import (
    SENDER_ADDRESS,
    SENDER_EMAIL,
    SENDER_NAME,
    FeedbackInputFactory,
    SenderFactory,
    make_feedback,
    staff,
)

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return datetime(*args, tzinfo=VN)


# --- submission ------------------------------------------------------------------------------
def test_submit_registers_with_numbers_codes_history_and_consent(agency):
    first = make_feedback(agency)
    second = make_feedback(agency)

    assert first.status == FeedbackStatus.RECEIVED
    assert first.channel == Channel.WEB
    assert (first.register_number, second.register_number) == (1, 2)
    assert first.register_year == second.register_year
    assert normalize_code(first.code) == first.code != second.code
    assert first.sender_phone == "+84912345678"
    assert first.consent_processing_at is not None
    assert first.due_at == first.forward_due_at
    event = first.events.get()
    assert event.type == EventType.SUBMITTED and event.actor is None


def test_register_numbers_restart_each_year_and_per_agency(agency):
    with time_machine.travel(at(2025, 12, 31, 10), tick=False):
        last_year = make_feedback(agency)
    with time_machine.travel(at(2026, 1, 5, 10), tick=False):
        this_year = make_feedback(agency)
        other = make_feedback(AgencyFactory(code="000.00.21.H32", is_primary=False))
    assert (last_year.register_year, last_year.register_number) == (2025, 1)
    assert (this_year.register_year, this_year.register_number) == (2026, 1)
    assert other.register_number == 1


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"sender": SenderFactory.build(name="  ")}, "sender_name"),
        ({"sender": SenderFactory.build(address="")}, "sender_address"),
        ({"sender": SenderFactory.build(phone="")}, "sender_phone"),
        ({"sender": SenderFactory.build(phone="12345")}, "sender_phone"),
        ({"content": " \n "}, "content"),
        ({"content": "x" * 5001}, "content"),
        ({"kind": FeedbackKind.PETITION, "proposed_solution": ""}, "proposed_solution"),
        ({"consent_processing": False}, "consent_processing"),
        ({"kind": "complaint"}, "kind"),
        ({"category": "nothing"}, "category"),
    ],
)
def test_submit_refuses_what_article_7_requires(agency, fields, error_field):
    with pytest.raises(ValidationError) as error:
        services.feedback_submit(agency=agency, data=FeedbackInputFactory(**fields))
    assert error_field in error.value.message_dict
    assert not Feedback.objects.exists()


def test_post_needs_no_phone_but_staff_permission(agency, desk, officer):
    data = FeedbackInputFactory(sender=SenderFactory.build(phone=""))
    feedback = services.feedback_submit(
        agency=agency, data=data, channel=Channel.POST, received_by=desk
    )
    assert feedback.sender_phone == "" and feedback.received_by == desk
    with pytest.raises(FeedbackNotFound):
        services.feedback_submit(
            agency=agency, data=FeedbackInputFactory(), channel=Channel.PHONE, received_by=officer
        )


def test_attachments_are_checked_by_content_and_stored_privately(agency, settings):
    pdf = SimpleUploadedFile("don.pdf", b"%PDF-1.7 test", content_type="application/pdf")
    feedback = services.feedback_submit(agency=agency, data=FeedbackInputFactory(files=[pdf]))
    attachment = feedback.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert str(settings.FEEDBACK_ATTACHMENT_ROOT) in attachment.file.path

    fake = SimpleUploadedFile("anh.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.feedback_submit(agency=agency, data=FeedbackInputFactory(files=[fake]))
    assert "files" in error.value.message_dict
    settings.FEEDBACK_ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("to.pdf", b"%PDF-" + b"0" * 20, content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.feedback_submit(agency=agency, data=FeedbackInputFactory(files=[big]))


def test_control_characters_are_dropped(agency):
    feedback = make_feedback(agency, content="Nội dung\x00 có ký tự lạ\x07")
    assert feedback.content == "Nội dung có ký tự lạ"


# --- time limits -----------------------------------------------------------------------------
def test_time_limits_skip_tet_2026(agency):
    # Thu 12/2/2026 09:00; Tết 16-20/2 off: 2 WD -> Mon 23/2, 5 WD -> Thu 26/2, 15 WD -> 12/3.
    with time_machine.travel(at(2026, 2, 12, 9), tick=False):
        feedback = make_feedback(agency)
    assert feedback.refuse_due_at == at(2026, 2, 23, 17)
    assert feedback.info_request_due_at == at(2026, 2, 26, 17)
    assert feedback.forward_due_at == at(2026, 2, 26, 17)
    assert feedback.handle_due_at == at(2026, 3, 12, 17)


def test_received_after_closing_counts_from_the_next_working_day(agency):
    with time_machine.travel(at(2026, 3, 6, 16, 30), tick=False):  # Fri, office open
        open_hours = make_feedback(agency)
    with time_machine.travel(at(2026, 3, 6, 18), tick=False):  # Fri, closed
        evening = make_feedback(agency)
    assert open_hours.refuse_due_at == at(2026, 3, 10, 17)  # Mon 9 (1), Tue 10 (2)
    assert evening.refuse_due_at == at(2026, 3, 11, 17)  # counted from Mon 9


def test_time_limits_are_settings(agency, settings):
    settings.FEEDBACK_HANDLE_WORKING_DAYS = 10
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        feedback = make_feedback(agency)
    assert feedback.handle_due_at == at(2026, 3, 16, 17)


def test_forwarding_within_five_working_days_is_on_time_after_is_late(agency, boss):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):  # Mon: forward by Mon 9/3 17:00
        on_time = make_feedback(agency, state="to_forward", leader=boss)
        late = make_feedback(agency, state="to_forward", leader=boss)
    assert on_time.due_at == at(2026, 3, 9, 17)
    with time_machine.travel(at(2026, 3, 9, 16), tick=False):
        services.feedback_forward(feedback=on_time, user=boss, competent_body="Sở VHTT")
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        flags = {row.code: row.is_overdue for row in feedback_register(user=boss, filters={})}
        assert flags == {on_time.code: False, late.code: True}
        late = services.feedback_forward(feedback=late, user=boss, competent_body="Sở VHTT")
    on_time.refresh_from_db()
    assert on_time.is_on_time is True and on_time.due_at is None
    assert late.is_on_time is False and late.status == FeedbackStatus.FORWARDED


def test_refusal_must_come_within_two_working_days(agency, boss):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        feedback = make_feedback(agency)
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):  # 3 WD later
        feedback = services.feedback_classify(
            feedback=feedback,
            user=boss,
            classification=Classification.NOT_ACCEPTED,
            refusal_reason="Không ghi rõ nội dung.",
        )
    assert feedback.status == FeedbackStatus.REFUSED and feedback.is_on_time is False
    assert feedback.due_at is None


def test_answer_sets_publication_limit_and_timeliness(agency, boss):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        feedback = make_feedback(agency, state="processing", leader=boss)
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):  # Fri, before 23/3
        feedback = services.feedback_answer(feedback=feedback, user=boss, answer_text="Trả lời.")
    assert feedback.is_on_time is True
    assert feedback.publish_due_at == at(2026, 3, 24, 17)  # Mon 23 (1), Tue 24 (2)
    assert feedback.due_at == feedback.publish_due_at


# --- transitions -----------------------------------------------------------------------------
@pytest.mark.parametrize(("action", "status"), list(product(TRANSITIONS, FeedbackStatus.values)))
def test_transition_table_over_all_pairs(action, status):
    transition = TRANSITIONS[action]
    if status in transition.sources:
        assert check_transition(action, status) is transition
    else:
        with pytest.raises(TransitionNotAllowed):
            check_transition(action, status)


def test_actions_outside_the_table_are_refused_in_words(agency, boss):
    feedback = make_feedback(agency)
    with pytest.raises(ApplicationError, match="not possible|Không thể|không thể"):
        services.feedback_answer(feedback=feedback, user=boss, answer_text="x")


def test_transitions_are_idempotent_and_append_history(agency, boss):
    feedback = make_feedback(agency, state="answered", leader=boss)
    again = services.feedback_answer(feedback=feedback, user=boss, answer_text="Khác")
    assert again.answer_text == feedback.answer_text
    types = list(feedback.events.values_list("type", flat=True))
    assert types == [EventType.SUBMITTED, EventType.CLASSIFIED, EventType.ANSWERED]


def test_history_is_append_only(agency):
    event = make_feedback(agency).events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert FeedbackEvent.objects.count() == 1


def test_permissions_and_other_agencies_look_missing(agency, officer, boss):
    feedback = make_feedback(agency, state="processing", leader=boss)
    with pytest.raises(FeedbackNotFound):  # a specialist cannot classify or publish
        services.feedback_classify(
            feedback=make_feedback(agency), user=officer, classification=Classification.WITHIN
        )
    other = staff(AgencyFactory(code="000.00.22.H32", is_primary=False), Role.LEADER)
    with pytest.raises(FeedbackNotFound):
        services.feedback_answer(feedback=feedback, user=other, answer_text="x")
    # The specialist answers once the item is assigned to them.
    with pytest.raises(FeedbackNotFound):
        services.feedback_answer(feedback=feedback, user=officer, answer_text="x")
    services.feedback_assign(feedback=feedback, user=boss, officer=officer)
    answered = services.feedback_answer(feedback=feedback, user=officer, answer_text="Đã xử lý.")
    assert answered.answered_by == officer


def test_request_and_receive_information(agency, boss):
    feedback = make_feedback(agency)
    feedback = services.feedback_request_info(feedback=feedback, user=boss, note="Ghi rõ địa điểm")
    assert feedback.status == FeedbackStatus.NEEDS_INFO
    assert feedback.due_at == feedback.handle_due_at
    feedback = services.feedback_receive_info(feedback=feedback, user=boss, note="Tại phường X")
    assert feedback.status == FeedbackStatus.RECEIVED


# --- publication -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "leak",
    [
        SENDER_NAME,
        "trinh thi xuyen hoa",  # without diacritics
        "SỐ 77 ĐƯỜNG LÊ THÁNH TÔN, PHƯỜNG TÂN LẬP",
        "gọi 0912.345.678",
        "gọi +84 912 345 678",
        SENDER_EMAIL.upper(),
        "liên hệ ai.do@gmail.com",
        "CCCD 056190001234",
    ],
)
def test_publication_is_refused_while_personal_data_remains(agency, boss, leak):
    feedback = make_feedback(agency, state="answered", leader=boss)
    with pytest.raises(ValidationError) as error:
        services.feedback_publish(
            feedback=feedback,
            user=boss,
            public_question=f"Câu hỏi về lệ phí. {leak}",
            public_answer="Lệ phí theo Thông tư 01/2021/TT-BTC.",
        )
    assert "public_question" in error.value.message_dict
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.ANSWERED and feedback.published_at is None


def test_publication_with_clean_texts_sets_the_search_column(agency, boss, procedure):
    feedback = make_feedback(agency, state="published", leader=boss, procedure=procedure)
    assert feedback.status == FeedbackStatus.PUBLISHED
    assert "ho so duoc giai quyet" in feedback.search_text
    assert procedure.name.split()[0].lower()[:1] in feedback.search_text
    assert feedback.field_id == procedure.field_id
    unpublished = services.feedback_unpublish(feedback=feedback, user=boss, reason="Sót tên")
    assert unpublished.status == FeedbackStatus.ANSWERED and unpublished.search_text == ""
    assert SENDER_ADDRESS not in feedback.public_answer


def test_votes_count_only_on_published_answers(agency, boss):
    published = make_feedback(agency, state="published", leader=boss)
    answered = make_feedback(agency, state="answered", leader=boss)
    assert services.feedback_mark_helpful(feedback_id=published.pk, helpful=True)
    assert services.feedback_mark_helpful(feedback_id=published.pk, helpful=False)
    assert not services.feedback_mark_helpful(feedback_id=answered.pk, helpful=True)
    published.refresh_from_db()
    assert (published.helpful_count, published.not_helpful_count) == (1, 1)


# --- tokens ----------------------------------------------------------------------------------
def test_tracking_token_is_bound_to_the_code():
    token = tracking_token("PA26-7K3Q9M")
    assert check_tracking_token("PA26-7K3Q9M", token)
    assert not check_tracking_token("PA26-7K3Q9N", token)
    assert not check_tracking_token("PA26-7K3Q9M", token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not check_tracking_token("PA26-7K3Q9M", "")
    assert normalize_code(" pa26-7k3q9m ") == "PA26-7K3Q9M"
    assert normalize_code("PA26-7K3Q9") is None
    assert normalize_code("<script>") is None

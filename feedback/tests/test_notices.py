import pytest

from feedback import notices
from feedback.constants import EventType

from .factories import SENDER_EMAIL, make_feedback

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["feedback", "petition"])
@pytest.mark.parametrize(
    ("state", "key"),
    [
        ("received", notices.RECEIVED),
        ("refused", notices.REFUSED),
        ("forwarded", notices.FORWARDED),
        ("answered", notices.ANSWERED),
    ],
)
def test_messages_are_vietnamese_ascii_sms_within_one_message(agency, state, key, kind, settings):
    # A 40-character portal address; the agency's short name as the factories set it.
    settings.PUBLIC_BASE_URL = "https://dichvucong.nhatrang.khanhhoa.gov.vn"
    feedback = make_feedback(agency, state=state, kind=kind, proposed_solution="Rút ngắn.")
    messages = notices.build_messages(key, notices.notice_context(feedback))
    assert messages.sms.isascii() and len(messages.sms) <= 160, (len(messages.sms), messages.sms)
    assert feedback.code in messages.sms
    assert notices.notice_context(feedback)["link"] in messages.sms
    assert "VH&TT" in messages.sms  # not HTML-escaped
    assert feedback.code in messages.subject
    assert "Kính gửi" in messages.body and feedback.code in messages.body


def test_event_templates():
    class Event:
        def __init__(self, type, to_status=""):
            self.type, self.to_status = type, to_status

    assert notices.template_key_of(Event(EventType.SUBMITTED)) == notices.RECEIVED
    assert notices.template_key_of(Event(EventType.CLASSIFIED, "refused")) == notices.REFUSED
    assert notices.template_key_of(Event(EventType.CLASSIFIED, "processing")) is None
    assert notices.template_key_of(Event(EventType.ASSIGNED)) is None


def test_no_consent_no_notice(agency):
    feedback = make_feedback(agency, consent_notices=False)
    assert notices.consented_channels(feedback) == []
    assert notices.feedback_event_notify(feedback.events.get()) == []


def test_consented_events_go_to_the_outbox(agency):
    pytest.importorskip("core.notices.services")
    from core.models import Notice

    feedback = make_feedback(agency, state="answered", consent_notices=True)
    rows = Notice.objects.filter(event_key__startswith="feedback.feedbackevent:")
    assert {(n.template_key, n.channel) for n in rows} == {
        (notices.RECEIVED, "sms"),
        (notices.RECEIVED, "email"),
        (notices.ANSWERED, "sms"),
        (notices.ANSWERED, "email"),
    }
    email = rows.get(template_key=notices.ANSWERED, channel="email")
    assert email.recipient == SENDER_EMAIL
    assert email.attachments[0]["kwargs"] == {"feedback_id": feedback.pk}


def test_reply_letter_pdf_builder(agency):
    feedback = make_feedback(agency, state="answered")
    document = notices.reply_letter_pdf(feedback_id=feedback.pk)
    assert document.content.startswith(b"%PDF-")
    assert document.filename == f"tra-loi-{feedback.code}.pdf"

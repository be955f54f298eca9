"""Telling the sender: which feedback events send an SMS or email, and with what.

`feedback_event_notify(event)` is called by feedback.services inside the event's transaction for
four events: received (with the receipt code and the tracking link), not accepted, forwarded,
answered (the email carries the reply letter as a PDF). Only when the sender agreed to updates
(`consent_notices`, Law 91/2025: per purpose) and gave a phone or an email.

Messages are Vietnamese templates in feedback/templates/notices/feedback_*/ (sms.txt,
subject.txt, body.txt); SMS text is folded to ASCII (GSM-7, one message of 160 characters)
by the outbox. `build_messages()` renders them here too, for the tests and the staff page,
without needing the outbox.

Delivery goes through the notice outbox (core.notices.services.notice_create): one row per
(event, channel), dispatched on commit. When core.notices is not importable (a checkout
without it), the notices are skipped with a log line: the feedback action still succeeds.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .constants import EventType, FeedbackKind, FeedbackStatus
from .tokens import tracking_url

logger = logging.getLogger("feedback.notices")

RECEIVED = "feedback_received"
REFUSED = "feedback_refused"
FORWARDED = "feedback_forwarded"
ANSWERED = "feedback_answered"

LABELS = {
    RECEIVED: _("Feedback received"),
    REFUSED: _("Feedback not accepted"),
    FORWARDED: _("Feedback forwarded"),
    ANSWERED: _("Feedback answered"),
}

# Vietnamese words for the type inside official messages (never translated).
KIND_WORDS = {FeedbackKind.FEEDBACK: "phản ánh", FeedbackKind.PETITION: "kiến nghị"}


def template_key_of(event) -> str | None:
    """The notice template of an event, or None if the sender does not hear about it."""
    if event.type == EventType.SUBMITTED:
        return RECEIVED
    if event.type == EventType.CLASSIFIED and event.to_status == FeedbackStatus.REFUSED:
        return REFUSED
    if event.type == EventType.FORWARDED:
        return FORWARDED
    if event.type == EventType.ANSWERED:
        return ANSWERED
    return None


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}" if moment else ""


def notice_context(feedback) -> dict:
    """JSON values the templates use (stored on the outbox row to render again on retry)."""
    agency = feedback.agency
    return {
        "code": feedback.code,
        "register_label": feedback.register_label,
        "kind_label": KIND_WORDS.get(feedback.kind, "phản ánh"),
        "sender": agency.short_name or agency.name,
        "agency_name": agency.name,
        "agency_address": agency.address,
        "hotline": agency.hotline,
        "received_on": _day(feedback.received_at),
        "handle_on": _day(feedback.handle_due_at),
        "forwarded_on": _day(feedback.forwarded_at),
        "competent_body": feedback.competent_body,
        "reason": feedback.refusal_reason,
        "answer": feedback.answer_text,
        "link": tracking_url(feedback.code),
    }


def consented_channels(feedback) -> list[tuple[str, str]]:
    """(channel, recipient) pairs the sender agreed to: SMS to a phone, email to an address."""
    if not feedback.consent_notices:
        return []
    channels = []
    if feedback.sender_phone:
        channels.append(("sms", feedback.sender_phone))
    if feedback.sender_email:
        channels.append(("email", feedback.sender_email))
    return channels


def ascii_sms(text: str) -> str:
    """One SMS line without diacritics (what the outbox sends with NOTICE_SMS_UNICODE off)."""
    text = " ".join(text.replace("đ", "d").replace("Đ", "D").split())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ord(ch) < 128)


@dataclass(frozen=True)
class Messages:
    sms: str
    subject: str
    body: str


def build_messages(template_key: str, context: dict) -> Messages:
    """The SMS (ASCII), email subject and email body of a notice, rendered in Vietnamese."""
    with translation.override(settings.LANGUAGE_CODE):
        sms = render_to_string(f"notices/{template_key}/sms.txt", context)
        subject = render_to_string(f"notices/{template_key}/subject.txt", context)
        body = render_to_string(f"notices/{template_key}/body.txt", context)
    # Text templates: undo the HTML escaping of the default engine (& in "VH&TT").
    from html import unescape

    return Messages(
        sms=ascii_sms(unescape(sms)),
        subject=" ".join(unescape(subject).split()),
        body=unescape(body).strip() + "\n",
    )


def feedback_event_notify(event) -> list:
    """Record the notices of a feedback event in the outbox (inside its transaction).

    Returns the core.models.Notice rows ([] when the event is not one senders hear about, the
    sender agreed to no channel, or the outbox is not available). Never breaks the action: any
    error other than a database error is logged.
    """
    template_key = template_key_of(event)
    if template_key is None:
        return []
    feedback = event.feedback
    channels = consented_channels(feedback)
    if not channels:
        return []
    try:
        from core.notices.services import notice_create
    except ImportError:  # pragma: no cover - the outbox is part of core in this project
        logger.info(
            "core.notices not available: notice %s for %s skipped", template_key, feedback.code
        )
        return []
    try:
        context = notice_context(feedback)
        created = []
        for channel, recipient in channels:
            attachments = []
            if channel == "email" and template_key == ANSWERED:
                attachments = [
                    {
                        "builder": "feedback.notices.reply_letter_pdf",
                        "kwargs": {"feedback_id": feedback.pk},
                    }
                ]
            created.append(
                notice_create(
                    channel=channel,
                    recipient=recipient,
                    template_key=template_key,
                    context=context,
                    event_key=f"feedback.feedbackevent:{event.pk}",
                    about=feedback,
                    attachments=attachments,
                )
            )
        return created
    except DatabaseError:
        raise
    except Exception:
        logger.exception("The notices of feedback event %s could not be recorded", event.pk)
        return []


def reply_letter_pdf(*, feedback_id: int):
    """The written reply (Art. 19(3)) as a PDF, attached to the "answered" email."""
    from core.notices.email import NoticeFile
    from core.pdf import render_pdf

    from .letters import reply_letter_context
    from .models import Feedback

    feedback = Feedback.objects.select_related("agency", "procedure").get(pk=feedback_id)
    pdf = render_pdf("feedback/reply_letter.html", reply_letter_context(feedback))
    return NoticeFile(filename=f"tra-loi-{feedback.code}.pdf", content=pdf)


reply_letter_pdf.is_notice_attachment = True  # core.notices.email.notice_attachment


# --- the staff preview page of core.notices: each notice with sample data ---------------------
def _sample() -> dict:
    return {
        "code": "PA26-7K3Q9M",
        "register_label": "12/2026",
        "kind_label": "phản ánh",
        "sender": "Phòng VH&TT Nha Trang",
        "agency_name": "Phòng Văn hóa và Thông tin thành phố Nha Trang",
        "agency_address": "01 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
        "hotline": "0258 3822 500",
        "received_on": "05/03/2026",
        "handle_on": "26/03/2026",
        "forwarded_on": "09/03/2026",
        "competent_body": "Sở Văn hóa, Thể thao và Du lịch tỉnh Khánh Hòa",
        "reason": "Nội dung không thuộc phạm vi phản ánh, kiến nghị về quy định hành chính.",
        "answer": "Theo quy định hiện hành, hồ sơ được nộp trực tiếp hoặc trực tuyến.",
        "link": tracking_url("PA26-7K3Q9M"),
    }


def _register_kinds() -> None:
    try:
        from core.notices.registry import NoticeKind, register
    except ImportError:  # pragma: no cover
        return
    for key, label in LABELS.items():
        register(NoticeKind(key=key, label=label, sample_context=_sample))


_register_kinds()

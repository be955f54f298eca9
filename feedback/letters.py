"""The written reply letter (Art. 19(3): "an official letter to the sender").

`reply_letter_context(feedback)` feeds feedback/reply_letter.html, shown to staff as HTML and
rendered to PDF (core.pdf) for printing and for the "answered" email. The letter carries the
standard header of an administrative document (core.pdf.document_header).
"""

from django.utils import timezone

from core.pdf import document_header, official_date

from .notices import KIND_WORDS


def reply_letter_context(feedback) -> dict:
    issued_at = feedback.answered_at or timezone.now()
    return {
        "feedback": feedback,
        "header": document_header(
            feedback.agency, issued_at=issued_at, number=feedback.reply_number
        ),
        "kind_word": KIND_WORDS.get(feedback.kind, "phản ánh"),
        "received_on": official_date(feedback.received_at),
        "answer_paragraphs": [p.strip() for p in feedback.answer_text.split("\n") if p.strip()],
        "signer_title": "THỦ TRƯỞNG CƠ QUAN",
    }

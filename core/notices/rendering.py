"""Render a notice from its template set, and the SMS text rules (DOMAIN.md §12.1, §13).

Templates live in `templates/notices/<key>/`: `sms.txt` for SMS; `subject.txt`, `body.txt` and
optionally `body.html` for email. They are official messages to citizens, written in Vietnamese
and never translated. Text templates render without HTML escaping.

SMS: Vietnamese with diacritics needs UCS-2 (70 characters a message); without them GSM-7 fits
160. By default the text is folded to plain ASCII ("Hồ sơ đã có kết quả" → "Ho so da co ket
qua"); NOTICE_SMS_UNICODE keeps the diacritics. A text longer than NOTICE_SMS_MAX_SEGMENTS
messages is first rendered again with `sms_fallback` (e.g. a shorter link), then refused.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_noop

from .errors import NoticeTemplateError

SMS = "sms"
EMAIL = "email"

# GSM 03.38 default alphabet (one unit each) and its extension table (two units each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_PUNCTUATION = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "–": "-",
        "—": "-",
        "‑": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
        "·": "-",
        "→": "->",
        "\u00a0": " ",
        "\t": " ",
    }
)
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


@dataclass(frozen=True)
class RenderedNotice:
    subject: str = ""
    text: str = ""
    html: str = ""
    sms: SmsText | None = None


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Đăng ký" → "Dang ky"); other characters
    outside GSM-7 become "?"."""
    text = text.translate(_PUNCTUATION)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(
        ch if (ch in GSM7_BASIC or ch in GSM7_EXTENSION) and ord(ch) < 128 else "?"
        for ch in stripped
    )


def sms_measure(text: str) -> SmsText:
    """Encoding, length and number of messages of an SMS text (concatenated messages carry a
    header: 153 GSM-7 or 67 UCS-2 units each)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        segments = 1 if units <= 160 else math.ceil(units / 153)
        return SmsText(text=text, encoding="GSM-7", units=units, segments=segments)
    units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= 70 else math.ceil(units / 67)
    return SmsText(text=text, encoding="UCS-2", units=units, segments=segments)


def sms_text(raw: str, *, unicode: bool | None = None) -> SmsText:
    """One line of SMS text from a rendered template, folded to GSM-7 unless `unicode`."""
    unicode = settings.NOTICE_SMS_UNICODE if unicode is None else unicode
    text = _SPACES.sub(" ", raw).strip()
    text = unicodedata.normalize("NFC", text) if unicode else ascii_fold(text)
    return sms_measure(text)


def _record(message: str, **params) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(message)
    return text % params if params else text


def _render(name: str, context: dict, *, autoescape: bool, required: bool = True) -> str | None:
    try:
        template = get_template(name)
    except TemplateDoesNotExist as error:
        if not required:
            return None
        raise NoticeTemplateError(
            _record(gettext_noop("The notice template %(name)s is missing."), name=name)
        ) from error
    except TemplateSyntaxError as error:
        raise NoticeTemplateError(
            _record(
                gettext_noop("The notice template %(name)s has an error: %(error)s"),
                name=name,
                error=error,
            )
        ) from error
    try:
        # The Django backend's Template: render with a Context to choose HTML escaping.
        return template.template.render(Context(context, autoescape=autoescape))
    except Exception as error:  # noqa: BLE001 - any rendering failure is the template's
        raise NoticeTemplateError(
            _record(
                gettext_noop("The notice template %(name)s could not be rendered: %(error)s"),
                name=name,
                error=f"{error.__class__.__name__}: {error}",
            )
        ) from error


def render_sms(key: str, context: dict, *, sms_fallback: dict | None = None) -> SmsText:
    name = f"notices/{key}/sms.txt"
    limit = settings.NOTICE_SMS_MAX_SEGMENTS
    measured = sms_text(_render(name, context, autoescape=False))
    if measured.segments > limit and sms_fallback:
        measured = sms_text(_render(name, {**context, **sms_fallback}, autoescape=False))
    if measured.segments > limit:
        raise NoticeTemplateError(
            _record(
                gettext_noop(
                    "The SMS text is %(units)s characters (%(encoding)s): more than "
                    "%(segments)s message(s) allow. Shorten the template %(name)s."
                ),
                units=measured.units,
                encoding=measured.encoding,
                segments=limit,
                name=name,
            )
        )
    return measured


def render_notice(
    key: str, context: dict, *, channel: str, sms_fallback: dict | None = None
) -> RenderedNotice:
    """Render notice `key` for `channel` with `context`, in the office's language.

    Raises NoticeTemplateError with a readable reason when a template is missing or broken, or
    when the SMS text does not fit. Used by notice_create, notice_retry and the preview page.
    """
    with translation.override(settings.LANGUAGE_CODE):
        if channel == SMS:
            measured = render_sms(key, context, sms_fallback=sms_fallback)
            return RenderedNotice(text=measured.text, sms=measured)
        base = f"notices/{key}/"
        subject = _SPACES.sub(" ", _render(base + "subject.txt", context, autoescape=False))
        text = _render(base + "body.txt", context, autoescape=False)
        text = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.splitlines()))
        html = _render(base + "body.html", context, autoescape=True, required=False) or ""
        return RenderedNotice(subject=subject.strip()[:255], text=text.strip() + "\n", html=html)

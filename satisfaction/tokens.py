"""Tokens and links of the survey: invitation links, and the enrolment cookie of kiosk tablets.

An invitation token is 24 random bytes (secrets.token_urlsafe: 32 characters, 192 bits): it
cannot be guessed, so it needs no signature, and it carries nothing about the dossier or the
citizen. A kiosk tablet holds its own random token in a signed cookie; the database keeps only
its SHA-256, so a leaked table does not enrol anyone.

The link says where the citizen came from with `?nguon=` (QR code on a slip, the code + phone
entry); the plain link is the one sent by SMS and email.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from .constants import ResponseSource

INVITATION_TOKEN_BYTES = 24
KIOSK_TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$", re.ASCII)

KIOSK_COOKIE = "kiosk_device"
KIOSK_COOKIE_SALT = "satisfaction.kiosk.v1"

SOURCE_PARAM = "nguon"
# ?nguon=<value> -> source recorded on the response; no parameter: the SMS/email link.
SOURCE_VALUES = {"qr": ResponseSource.QR, "tra-cuu": ResponseSource.LOOKUP}
_PARAM_OF_SOURCE = {source: value for value, source in SOURCE_VALUES.items()}


def new_invitation_token() -> str:
    return secrets.token_urlsafe(INVITATION_TOKEN_BYTES)


def new_kiosk_token() -> str:
    return secrets.token_urlsafe(KIOSK_TOKEN_BYTES)


def kiosk_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_token_shaped(value) -> bool:
    """Whether `value` could be a token at all (checked before any query)."""
    return isinstance(value, str) and bool(_TOKEN_SHAPE.match(value))


def source_of(param: str | None) -> str:
    return SOURCE_VALUES.get((param or "").strip(), ResponseSource.LINK)


def survey_path(token: str, *, source: str = ResponseSource.LINK) -> str:
    path = reverse("satisfaction:survey", kwargs={"token": token})
    param = _PARAM_OF_SOURCE.get(source)
    return f"{path}?{urlencode({SOURCE_PARAM: param})}" if param else path


def survey_url(token: str, *, source: str = ResponseSource.LINK) -> str:
    """Absolute link for notices and QR codes (PUBLIC_BASE_URL + path)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + survey_path(token, source=source)

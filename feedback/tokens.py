"""Receipt codes and the signed tracking link of a feedback item.

The code ("PA26-7K3Q9M": prefix, year, six random letters/digits without look-alikes) is what
the sender quotes on the phone; the tracking link adds a short HMAC of the code keyed with
SECRET_KEY, so nobody can follow an item from its code alone. Personal data never enters the
code, the token or the URL. The token is short on purpose: the link must fit one SMS.
"""

import base64
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "feedback.tracking.v1"
# Crockford's base32 without I, L, O, U: nothing to misread over the phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "PA"
CODE_RANDOM_LENGTH = 6
TOKEN_LENGTH = 12  # 72 bits, behind a per-IP rate limit


def new_code(year: int) -> str:
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_RANDOM_LENGTH))
    return f"{CODE_PREFIX}{year % 100:02d}-{suffix}"


def normalize_code(value: str) -> str | None:
    """A typed code upper-cased and trimmed, or None if it cannot be a receipt code."""
    code = (value or "").strip().upper()
    if len(code) != len(CODE_PREFIX) + 2 + 1 + CODE_RANDOM_LENGTH:
        return None
    head, _sep, tail = code.partition("-")
    if not head.startswith(CODE_PREFIX) or not head[len(CODE_PREFIX) :].isdigit():
        return None
    if not tail or any(ch not in CODE_ALPHABET for ch in tail):
        return None
    return code


def tracking_token(code: str) -> str:
    digest = salted_hmac(_SALT, code, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]


def check_tracking_token(code: str, token: str) -> bool:
    if not code or not token or len(token) != TOKEN_LENGTH:
        return False
    return constant_time_compare(tracking_token(code), token)


def tracking_path(code: str) -> str:
    return reverse("feedback:track", kwargs={"code": code, "token": tracking_token(code)})


def receipt_path(code: str) -> str:
    """The page shown right after sending (same token, different wording)."""
    path = reverse("feedback:submitted", kwargs={"code": code})
    return f"{path}?{urlencode({'t': tracking_token(code)})}"


def tracking_url(code: str) -> str:
    """Absolute link for SMS, email and the success page (PUBLIC_BASE_URL + path)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + tracking_path(code)

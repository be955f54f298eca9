"""Signed, unguessable links for the public look-up (printed as a QR code on slips).

The token signs the dossier code with the project's SECRET_KEY and a purpose salt, so it cannot
be forged or moved to another dossier. It does not expire: the slip is kept for the life of the
dossier. Personal data never enters the token or the URL.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "dossiers.lookup.v1"


def lookup_token(code: str) -> str:
    return signing.Signer(salt=_SALT).sign(code).split(signing.Signer().sep, 1)[1]


def check_lookup_token(code: str, token: str) -> bool:
    if not code or not token or len(token) > 200:
        return False
    try:
        signing.Signer(salt=_SALT).unsign(f"{code}{signing.Signer().sep}{token}")
    except signing.BadSignature:
        return False
    return True


def lookup_path(code: str) -> str:
    path = reverse("dossiers:lookup-detail", kwargs={"code": code})
    return f"{path}?{urlencode({'t': lookup_token(code)})}"


def lookup_url(code: str) -> str:
    """Absolute link for QR codes and notices (PUBLIC_BASE_URL + path)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + lookup_path(code)

"""Validators for personal identifiers (DOMAIN.md §12). Messages are shown to staff and citizens."""

from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes of the 12-digit personal ID number (the 63 pre-2025 provinces) [S].
_PROVINCES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
)
CCCD_PROVINCE_CODES = frozenset(_PROVINCES.split())


def normalize_vn_phone(value: str) -> str:
    """Parse a Vietnamese phone number (mobile or landline) and return it in E.164 form."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter a phone number."), code="required")
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid Vietnamese phone number (e.g. 0912 345 678)."),
            code="invalid_phone",
            params={"value": raw[:30]},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """Whether an E.164 number can receive SMS (mobile), for notices."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


def validate_cccd(value: str, *, today: date | None = None) -> str:
    """Check the structure of a 12-digit personal ID number (căn cước / CCCD).

    Digits 1-3 province of birth registration, digit 4 gender and century, digits 5-6 the
    birth year (DOMAIN.md §12.2). Structure only: it is not proof of identity.
    """
    digits = (value or "").strip().replace(" ", "")
    if len(digits) != 12 or not digits.isdigit():
        raise ValidationError(
            _("A citizen ID number has exactly 12 digits."), code="invalid_cccd_length"
        )
    if digits[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            _("The first three digits of the citizen ID number are not a province code."),
            code="invalid_cccd_province",
        )
    century = 1900 + 100 * (int(digits[3]) // 2)
    birth_year = century + int(digits[4:6])
    if birth_year > (today or date.today()).year:  # noqa: DTZ011 - a calendar year is enough
        raise ValidationError(
            _("The gender/century digit and birth year of the citizen ID number do not match."),
            code="invalid_cccd_year",
        )
    return digits

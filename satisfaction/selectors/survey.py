"""Reads of the satisfaction app that carry rules.

Survey side (public pages, kiosk, tablets page): which survey version is shown, whether an
invitation link may be answered now, which dossier a code + phone digits lead to, which tablet
a cookie belongs to. Public reads select no personal data: a survey page shows the procedure
and a date, never the applicant.

The satisfaction index (per criterion, procedure, officer, month) is `selectors.index`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.lookup import normalize_code, normalize_last4
from dossiers.models import Dossier

from ..constants import DEFAULT_SURVEY_CODE
from ..models import Criterion, Invitation, KioskDevice, Question, Response, Survey
from ..tokens import is_token_shaped, kiosk_token_hash

# ==============================================================================================
# Survey side (public pages, kiosk)
# ==============================================================================================

# A dossier can be rated once its result is ready (status 9) or handed over (10).
RESULT_STATUSES = frozenset({DossierStatus.RESOLVED, DossierStatus.RETURNED})


class LinkState(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"  # no such token (forged, mistyped, cut)
    NOT_READY = "not_ready"  # the result is not ready yet (QR of the receipt slip scanned early)
    EXPIRED = "expired"
    USED = "used"  # this dossier was already rated


@dataclass(frozen=True)
class LinkCheck:
    """What a survey link may do now, and the little the page shows about the dossier."""

    state: LinkState
    invitation: Invitation | None = None
    procedure_name: str = ""
    result_at: datetime | None = None  # handed over, else result ready
    expires_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state == LinkState.OPEN


def invitation_expiry(*, returned_at: datetime | None) -> datetime | None:
    """When an invitation closes: SATISFACTION_INVITATION_VALID_DAYS after the result was
    handed over; None (still open) while the result waits at the desk."""
    if returned_at is None:
        return None
    return returned_at + timedelta(days=settings.SATISFACTION_INVITATION_VALID_DAYS)


def link_state(*, dossier, invitation: Invitation | None, answered: bool, now=None) -> LinkCheck:
    """The rule behind every way to a dossier's survey (link, QR code, code + phone digits):
    answered once -> USED; result not ready -> NOT_READY; past the expiry -> EXPIRED."""
    now = now or timezone.now()
    expires_at = (invitation.expires_at if invitation else None) or invitation_expiry(
        returned_at=dossier.returned_at
    )
    if answered or (invitation is not None and invitation.used_at is not None):
        state = LinkState.USED
    elif dossier.status not in RESULT_STATUSES:
        state = LinkState.NOT_READY
    elif expires_at is not None and now > expires_at:
        state = LinkState.EXPIRED
    else:
        state = LinkState.OPEN
    return LinkCheck(
        state=state,
        invitation=invitation,
        procedure_name=dossier.procedure.name,
        result_at=dossier.returned_at or dossier.resolved_at,
        expires_at=expires_at,
    )


# The only dossier columns the survey pages read: no personal data.
_DOSSIER_FIELDS = (
    "dossier__id",
    "dossier__agency_id",
    "dossier__status",
    "dossier__resolved_at",
    "dossier__returned_at",
    "dossier__procedure__name",
)


def invitation_check(*, token: str, now=None) -> LinkCheck:
    """What the link `token` may do now. One query; malformed tokens answer UNKNOWN without
    one, so a forged link and a mistyped one look the same."""
    if not is_token_shaped(token):
        return LinkCheck(state=LinkState.UNKNOWN)
    invitation = (
        Invitation.objects.filter(token=token)
        .select_related("dossier__procedure")
        .only("id", "token", "expires_at", "used_at", *_DOSSIER_FIELDS)
        .annotate(answered=Exists(Response.objects.filter(dossier_id=OuterRef("dossier_id"))))
        .first()
    )
    if invitation is None:
        return LinkCheck(state=LinkState.UNKNOWN)
    return link_state(
        dossier=invitation.dossier, invitation=invitation, answered=invitation.answered, now=now
    )


def dossier_for_survey(*, code: str, phone_last4: str) -> Dossier | None:
    """The dossier `code` if `phone_last4` matches (the look-up's second factor), else None.

    A wrong code and a wrong phone give the same None through the same query; malformed
    inputs return None without one. Reads no personal data.
    """
    code, phone_last4 = normalize_code(code), normalize_last4(phone_last4)
    if code is None or phone_last4 is None:
        return None
    return (
        Dossier.objects.filter(code=code, phone_last4=phone_last4)
        .select_related("procedure")
        .only("id", "code", "agency_id", "status", "resolved_at", "returned_at", "procedure__name")
        .annotate(answered=Exists(Response.objects.filter(dossier_id=OuterRef("pk"))))
        .first()
    )


def active_survey(*, code: str = DEFAULT_SURVEY_CODE) -> Survey | None:
    """The version of survey `code` in use, with its criteria, questions and checklist in
    order (three queries)."""
    return (
        Survey.objects.filter(code=code, is_active=True)
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=Criterion.objects.order_by("position", "id").prefetch_related(
                    Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
                ),
            ),
            "facility_options",
        )
        .first()
    )


def kiosk_device_by_token(token: str | None) -> KioskDevice | None:
    """The enrolled, not revoked tablet holding `token` (from its signed cookie), else None."""
    if not is_token_shaped(token):
        return None
    return (
        KioskDevice.objects.filter(token_hash=kiosk_token_hash(token), revoked_at__isnull=True)
        .select_related("agency")
        .first()
    )


def user_agency_id(user) -> int | None:
    department = getattr(user, "department", None)
    return department.agency_id if department else None


def kiosk_devices(*, user) -> QuerySet[KioskDevice]:
    """The tablets of the user's agency, active first, with who enrolled and revoked them."""
    agency_id = user_agency_id(user)
    if agency_id is None or not user.has_perm("satisfaction.view_kioskdevice"):
        return KioskDevice.objects.none()
    return (
        KioskDevice.objects.filter(agency_id=agency_id)
        .select_related("enrolled_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-enrolled_at")
    )

"""Choices of the satisfaction app (six-criteria survey, DOMAIN.md §8.1, plan 645/KH-VHTT)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The 5-point Likert scale (DOMAIN.md §8.1): the score and its words, as the citizen sees them.
SCORE_MIN = 1
SCORE_MAX = 5
SCORES = list(range(SCORE_MIN, SCORE_MAX + 1))
SCORE_LABELS = {
    1: pgettext_lazy("satisfaction score", "Very dissatisfied"),
    2: pgettext_lazy("satisfaction score", "Dissatisfied"),
    3: pgettext_lazy("satisfaction score", "Neutral"),
    4: pgettext_lazy("satisfaction score", "Satisfied"),
    5: pgettext_lazy("satisfaction score", "Very satisfied"),
}

# The survey every invitation and kiosk uses (Survey.code); its active version is the one shown.
DEFAULT_SURVEY_CODE = "hai-long-mot-cua"
# The criterion under which the facility checklist is shown (plan 645, section II).
FACILITIES_CRITERION_CODE = "dieu_kien_tiep_don"


class ResponseSource(models.TextChoices):
    """How the citizen reached the survey."""

    LINK = "link", _("Link in the SMS or email")
    QR = "qr", _("QR code on the slip")
    KIOSK = "kiosk", _("Tablet at the desk")
    LOOKUP = "lookup", _("Dossier code and phone digits")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    CLOSED = "closed", pgettext_lazy("follow-up status", "Closed")


class FollowUpReason(models.TextChoices):
    """Why a response opened a follow-up (FollowUp.reasons[*]["kind"])."""

    LOW_SCORE = "low_score", _("Low score")
    COMPLAINT = "complaint", _("Complaint in the comment")


class FollowUpEventType(models.TextChoices):
    OPENED = "opened", pgettext_lazy("follow-up event", "Opened")
    NOTE = "note", pgettext_lazy("follow-up event", "Note added")
    CLOSED = "closed", pgettext_lazy("follow-up event", "Closed")
    REOPENED = "reopened", pgettext_lazy("follow-up event", "Reopened")

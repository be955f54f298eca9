"""Satisfaction surveys (đánh giá sự hài lòng): definition, invitations, kiosks, responses.

The survey is data (DOMAIN.md §8.1, plan 645/KH-VHTT section II): a `Survey` version holds its
six `Criterion` rows, each with its `Question`s scored 1-5, and the `FacilityOption`s of the
"điều kiện tiếp đón" checklist. A version that has responses is never edited: administrators
make a new version (satisfaction.services.survey_new_version), so every `Answer` keeps pointing
at the question the citizen read. One version per survey code is active.

A citizen answers once per dossier: an `Invitation` (unguessable token, printed as a QR code and
sent with the result notice) or the code + phone digits lead to the survey, and the DB allows
one `Response` per dossier. Tablets at the desk (`KioskDevice`) take responses without login,
with or without a dossier. A response never stores who the citizen is: only the dossier (whose
personal data stays in the dossiers app), the procedure and the officers rated.

Low scores and complaints open a `FollowUp` for leadership, whose history is the append-only
`FollowUpEvent`. Writes go through satisfaction.services only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .constants import (
    SCORE_MAX,
    SCORE_MIN,
    FollowUpEventType,
    FollowUpStatus,
    ResponseSource,
)


class Survey(TimeStampedModel):
    """One version of a questionnaire. Answers keep their version: edit a copy, never this."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    introduction = models.TextField(_("introduction"), blank=True)
    is_active = models.BooleanField(_("in use"), default=False)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="satisfaction_survey_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(is_active=True),
                name="satisfaction_one_active_survey",
            ),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def has_responses(self) -> bool:
        return self.responses.exists()


class Criterion(models.Model):
    """One of the six criteria (tiêu chí) of a survey version, shown in `position` order."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("criterion"), max_length=255)
    description = models.CharField(_("what it covers"), max_length=500, blank=True)
    # The criterion under which the facility checklist is shown (plan 645 II).
    shows_facilities = models.BooleanField(_("shows the facility checklist"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["survey", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="satisfaction_criterion_code"),
        ]

    def __str__(self):
        return self.label


class Question(models.Model):
    """A statement the citizen scores from 1 (very dissatisfied) to 5 (very satisfied)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=500)
    is_required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["criterion__position", "position", "id"]

    def __str__(self):
        return self.text


class FacilityOption(models.Model):
    """One line of the "what was missing at the desk" checklist (forms, pens, seats...)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="facility_options")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=255)

    class Meta:
        verbose_name = _("facility checklist option")
        verbose_name_plural = _("facility checklist options")
        ordering = ["survey", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="satisfaction_facility_code"),
        ]

    def __str__(self):
        return self.label


class Invitation(models.Model):
    """The citizen's personal link to rate one dossier (SMS/email link, QR code on slips).

    Created once per dossier (satisfaction.services.invitation_for_dossier), possibly at intake
    for the receipt slip's QR code; it opens when the result is ready and closes
    SATISFACTION_INVITATION_VALID_DAYS after the result was handed over (`expires_at`, set as
    soon as the return is known; satisfaction.selectors computes it from the dossier until then).
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.CASCADE,
        related_name="survey_invitation",
        verbose_name=_("dossier"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.dossier_id}"


class KioskDevice(models.Model):
    """A tablet at the desk enrolled by staff: its browser holds a signed cookie with a random
    token whose SHA-256 is stored here. Revoking it stops the tablet at once."""

    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="kiosk_devices",
        verbose_name=_("agency"),
    )
    name = models.CharField(_("device name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last response at"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk tablet")
        verbose_name_plural = _("kiosk tablets")
        ordering = ["agency", "-enrolled_at"]
        permissions = [
            ("enroll_kioskdevice", _("Can enrol and revoke survey tablets at the desk")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_by__isnull=False),
                name="satisfaction_kiosk_revoked_by",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Response(models.Model):
    """One citizen's answers. No personal data: the dossier (if any) links to it, and the
    procedure and officers rated are copied from the dossier for the index."""

    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="survey_responses",
        verbose_name=_("agency"),
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    # One response per dossier: NULL for general responses at a kiosk (PostgreSQL allows many).
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_response",
        verbose_name=_("dossier"),
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    source = models.CharField(_("source"), max_length=8, choices=ResponseSource.choices)
    kiosk = models.ForeignKey(
        KioskDevice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("kiosk tablet"),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("procedure"),
    )
    desk_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_survey_responses",
        verbose_name=_("desk officer"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_survey_responses",
        verbose_name=_("handling officer"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    expectation = models.TextField(_("expectation"), blank=True)
    facility_options = models.ManyToManyField(
        FacilityOption,
        blank=True,
        related_name="responses",
        verbose_name=_("missing at the desk"),
    )
    mean_score = models.DecimalField(_("mean score"), max_digits=3, decimal_places=2)
    has_low_score = models.BooleanField(_("has a low score"), default=False)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["agency", "submitted_at"], name="satisf_response_agency_at"),
            models.Index(fields=["procedure", "submitted_at"], name="satisf_response_proc_at"),
            models.Index(fields=["handler", "submitted_at"], name="satisf_response_handler_at"),
            models.Index(fields=["desk_officer", "submitted_at"], name="satisf_response_desk_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=ResponseSource.values),
                name="satisfaction_response_source_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=ResponseSource.KIOSK) | models.Q(kiosk__isnull=False),
                name="satisfaction_kiosk_response_has_device",
            ),
            models.CheckConstraint(
                condition=models.Q(invitation__isnull=True) | models.Q(dossier__isnull=False),
                name="satisfaction_invitation_has_dossier",
            ),
            models.CheckConstraint(
                condition=models.Q(mean_score__gte=SCORE_MIN, mean_score__lte=SCORE_MAX),
                name="satisfaction_mean_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.pk} {self.submitted_at:%Y-%m-%d}"


class Answer(models.Model):
    """The score one response gave one question (1..5, enforced by the database too)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__criterion__position", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="satisfaction_one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="satisfaction_score_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}: {self.score}"


class FollowUp(models.Model):
    """A low score or a complaint that leadership must look at and close with what was done."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("response")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    # [{"kind": "low_score", "criterion": code, "label": ..., "question": ..., "score": n},
    #  {"kind": "complaint", "keywords": [...]}] (constants.FollowUpReason)
    reasons = models.JSONField(_("reasons"), default=list)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    action_taken = models.TextField(_("action taken"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-opened_at"]
        permissions = [("close_followup", _("Can close follow-ups of low scores"))]
        indexes = [
            models.Index(fields=["status", "opened_at"], name="satisf_followup_status_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=FollowUpStatus.values),
                name="satisfaction_followup_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=FollowUpStatus.CLOSED)
                | models.Q(closed_at__isnull=False, closed_by__isnull=False),
                name="satisfaction_closed_followup_has_closer",
            ),
        ]

    def __str__(self):
        return f"{self.response_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN


class FollowUpEvent(models.Model):
    """Append-only history of a follow-up: never updated or deleted (STYLE.md)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=12, choices=FollowUpEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("follow-up event")
        verbose_name_plural = _("follow-up history")
        ordering = ["follow_up", "at", "id"]

    def __str__(self):
        return f"{self.follow_up_id} {self.type} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Follow-up events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Follow-up events are append-only.")

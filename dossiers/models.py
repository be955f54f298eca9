"""Dossiers (hồ sơ) received at the one-stop desk, their clock, history and hand-overs.

The current state is denormalised on `Dossier` (status, due dates, current step and officer) for
filtering; `DossierEvent` is the append-only history of every change. Writes go through
`dossiers.services` only.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.calendar import TimeUnit
from core.models import TimeStampedModel
from procedures.constants import SubmissionChannel

from .constants import (
    ApplicantType,
    DocumentKind,
    DossierStatus,
    EventType,
    ExplanationEventType,
    ExplanationReason,
    ExplanationStatus,
    PauseKind,
    Timeliness,
)
from .querysets import DossierQuerySet
from .rules import RuleProfileCode, get_profile


def private_storage():
    """Scans and e-results live outside MEDIA_ROOT and are served only through staff views.

    A callable, so migrations do not record this machine's path."""
    return FileSystemStorage(location=str(settings.DOSSIER_ATTACHMENT_ROOT))


class DossierCodeSequence(models.Model):
    """Per-agency, per-day counter behind dossier codes; incremented atomically (services)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossiers_sequence_agency_day")
        ]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last_number}"


class Dossier(TimeStampedModel):
    code = models.CharField(_("dossier code"), max_length=60, unique=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("agency"),
    )
    # The exact procedure version in force at receipt (versions are immutable once published).
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("procedure"),
    )
    rule_profile = models.CharField(
        _("rule profile"), max_length=20, choices=RuleProfileCode.choices
    )
    processing_time_amount = models.DecimalField(
        _("processing time"), max_digits=6, decimal_places=1
    )
    processing_time_unit = models.CharField(
        _("processing time unit"), max_length=16, choices=TimeUnit.choices
    )

    # Applicant (personal data: never shown on public pages).
    applicant_type = models.CharField(
        _("applicant type"),
        max_length=12,
        choices=ApplicantType.choices,
        default=ApplicantType.PERSON,
    )
    applicant_name = models.CharField(_("applicant name"), max_length=255)
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True)
    applicant_id_number = models.CharField(_("citizen ID number"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=16)
    applicant_email = models.EmailField(_("email"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=255)
    consent_sms = models.BooleanField(_("agrees to SMS notices"), default=False)
    consent_email = models.BooleanField(_("agrees to email notices"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    # Applicant and organisation names folded (core.text.fold) for accent-free staff search.
    applicant_search = models.CharField(max_length=520, default="", db_default="", editable=False)
    # Last four digits of the phone, the second factor of the public look-up.
    phone_last4 = models.CharField(max_length=4, editable=False)

    channel = models.CharField(
        _("channel"),
        max_length=1,
        choices=SubmissionChannel.choices,
        default=SubmissionChannel.IN_PERSON,
    )
    set_count = models.PositiveSmallIntegerField(_("number of sets"), default=1)
    note = models.TextField(_("note"), blank=True)

    status = models.CharField(
        _("status"), max_length=2, choices=DossierStatus.choices, default=DossierStatus.ACCEPTED
    )
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    # Deadlines. `original_due_at` never changes after receipt; `due_at` is the statutory due
    # time, pushed out only by pauses (supplement, payment); `rescheduled_due_at` is the new
    # appointment given with an apology. Timeliness is measured against `due_at` (§3.8).
    original_due_at = models.DateTimeField(_("original due date"), null=True, blank=True)
    due_at = models.DateTimeField(_("due date"), null=True, blank=True, db_index=True)
    rescheduled_due_at = models.DateTimeField(_("rescheduled due date"), null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(_("paused working minutes"), default=0)
    supplement_request_count = models.PositiveSmallIntegerField(
        _("supplement requests after acceptance"), default=0
    )

    current_step = models.CharField(_("current step"), max_length=255, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_dossiers",
        verbose_name=_("handling officer"),
    )

    refusal_reason = models.TextField(_("reason for refusal or stop"), blank=True)
    resolved_at = models.DateTimeField(_("result ready at"), null=True, blank=True)
    paper_result_received_at = models.DateTimeField(
        _("paper result at the desk"), null=True, blank=True
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("processing ended at"), null=True, blank=True)
    timeliness = models.CharField(
        _("timeliness"), max_length=8, choices=Timeliness.choices, blank=True
    )
    result_summary = models.TextField(_("result"), blank=True)
    result_file = models.FileField(
        _("electronic result"),
        upload_to="dossiers/results/%Y/%m/",
        blank=True,
        storage=private_storage,
    )

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at"]
        permissions = [
            ("receive_dossier", _("Can receive dossiers and return results at the desk")),
            ("assign_dossier", _("Can assign dossiers to specialists")),
            ("process_dossier", _("Can process dossiers")),
            ("reschedule_dossier", _("Can apologise and reschedule dossiers")),
            ("view_all_dossiers", _("Can see every dossier of the agency")),
            ("view_dossier_attachment", _("Can open scans attached to dossiers")),
            ("export_ledger", _("Can export the tracking ledger")),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="dossiers_status_due"),
            models.Index(fields=["agency", "received_at"], name="dossiers_agency_received"),
            models.Index(fields=["handler", "status"], name="dossiers_handler_status"),
            models.Index(fields=["procedure", "received_at"], name="dossiers_procedure_received"),
            # The work queue: open dossiers by due date (a few percent of all rows).
            # Covering on PostgreSQL: counting and sorting the queue read the index only.
            models.Index(
                fields=["agency", "due_at"],
                include=["status", "received_at", "id"],
                condition=models.Q(status__in=["1", "2", "4", "5", "6"]),
                name="dossiers_open_queue",
            ),
            # Period figures (dossiers.reporting): the dossiers still open (finished_at IS NULL)
            # or finished since a period's start, without a scan of the whole table.
            models.Index(fields=["agency", "finished_at"], name="dossiers_agency_finished"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DossierStatus]),
                name="dossiers_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["1", "2", "3"]), name="dossiers_channel_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["2", "4", "5", "6", "9", "10"])
                | models.Q(due_at__isnull=False, original_due_at__isnull=False),
                name="dossiers_accepted_has_due",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["9", "10"]) | models.Q(resolved_at__isnull=False),
                name="dossiers_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="10") | models.Q(returned_at__isnull=False),
                name="dossiers_returned_has_time",
            ),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("dossiers:dossier-detail", kwargs={"code": self.code})

    @cached_property
    def profile(self):
        return get_profile(self.rule_profile)

    @property
    def is_paused(self) -> bool:
        return self.status in (DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.AWAITING_PAYMENT)

    @property
    def has_multiple_supplements(self) -> bool:
        """More than one supplement request after acceptance counts as late (766 rules, §3.4)."""
        return self.supplement_request_count > 1

    @property
    def appointment_at(self):
        """The date the citizen was told: the rescheduled one if any, else the due date."""
        return self.rescheduled_due_at or self.due_at


class DossierDocument(models.Model):
    """A component handed in at intake: which document, in what form, how many."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    component = models.ForeignKey(
        "procedures.DossierComponent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("document"), max_length=500)
    kind = models.CharField(_("original or copy"), max_length=16, choices=DocumentKind.choices)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("document received")
        verbose_name_plural = _("documents received")
        ordering = ["dossier", "id"]

    def __str__(self):
        return self.name


class DossierAttachment(TimeStampedModel):
    """A scan of the dossier, stored outside MEDIA_ROOT and served only to authorised staff."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="dossiers/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["dossier", "id"]

    def __str__(self):
        return self.original_name


class DossierPause(models.Model):
    """An interval when the clock stops: a supplement or payment request until it is met."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("kind"), max_length=12, choices=PauseKind.choices)
    reason = models.TextField(_("reason"))
    items = models.JSONField(_("documents requested"), default=list, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("requested at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("met at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    working_minutes = models.PositiveIntegerField(_("working minutes paused"), default=0)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["dossier", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(ended_at__isnull=True),
                name="dossiers_one_open_pause",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="dossiers_pause_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.kind} {self.started_at:%d/%m/%Y}"


class DossierApology(models.Model):
    """Apology and new appointment (DOMAIN.md §5.4): at most once, ≥ 1 WD before due."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    sequence = models.PositiveSmallIntegerField(default=1)
    reason = models.TextField(_("reason for the delay"))
    previous_due_at = models.DateTimeField(_("previous appointment"))
    new_due_at = models.DateTimeField(_("new appointment"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.CharField(_("signed by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("apology")
        verbose_name_plural = _("apologies")
        ordering = ["dossier", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "sequence"], name="dossiers_apology_sequence"
            ),
            models.CheckConstraint(
                condition=models.Q(new_due_at__gt=models.F("previous_due_at")),
                name="dossiers_apology_moves_later",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} #{self.sequence}"


class DossierTransfer(models.Model):
    """One hand-over between units: a row of the process control slip (DOMAIN.md §5.5)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transfers")
    position = models.PositiveSmallIntegerField(_("step"))
    from_unit = models.CharField(_("from"), max_length=255)
    to_unit = models.CharField(_("to"), max_length=255)
    task = models.CharField(_("task"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("handed over at"))
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    step_due_at = models.DateTimeField(_("step deadline"), null=True, blank=True)
    completed_at = models.DateTimeField(_("step completed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Timeliness.choices, blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["dossier", "sent_at", "id"]

    def __str__(self):
        return f"{self.dossier_id}: {self.from_unit} → {self.to_unit}"


class DossierEvent(models.Model):
    """Append-only history: one row per change. Never updated or deleted."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=32, choices=EventType.choices)
    from_status = models.CharField(max_length=2, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(max_length=2, choices=DossierStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    # Plain-words text a citizen may see on the public look-up (no personal data).
    public_note = models.CharField(max_length=500, blank=True)
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier history")
        ordering = ["dossier", "at", "id"]

    def __str__(self):
        return f"{self.dossier_id} {self.type} {self.at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("DossierEvent rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("DossierEvent rows are append-only")


class IntakeGuidance(TimeStampedModel):
    """Intake outcome "incomplete": the guidance slip listing everything missing, once.

    Nothing is accepted, so there is no dossier and no code (DOMAIN.md §3.2).
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=40, unique=True)
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="+"
    )
    rule_profile = models.CharField(max_length=20, choices=RuleProfileCode.choices)
    applicant_name = models.CharField(_("applicant name"), max_length=255)
    applicant_phone = models.CharField(_("phone"), max_length=16, blank=True)
    applicant_address = models.CharField(_("address"), max_length=255, blank=True)
    items = models.JSONField(_("documents to add or correct"), default=list)
    reason = models.TextField(_("reason"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("guidance slip")
        verbose_name_plural = _("guidance slips")
        ordering = ["-created_at"]

    def __str__(self):
        return self.number


class DossierExplanation(TimeStampedModel):
    """The written explanation (giải trình) of a late dossier by its responsible officer, and
    the leader's review (plan 645/KH-VHTT section V.4; issue 5).

    One per dossier (a dossier is late once); requested by `services.explanation_request_overdue`
    for a running dossier past its due date (a paused one is not overdue, DOMAIN.md §3.8) and for
    a dossier that finished late (including more than one supplement request, §3.4). The officer
    is the dossier's handler, else the desk officer who received it. States: requested ->
    submitted -> accepted, or submitted -> returned -> submitted again. The current text is kept
    here; every version submitted is in the history (`DossierExplanationEvent.data`).
    """

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="explanations", verbose_name=_("dossier")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dossier_explanations",
        verbose_name=_("responsible officer"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExplanationStatus.choices,
        default=ExplanationStatus.REQUESTED,
    )
    reason_category = models.CharField(
        _("reason for the delay"), max_length=24, choices=ExplanationReason.choices, blank=True
    )
    text = models.TextField(_("explanation"), blank=True)
    remedy = models.TextField(_("remedy"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    # End of the N-th working day after the request (or after the last return):
    # EXPLANATION_DEADLINE_WORKING_DAYS, counted by core.calendar.
    explain_by = models.DateTimeField(_("explain by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The officer, or a leader writing on the officer's behalf.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submission_count = models.PositiveSmallIntegerField(_("times submitted"), default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("explanation of a late dossier")
        verbose_name_plural = _("explanations of late dossiers")
        ordering = ["explain_by", "id"]
        permissions = [
            ("submit_dossierexplanation", _("Can write explanations of late dossiers")),
            ("review_dossierexplanation", _("Can accept or return explanations")),
        ]
        indexes = [
            models.Index(fields=["officer", "status"], name="dossiers_expl_officer_status"),
            models.Index(fields=["status", "explain_by"], name="dossiers_expl_status_by"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], name="dossiers_one_explanation"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ExplanationStatus]),
                name="dossiers_explanation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reason_category="")
                | models.Q(reason_category__in=[r.value for r in ExplanationReason]),
                name="dossiers_explanation_reason_valid",
            ),
            # Once submitted (and ever after) it has a reason, a text, a remedy and a time.
            models.CheckConstraint(
                condition=models.Q(status=ExplanationStatus.REQUESTED)
                | (
                    models.Q(submitted_at__isnull=False, submitted_by__isnull=False)
                    & ~models.Q(reason_category="")
                    & ~models.Q(text="")
                    & ~models.Q(remedy="")
                ),
                name="dossiers_explanation_submitted_has_text",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    status__in=[ExplanationStatus.ACCEPTED, ExplanationStatus.RETURNED]
                )
                | models.Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="dossiers_explanation_reviewed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ExplanationStatus.RETURNED) | ~models.Q(review_note=""),
                name="dossiers_explanation_returned_has_note",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.status}"

    def get_absolute_url(self):
        return reverse("dossiers:explanation-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        """The officer still owes a text (requested, or returned for changes)."""
        return self.status in (ExplanationStatus.REQUESTED, ExplanationStatus.RETURNED)


class DossierExplanationEvent(models.Model):
    """Append-only history of an explanation: requested, submitted, returned, accepted.

    A model of its own rather than `DossierEvent` rows: the dossier history is the official
    record of processing that everyone who sees the dossier reads (desk officers, the control
    slip, parts of it the public look-up), while an explanation is an internal accountability
    record seen only by its officer and the leaders. Each row keeps the actor (None: the
    morning job), the time, the note and, for a submission, the full text submitted.
    """

    explanation = models.ForeignKey(
        DossierExplanation, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("event"), max_length=10, choices=ExplanationEventType.choices)
    from_status = models.CharField(max_length=10, choices=ExplanationStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ExplanationStatus.choices, blank=True)
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
        verbose_name = _("explanation event")
        verbose_name_plural = _("explanation history")
        ordering = ["explanation", "at", "id"]
        indexes = [models.Index(fields=["explanation", "at"], name="dossiers_expl_event_at")]

    def __str__(self):
        return f"{self.explanation_id} {self.type} {self.at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("DossierExplanationEvent rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("DossierExplanationEvent rows are append-only")

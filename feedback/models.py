"""Feedback and petitions (phản ánh, kiến nghị) about administrative regulations and procedures.

Decree 20/2008/NĐ-CP (DOMAIN.md §7). The current state is denormalised on `Feedback` (status,
classification, the due date of the current stage) for filtering; `FeedbackEvent` is the
append-only history. Writes go through `feedback.services` only.

Personal data (sender name, address, phone, email) lives only in the sender fields; public
pages show `public_question`/`public_answer`, texts an officer edited to remove it (Art. 19,
DOMAIN.md §12.3), and `feedback.services.feedback_publish` refuses texts that still contain it.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .constants import (
    Category,
    Channel,
    Classification,
    EventType,
    FeedbackKind,
    FeedbackStatus,
)
from .querysets import FeedbackQuerySet


class PrivateStorage(FileSystemStorage):
    """Files citizens attach stay outside MEDIA_ROOT (FEEDBACK_ATTACHMENT_ROOT, read at each use);
    staff download them through a checked view."""

    @property
    def base_location(self):
        return str(settings.FEEDBACK_ATTACHMENT_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    """A callable, so migrations do not record this machine's path."""
    return PrivateStorage()


class FeedbackRegisterSequence(models.Model):
    """Per-agency, per-year counter behind register numbers (sổ tiếp nhận, Art. 9(3))."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="feedback_sequence_agency_year")
        ]

    def __str__(self):
        return f"{self.agency_id} {self.year}: {self.last_number}"


class Feedback(TimeStampedModel):
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="feedback_items",
        verbose_name=_("agency"),
    )
    # Receipt code the sender follows the item with; the tracking link adds a signed token.
    code = models.CharField(_("receipt code"), max_length=20, unique=True)
    register_year = models.PositiveSmallIntegerField(_("register year"))
    register_number = models.PositiveIntegerField(_("register number"))

    kind = models.CharField(_("type"), max_length=10, choices=FeedbackKind.choices)
    category = models.CharField(_("about"), max_length=12, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices)

    # Sender (Art. 7; personal data: never on public pages).
    sender_name = models.CharField(_("full name"), max_length=120)
    sender_address = models.CharField(_("address"), max_length=255)
    sender_phone = models.CharField(_("phone"), max_length=16, blank=True)
    sender_email = models.EmailField(_("email"), blank=True)
    # Consent to processing (Law 91/2025 Art. 9: explicit, per purpose, recorded).
    consent_processing_at = models.DateTimeField(_("consent to processing recorded at"))
    consent_notices = models.BooleanField(_("agrees to updates by SMS or email"), default=False)

    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
        verbose_name=_("related procedure"),
    )
    # The procedure's field (lĩnh vực), kept for the archive filter.
    field = models.ForeignKey(
        "procedures.Field",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
        verbose_name=_("field"),
    )
    dossier_code = models.CharField(_("related dossier code"), max_length=60, blank=True)
    content = models.TextField(_("content"))
    proposed_solution = models.TextField(_("proposed solution"), blank=True)

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    # Time limits of the national index (766) computed at receipt / decision (services).
    refuse_due_at = models.DateTimeField(_("refuse by"))
    info_request_due_at = models.DateTimeField(_("ask for more information by"))
    forward_due_at = models.DateTimeField(_("forward by"))
    handle_due_at = models.DateTimeField(_("handle by"))
    publish_due_at = models.DateTimeField(_("publish by"), null=True, blank=True)
    # The due date of the current stage (None when nothing is owed); drives the overdue flag.
    due_at = models.DateTimeField(_("due date"), null=True, blank=True)
    # Whether the handling decision (refusal, forwarding, answer) came in time.
    is_on_time = models.BooleanField(_("decided on time"), null=True, blank=True)

    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, blank=True
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for not accepting"), blank=True)
    competent_body = models.CharField(_("competent body"), max_length=255, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_feedback",
        verbose_name=_("assigned officer"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    reply_number = models.CharField(_("reply letter number"), max_length=40, blank=True)

    # Publication (Art. 19): texts without personal data, edited by an officer.
    public_question = models.TextField(_("public question"), blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Folded (core.text.fold) public texts and procedure name, for the archive search.
    search_text = models.TextField(default="", db_default="", editable=False)
    helpful_count = models.PositiveIntegerField(_("marked helpful"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("marked not helpful"), default=0)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback or petition")
        verbose_name_plural = _("feedback and petitions")
        ordering = ["-received_at"]
        permissions = [
            (
                "receive_feedback",
                _("Can register feedback received by phone, at the desk or by post"),
            ),
            ("view_all_feedback", _("Can see all feedback of the agency")),
            ("classify_feedback", _("Can classify, forward and ask for more information")),
            ("assign_feedback", _("Can assign feedback to an officer")),
            ("answer_feedback", _("Can answer feedback")),
            ("publish_feedback", _("Can publish answers to feedback")),
            ("view_feedback_figures", _("Can see feedback figures")),
        ]
        indexes = [
            models.Index(fields=["agency", "received_at"], name="feedback_agency_received"),
            models.Index(fields=["status", "due_at"], name="feedback_status_due"),
            models.Index(fields=["assigned_to", "status"], name="feedback_assigned_status"),
            # The public archive: published rows by date, by procedure, by field.
            models.Index(
                fields=["-published_at"],
                condition=models.Q(status="published"),
                name="feedback_archive_recent",
            ),
            models.Index(
                fields=["procedure", "-published_at"],
                condition=models.Q(status="published"),
                name="feedback_archive_procedure",
            ),
            models.Index(
                fields=["field", "-published_at"],
                condition=models.Q(status="published"),
                name="feedback_archive_field",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "register_year", "register_number"],
                name="feedback_register_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FeedbackStatus.values),
                name="feedback_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=FeedbackKind.values), name="feedback_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="feedback_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values), name="feedback_category_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(classification__in=["", *Classification.values]),
                name="feedback_classification_valid",
            ),
            # Art. 7: the sender can be reached by phone or at a postal address.
            models.CheckConstraint(
                condition=~models.Q(sender_name="") & ~models.Q(sender_address=""),
                name="feedback_sender_identified",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (
                    models.Q(published_at__isnull=False)
                    & ~models.Q(public_question="")
                    & ~models.Q(public_answer="")
                ),
                name="feedback_published_has_texts",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["answered", "published"])
                | (models.Q(answered_at__isnull=False) & ~models.Q(answer_text="")),
                name="feedback_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="forwarded")
                | (models.Q(forwarded_at__isnull=False) & ~models.Q(competent_body="")),
                name="feedback_forwarded_has_body",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.register_number}/{self.register_year})"

    def get_absolute_url(self):
        return reverse("feedback:staff-detail", kwargs={"code": self.code})

    def get_public_url(self):
        return reverse("feedback:answer", kwargs={"pk": self.pk})

    @property
    def register_label(self) -> str:
        return f"{self.register_number}/{self.register_year}"

    @property
    def is_open(self) -> bool:
        return self.status in (
            FeedbackStatus.RECEIVED,
            FeedbackStatus.NEEDS_INFO,
            FeedbackStatus.TO_FORWARD,
            FeedbackStatus.PROCESSING,
            FeedbackStatus.ANSWERED,
        )


class FeedbackEvent(models.Model):
    """One change of a feedback item. Append-only: never updated or deleted (STYLE.md)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=20, choices=EventType.choices)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=FeedbackStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=FeedbackStatus.choices, blank=True
    )
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
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["feedback", "at"], name="feedback_event_feedback_at")]

    def __str__(self):
        return f"{self.feedback_id} {self.type} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Feedback events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Feedback events are append-only.")


class FeedbackAttachment(models.Model):
    """A file the sender attached (PDF, JPEG, PNG; type checked by its first bytes)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="feedback/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback attachment")
        verbose_name_plural = _("feedback attachments")
        ordering = ["id"]

    def __str__(self):
        return self.original_name

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every domain model: when the row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CalendarOverride(TimeStampedModel):
    """An administrator's correction to the public-holiday calendar (DOMAIN.md §11).

    The Government announces bridge days off and make-up working Saturdays every year; the
    holidays package knows some of them, and these rows add or correct the rest.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Extra day off")
        WORKING_DAY = "working_day", _("Make-up working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["day_off", "working_day"]),
                name="core_calendaroverride_kind_valid",
            )
        ]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}: {self.name}"

    # Cache invalidation only (no business rule): the calendar caches the overrides.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .calendar import invalidate_overrides

        invalidate_overrides()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from .calendar import invalidate_overrides

        invalidate_overrides()
        return result


class Notice(TimeStampedModel):
    """One message to one recipient on one channel: the outbox row (STYLE.md "Every delivery a
    row"). Written in the same transaction as the event that causes it, sent by a Celery task;
    its status, attempts and last error are the truth that retries, pages and audits read.

    Generic on purpose: `about` points at whatever the message is about (a dossier today,
    feedback later) without core depending on those apps. `event_key` names the event that
    caused it ("dossiers.dossierevent:42"): one notice per (event, channel), whatever retries
    or replays happen. Writes go through core.notices.services only.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    template_key = models.CharField(_("template"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # What the templates were rendered with (JSON), so a notice can be rendered again on retry.
    context = models.JSONField(default=dict, blank=True)
    # Files built when the message is sent: [{"builder": "app.module.function", "kwargs": {}}].
    attachments = models.JSONField(default=list, blank=True)
    event_key = models.CharField(_("event"), max_length=120)
    # Sent to the provider as its idempotency key; a new one only when staff retry.
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, editable=False)
    about_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a worker should pick it up: creation, or the end of a retry back-off.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # Start of the current attempt: a "sending" row older than the lease was interrupted.
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    delivery_status = models.CharField(_("delivery report"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    retry_count = models.PositiveSmallIntegerField(_("staff retries"), default=0)
    retried_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["created_at", "id"]
        permissions = [("retry_notice", _("Can send a failed notice again"))]
        constraints = [
            # The same event never makes two notices on one channel (replays, double clicks).
            models.UniqueConstraint(
                fields=["event_key", "channel"], name="core_notice_one_per_event_channel"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["sms", "email"]), name="core_notice_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="core_notice_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="core_notice_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["about_type", "about_id"], name="core_notice_about"),
            # The beat job and /healthz read the few open rows only.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="core_notice_open",
            ),
            models.Index(
                fields=["provider_id"],
                condition=~models.Q(provider_id=""),
                name="core_notice_provider_id",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.template_key} → {self.recipient}"

    @property
    def template_label(self) -> str:
        from .notices.registry import label_for

        return label_for(self.template_key)

    @property
    def is_retryable(self) -> bool:
        return self.status == self.Status.FAILED

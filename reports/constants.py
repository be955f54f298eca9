"""Choices of the reports app (weekly late-dossier report)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportTrigger(models.TextChoices):
    """What started a build of the weekly report."""

    BEAT = "beat", _("Scheduled (Monday 07:00)")
    COMMAND = "command", _("Management command")
    BUTTON = "button", _("“Build now” button")


class DeliveryStatus(models.TextChoices):
    """Where one emailing of a weekly report to one address stands (the row is the lock)."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")

"""Snapshots of the weekly late-dossier report and their emailing to the leaders.

A `WeeklyReport` is frozen when it is built: its figures (JSON) and its Excel and PDF files
never change afterwards, whatever happens to the dossiers (reports.services builds them; the
admin is read-only). Building the same week again makes a new revision; the page shows the
latest one. Each emailing of a report to one address is a `WeeklyReportDelivery` row with its
status, attempts and last error: the truth that retries and audits read.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .constants import DeliveryStatus, ReportTrigger


class ReportStorage(FileSystemStorage):
    """Files under REPORTS_FILE_ROOT, read at each use (a test or a deployment may change it
    after the models are loaded)."""

    @property
    def base_location(self):
        return str(settings.REPORTS_FILE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def report_storage():
    """Reports hold personal data (officers, masked applicants): stored outside MEDIA_ROOT and
    served only through the staff views. A callable, so migrations do not record a path."""
    return ReportStorage()


class WeeklyReport(models.Model):
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="weekly_reports",
        verbose_name=_("agency"),
    )
    week_start = models.DateField(_("week starting"))  # a Monday (local time)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    # [period_start, period_end): Monday 00:00 to the next Monday 00:00, Asia/Ho_Chi_Minh.
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    built_at = models.DateTimeField(_("built at"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("built by"),
    )
    trigger = models.CharField(_("started by"), max_length=8, choices=ReportTrigger.choices)
    # The frozen figures (reports.services.SNAPSHOT_VERSION documents the shape).
    figures = models.JSONField(_("figures"), default=dict)
    # The frozen late list (snapshot version 2: columns and rows, reports.services), as JSON
    # text apart from the figures: nothing queries into it, and as jsonb it had to be parsed
    # and compressed on every build (1 MB for 3,779 late dossiers: 79 ms instead of 31 ms),
    # and decompressed whenever last week's totals or the list page were read. Compressed
    # with lz4 where PostgreSQL has it (migration 0003). Empty in version 1 (in `figures`).
    late_list = models.TextField(_("late dossiers (JSON)"), blank=True, editable=False)
    xlsx_file = models.FileField(
        _("Excel file"), upload_to="weekly/%Y/", storage=report_storage, blank=True
    )
    pdf_file = models.FileField(
        _("PDF file"), upload_to="weekly/%Y/", storage=report_storage, blank=True
    )

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week_start", "-revision"]
        permissions = [
            ("view_agency_figures", _("Can see the agency-wide figures and dashboard")),
            ("build_weeklyreport", _("Can build the weekly report now")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "week_start", "revision"], name="reports_weekly_revision"
            ),
            models.CheckConstraint(
                condition=models.Q(revision__gte=1), name="reports_weekly_revision_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="reports_weekly_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(trigger__in=[t.value for t in ReportTrigger]),
                name="reports_weekly_trigger_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(week_start__iso_week_day=1), name="reports_weekly_monday"
            ),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.week_start:%d/%m/%Y} r{self.revision}"

    def get_absolute_url(self):
        return reverse("reports:weekly-report-detail", kwargs={"pk": self.pk})


class WeeklyReportDelivery(TimeStampedModel):
    """One emailing of one report to one address: at most once (unique), retried on transient
    errors, never resent after an uncertain one (reports.services.weekly_report_send)."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    email = models.EmailField(_("email"))
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("weekly report email")
        verbose_name_plural = _("weekly report emails")
        ordering = ["report", "email"]
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="reports_delivery_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DeliveryStatus]),
                name="reports_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeliveryStatus.SENT) | models.Q(sent_at__isnull=False),
                name="reports_delivery_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.report_id} → {self.email} ({self.status})"

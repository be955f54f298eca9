"""Weekly reports in the admin: for looking up and auditing deliveries, not for changing.

Snapshots are frozen (reports.services builds them, nothing edits them) and deliveries are
written by the sending task only, so both are read-only here. Rows are limited to the staff
member's agency (a superuser sees all).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import WeeklyReport, WeeklyReportDelivery
from .selectors import report_agency_id


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = WeeklyReportDelivery
    extra = 0
    can_delete = False
    fields = ["email", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields


@admin.register(WeeklyReport)
class WeeklyReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["week_start", "revision", "agency", "trigger", "built_at", "built_by", "page"]
    list_filter = ["trigger", "agency"]
    date_hierarchy = "week_start"
    fields = [
        "agency",
        "week_start",
        "revision",
        "period_start",
        "period_end",
        "trigger",
        "built_at",
        "built_by",
        "page",
    ]
    readonly_fields = fields
    inlines = [DeliveryInline]

    @admin.display(description=_("Report"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("reports:weekly-report-detail", kwargs={"pk": obj.pk}),
            _("Open the report"),
        )

    def get_queryset(self, request):
        queryset = (
            super().get_queryset(request).defer("figures", "late_list").select_related("agency")
        )
        if request.user.is_superuser:
            return queryset
        return queryset.filter(agency_id=report_agency_id(request.user))


@admin.register(WeeklyReportDelivery)
class WeeklyReportDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["report", "email", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    fields = [
        "report",
        "recipient",
        "email",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "message_id",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("report", "recipient")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(report__agency_id=report_agency_id(request.user))

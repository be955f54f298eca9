"""Dossiers in the admin: for looking up and auditing, not for changing.

Every change to a dossier goes through dossiers.services (the staff screens), so the admin is
read-only: no add, change or delete, history included (append-only, STYLE.md "State and
history"). Rows are limited by the same policy as the staff screens
(permissions.visible_dossiers). Scans are linked through the checked download view, never
through storage URLs.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Dossier,
    DossierApology,
    DossierAttachment,
    DossierDocument,
    DossierEvent,
    DossierExplanation,
    DossierExplanationEvent,
    DossierPause,
    DossierTransfer,
    IntakeGuidance,
)
from .permissions import visible_dossiers, visible_explanations


class ReadOnlyMixin:
    """Viewable with the model's view permission; nothing can be added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        # The parent dossier's view permission is enough to see its parts.
        return request.user.has_perm("dossiers.view_dossier")

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class DocumentInline(ReadOnlyInline):
    model = DossierDocument
    fields = ["name", "kind", "quantity"]


class AttachmentInline(ReadOnlyInline):
    model = DossierAttachment
    fields = ["download", "size", "content_type", "uploaded_by", "created_at"]

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("dossiers:attachment-download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class PauseInline(ReadOnlyInline):
    model = DossierPause
    fields = ["kind", "reason", "items", "started_at", "ended_at", "working_minutes"]


class ApologyInline(ReadOnlyInline):
    model = DossierApology
    fields = ["sequence", "reason", "previous_due_at", "new_due_at", "issued_at", "signed_by"]


class TransferInline(ReadOnlyInline):
    model = DossierTransfer
    fields = [
        "position",
        "from_unit",
        "to_unit",
        "sent_at",
        "sender",
        "receiver",
        "step_due_at",
        "completed_at",
        "outcome",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender", "receiver")


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ["at", "type", "from_status", "to_status", "actor", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "applicant_name",
        "procedure_code",
        "status",
        "received_at",
        "due_at",
        "handler",
        "timeliness",
    ]
    list_filter = ["status", "channel", "timeliness", "rule_profile", "received_at"]
    list_select_related = ["procedure", "handler"]
    search_fields = ["code"]
    date_hierarchy = "received_at"
    ordering = ["-received_at"]
    exclude = ["result_file"]
    inlines = [
        DocumentInline,
        AttachmentInline,
        PauseInline,
        ApologyInline,
        TransferInline,
        EventInline,
    ]

    @admin.display(description=_("procedure"), ordering="procedure__code")
    def procedure_code(self, obj):
        return f"{obj.procedure.code} v{obj.procedure.version}"

    @admin.display(description=_("staff screen"))
    def staff_page(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.code)

    def get_readonly_fields(self, request, obj=None):
        return ["staff_page"]

    def get_queryset(self, request):
        return visible_dossiers(request.user, super().get_queryset(request))


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "dossier", "type", "from_status", "to_status", "actor"]
    list_filter = ["type", "at"]
    list_select_related = ["dossier", "actor"]
    search_fields = ["dossier__code"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    actions = None

    def get_queryset(self, request):
        visible = visible_dossiers(request.user, Dossier.objects.all()).values("pk")
        return super().get_queryset(request).filter(dossier__in=visible)


@admin.register(IntakeGuidance)
class IntakeGuidanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "applicant_name", "procedure", "issued_by", "created_at"]
    list_select_related = ["procedure", "issued_by"]
    search_fields = ["number", "applicant_name"]
    date_hierarchy = "created_at"
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        department = getattr(request.user, "department", None)
        if department is None:
            return queryset.none()
        return queryset.filter(agency_id=department.agency_id)


class ExplanationEventInline(ReadOnlyInline):
    model = DossierExplanationEvent
    fields = ["at", "type", "from_status", "to_status", "actor", "note"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("dossiers.view_dossierexplanation")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(DossierExplanation)
class DossierExplanationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Explanations of late dossiers, read-only: they move only on the staff screens."""

    list_display = ["dossier", "officer", "status", "reason_category", "explain_by", "reviewed_by"]
    list_filter = ["status", "reason_category"]
    list_select_related = ["dossier", "officer", "reviewed_by"]
    search_fields = ["dossier__code"]
    ordering = ["-requested_at", "-id"]
    actions = None
    inlines = [ExplanationEventInline]

    def get_queryset(self, request):
        return visible_explanations(request.user, super().get_queryset(request))

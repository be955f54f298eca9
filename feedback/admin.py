"""Feedback in the admin: for looking up and auditing, not for changing.

Every change goes through feedback.services (the staff screens), so the admin is read-only,
history included (append-only). Rows are limited by the same policy as the staff screens
(permissions.visible_feedback). Attachments are linked through the checked download view.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Feedback, FeedbackAttachment, FeedbackEvent
from .permissions import visible_feedback


class ReadOnlyMixin:
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

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("feedback.view_feedback")

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class AttachmentInline(ReadOnlyInline):
    model = FeedbackAttachment
    fields = ["download", "size", "content_type", "uploaded_at"]

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("feedback:attachment-download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class EventInline(ReadOnlyInline):
    model = FeedbackEvent
    fields = ["at", "type", "from_status", "to_status", "actor", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "register_label",
        "kind",
        "category",
        "channel",
        "status",
        "received_at",
        "due_at",
        "assigned_to",
    ]
    list_filter = ["status", "kind", "category", "channel", "classification", "register_year"]
    list_select_related = ["assigned_to"]
    search_fields = ["code"]
    date_hierarchy = "received_at"
    ordering = ["-received_at"]
    exclude = ["search_text"]
    inlines = [AttachmentInline, EventInline]

    @admin.display(description=_("register number"), ordering="register_number")
    def register_label(self, obj):
        return obj.register_label

    def get_queryset(self, request):
        return visible_feedback(request.user, super().get_queryset(request))


@admin.register(FeedbackEvent)
class FeedbackEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "feedback", "type", "from_status", "to_status", "actor"]
    list_filter = ["type"]
    list_select_related = ["feedback", "actor"]
    search_fields = ["feedback__code"]
    ordering = ["-at", "-id"]
    actions = None

    def get_queryset(self, request):
        visible = visible_feedback(request.user, Feedback.objects.all()).values("pk")
        return super().get_queryset(request).filter(feedback__in=visible)

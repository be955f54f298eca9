"""Satisfaction in the admin: administrators edit the survey; the rest is read-only.

A survey version that has responses is frozen (its criteria, questions and checklist too): the
"new version" action copies it for editing, and "put in use" switches the portal to the copy,
so every answer keeps the question the citizen read (satisfaction.services). Responses,
follow-ups and tablets are changed only through the services (pages and kiosk), never here.
"""

from django.contrib import admin, messages
from django.db.models import Count, Exists, Max, OuterRef
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError

from . import services
from .models import (
    Answer,
    Criterion,
    FacilityOption,
    FollowUp,
    FollowUpEvent,
    KioskDevice,
    Question,
    Response,
    Survey,
)


def _survey_of(obj):
    if obj is None:
        return None
    return obj if isinstance(obj, Survey) else obj.survey


class FrozenMixin:
    """Nothing of a survey version with responses can be added, changed or deleted."""

    def _editable(self, obj):
        survey = _survey_of(obj)
        return survey is None or not survey.has_responses

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class CriterionInline(FrozenMixin, admin.TabularInline):
    model = Criterion
    fields = ["position", "code", "label", "description", "shows_facilities"]
    extra = 0
    show_change_link = True  # its questions are edited on the criterion's page


class FacilityOptionInline(FrozenMixin, admin.TabularInline):
    model = FacilityOption
    fields = ["position", "code", "label"]
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "is_active", "response_count", "created_at"]
    list_filter = ["code", "is_active"]
    readonly_fields = ["version", "is_active", "based_on", "created_by"]
    fields = ["code", "version", "title", "introduction", "is_active", "based_on", "created_by"]
    inlines = [CriterionInline, FacilityOptionInline]
    actions = ["new_version", "activate"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(response_total=Count("responses"))

    @admin.display(description=_("responses"), ordering="response_total")
    def response_count(self, obj):
        return obj.response_total

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "code"] if obj is not None else fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.has_responses:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # versions are kept: answers and reports point at them

    def save_model(self, request, obj, form, change):
        if not change:  # a new questionnaire (new code) or a hand-made version of one
            top = Survey.objects.filter(code=obj.code).aggregate(top=Max("version"))["top"]
            obj.version = (top or 0) + 1
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _run(self, request, queryset, service, done_message):
        for survey in queryset:
            try:
                result = service(survey=survey, user=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{survey}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{result}: {done_message}", messages.SUCCESS)

    @admin.action(description=_("Make a new version to edit"), permissions=["add"])
    def new_version(self, request, queryset):
        self._run(request, queryset, services.survey_new_version, _("new version ready to edit"))

    @admin.action(description=_("Put the selected version in use"), permissions=["change"])
    def activate(self, request, queryset):
        self._run(request, queryset, services.survey_activate, _("now in use"))


class QuestionInline(FrozenMixin, admin.TabularInline):
    model = Question
    fields = ["position", "text", "is_required"]
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(FrozenMixin, admin.ModelAdmin):
    list_display = ["label", "survey", "position", "code", "shows_facilities"]
    list_filter = ["survey"]
    list_select_related = ["survey"]
    fields = ["survey", "position", "code", "label", "description", "shows_facilities"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["survey"] if obj is not None else []

    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "survey":  # only versions without responses take new criteria
            answered = Response.objects.filter(survey=OuterRef("pk"))
            kwargs["queryset"] = Survey.objects.filter(~Exists(answered))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- read-only records -------------------------------------------------------------------------
class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnlyMixin, admin.TabularInline):
    model = Answer
    fields = ["question", "score"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question__criterion")


@admin.register(Response)
class ResponseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["submitted_at", "source", "procedure", "mean_score", "has_low_score"]
    list_filter = ["source", "has_low_score", "survey"]
    list_select_related = ["procedure"]
    date_hierarchy = "submitted_at"
    fields = [
        "submitted_at",
        "survey",
        "source",
        "kiosk",
        "procedure",
        "desk_officer",
        "handler",
        "mean_score",
        "has_low_score",
        "facility_options",
        "comment",
        "expectation",
    ]
    readonly_fields = fields
    inlines = [AnswerInline]
    actions = None


class FollowUpEventInline(ReadOnlyMixin, admin.TabularInline):
    model = FollowUpEvent
    fields = ["at", "type", "actor", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["opened_at", "status", "response", "closed_at", "closed_by"]
    list_filter = ["status"]
    list_select_related = ["response", "closed_by"]
    fields = [
        "response",
        "status",
        "reasons",
        "opened_at",
        "action_taken",
        "closed_by",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [FollowUpEventInline]
    actions = None


@admin.register(KioskDevice)
class KioskDeviceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "agency", "enrolled_at", "enrolled_by", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    list_select_related = ["agency", "enrolled_by"]
    fields = [
        "name",
        "agency",
        "enrolled_by",
        "enrolled_at",
        "revoked_by",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = fields
    actions = None

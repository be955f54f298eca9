from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError

from . import services
from .models import (
    DossierComponent,
    Field,
    Procedure,
    ProcedureStep,
    SubmissionMethod,
    WorkflowStep,
)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class FrozenInlineMixin:
    """Inlines of a published or retired version are read-only."""

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class StepInline(FrozenInlineMixin, admin.TabularInline):
    model = ProcedureStep
    extra = 0


class MethodInline(FrozenInlineMixin, admin.TabularInline):
    model = SubmissionMethod
    extra = 0


class ComponentInline(FrozenInlineMixin, admin.StackedInline):
    model = DossierComponent
    extra = 0


class WorkflowInline(FrozenInlineMixin, admin.TabularInline):
    model = WorkflowStep
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "name", "field", "status", "online_level", "is_illustrative"]
    list_filter = ["status", "field", "online_level", "level", "is_illustrative"]
    list_select_related = ["field"]
    search_fields = ["code", "name", "search_text"]
    readonly_fields = ["version", "status", "published_at", "published_by"]
    inlines = [StepInline, MethodInline, ComponentInline, WorkflowInline]
    actions = ["revise", "publish", "retire"]
    fieldsets = (
        (None, {"fields": ("agency", "code", "local_code", "version", "status", "name", "field")}),
        (
            _("Processing"),
            {
                "fields": (
                    "level",
                    "processing_time_amount",
                    "processing_time_unit",
                    "processing_time_note",
                    "receipt_cutoff",
                    "online_level",
                    "online_url",
                )
            },
        ),
        (
            _("Subjects and agencies"),
            {
                "fields": (
                    "subjects",
                    "implementing_agency",
                    "competent_agency",
                    "authorised_agency",
                    "coordinating_agency",
                    "receiving_address",
                )
            },
        ),
        (
            _("Result, conditions, fees and legal basis"),
            {
                "fields": (
                    "result",
                    "requirements",
                    "fee_description",
                    "fee_legal_basis",
                    "legal_basis",
                    "publication_decision",
                )
            },
        ),
        (
            _("Validity"),
            {
                "fields": (
                    "effective_from",
                    "effective_until",
                    "is_illustrative",
                    "published_at",
                    "published_by",
                )
            },
        ),
    )

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def _run(self, request, queryset, service, done_message):
        for procedure in queryset:
            try:
                service(procedure=procedure, user=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{procedure.code}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{procedure.code}: {done_message}", messages.SUCCESS)

    @admin.action(description=_("Revise: create a new draft version"), permissions=["add"])
    def revise(self, request, queryset):
        self._run(request, queryset, services.procedure_revise, _("draft version ready"))

    @admin.action(description=_("Publish the selected drafts"), permissions=["publish"])
    def publish(self, request, queryset):
        self._run(request, queryset, services.procedure_publish, _("published"))

    @admin.action(description=_("Retire the selected versions"), permissions=["publish"])
    def retire(self, request, queryset):
        self._run(request, queryset, services.procedure_retire, _("retired"))

    def has_publish_permission(self, request):
        return request.user.has_perm("procedures.publish_procedure")

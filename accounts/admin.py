from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, Department, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "hotline", "is_primary"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "agency"]
    list_select_related = ["agency"]
    list_filter = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "department", "is_active", "is_staff"]
    list_select_related = ["department"]
    list_filter = ["groups", "department", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("department", "job_title", "phone")}),
    )

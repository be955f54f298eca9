from django.contrib import admin

from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["name"]

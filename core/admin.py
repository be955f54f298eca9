from django.contrib import admin
from django.db.models.functions import ExtractYear
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from .calendar import CalendarRangeError, invalidate_overrides, package_calendar
from .models import CalendarOverride


class YearListFilter(admin.SimpleListFilter):
    """Overrides of one year: the Government announces swaps year by year."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            CalendarOverride.objects.annotate(year=ExtractYear("day"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(day__year=int(value))
        return queryset


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "weekday", "kind", "name", "package_says"]
    list_filter = [YearListFilter, "kind"]
    date_hierarchy = "day"
    search_fields = ["name"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return WEEKDAYS[obj.day.weekday()]

    @admin.display(description=_("without this override"))
    def package_says(self, obj):
        """What the holidays package alone says about the day, so a useless or mistaken
        override (a day off on a Sunday, a make-up day on an ordinary Tuesday) stands out."""
        try:  # no database or cache read: settings and the holidays package only
            info = package_calendar().day_info(obj.day)
        except CalendarRangeError:
            return "-"
        return info.name or info.kind_label

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action bypasses CalendarOverride.delete() and its
        # cache invalidation.
        super().delete_queryset(request, queryset)
        invalidate_overrides()

"""Staff page to check the working calendar of a year against the Government's notices."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.views.decorators.http import require_GET

from .calendar import DayKind, get_calendar


def _requested_year(raw, supported):
    """`?year=` as an int inside the package's range; anything else means the current year."""
    current = timezone.localdate().year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return current
    return year if year in supported else current


@require_GET
@permission_required("core.view_calendaroverride", raise_exception=True)
def calendar_year(request):
    """Holidays (python-holidays), swapped and overridden days, and working days per month.

    Anonymous visitors are sent to the login page by LoginRequiredMiddleware; staff without the
    permission get 403.
    """
    calendar = get_calendar()
    year = _requested_year(request.GET.get("year"), calendar.supported_years)
    overview = calendar.year_overview(year)
    return render(
        request,
        "core/calendar_year.html",
        {
            "overview": overview,
            "previous_year": year - 1 if year - 1 in calendar.supported_years else None,
            "next_year": year + 1 if year + 1 in calendar.supported_years else None,
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
            "day_kinds": DayKind,
        },
    )

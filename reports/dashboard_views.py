"""The leadership dashboard (`/can-bo/dieu-hanh/`) and its CSV and Excel exports.

Thin views: parse the filters (reports.dashboard_forms), read everything with one call to
reports.dashboard, draw the charts (core.charts), render. Anonymous users are sent to the login
page by LoginRequiredMiddleware; staff without `reports.view_agency_figures` see only their own
figures; users who may see no dossier at all get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.calendar import get_calendar
from core.charts import Series, bar_chart, line_chart

from . import dashboard_exports
from .dashboard import Dashboard, dashboard, dashboard_scope
from .dashboard_forms import DashboardFilterForm


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _load(request) -> tuple[Dashboard, DashboardFilterForm, list[str]]:
    scope = dashboard_scope(request.user)
    if scope is None:
        raise PermissionDenied
    now = timezone.now()
    calendar = get_calendar()
    form = DashboardFilterForm(request.GET or None, scope=scope, now=now, calendar=calendar)
    period, procedure, ignored = form.chosen()
    data = dashboard(scope=scope, period=period, procedure=procedure, now=now, calendar=calendar)
    return data, form, ignored


def _charts(data: Dashboard) -> dict[str, str]:
    labels = [row.week_start.strftime("%d/%m") for row in data.trend]
    charts = {
        "trend_counts": line_chart(
            title=_("Dossiers received and finished per week"),
            labels=labels,
            series=[
                Series(_("Received"), [row.figures.received for row in data.trend]),
                Series(_("Finished"), [row.figures.finished for row in data.trend]),
            ],
        ),
        "trend_rate": line_chart(
            title=_("On-time rate per week"),
            labels=labels,
            series=[
                Series(_("On-time rate"), [_percent(r.figures.on_time_rate) for r in data.trend])
            ],
            y_max=100,
            y_suffix="%",
        ),
        "by_procedure": bar_chart(
            title=_("On-time rate by procedure"),
            rows=[(row.label, _percent(row.figures.on_time_rate)) for row in data.by_procedure],
            max_value=100,
            value_suffix="%",
        ),
    }
    if data.by_officer is not None:
        charts["by_officer"] = bar_chart(
            title=_("On-time rate by officer"),
            rows=[(row.label, _percent(row.figures.on_time_rate)) for row in data.by_officer],
            max_value=100,
            value_suffix="%",
        )
    return charts


@require_GET
def dashboard_page(request):
    """Figures of the desk at a glance, each linked to the dossiers behind it."""
    data, form, ignored = _load(request)
    query = request.GET.copy()
    return render(
        request,
        "reports/dashboard.html",
        {
            "data": data,
            "form": form,
            "ignored": ignored,
            "charts": _charts(data),
            "query_string": query.urlencode(),
        },
    )


@require_GET
def dashboard_export(request, fmt: str):
    """The page's figures as CSV or Excel, with the same filters as the page."""
    data, _form, _ignored = _load(request)
    filename = dashboard_exports.filename(data, fmt)
    if fmt == "csv":
        response = HttpResponse(
            dashboard_exports.as_csv(data), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            dashboard_exports.as_xlsx(data), content_type=dashboard_exports.XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response

"""Staff pages of the weekly late-dossier report: the list of snapshots, one snapshot, its
Excel and PDF files, and the "Build now" button.

Thin views: read with reports.selectors, write with reports.services. Who sees what is the
selectors' rule (leaders the agency, other staff their own rows); a report one may not see is a
404, like a missing one.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Agency
from core.exceptions import ApplicationError

from . import selectors, services
from .constants import ReportTrigger
from .exports import XLSX_CONTENT_TYPE

BUILDABLE_WEEKS = 8  # the "Build now" form offers the last eight weeks that are over


def _buildable_weeks(now) -> list[date]:
    last = services.last_complete_week(now)
    return [last - timedelta(days=7 * back) for back in range(BUILDABLE_WEEKS)]


@require_GET
def weekly_report_list(request):
    """The weeks built for the user's agency, newest first, with the "Build now" form."""
    if not selectors.can_open_reports(request.user):
        raise PermissionDenied
    can_build = request.user.has_perm(selectors.BUILD_PERMISSION)
    return render(
        request,
        "reports/weeklyreport_list.html",
        {
            "rows": selectors.weekly_report_list(user=request.user),
            "sees_agency": selectors.sees_agency(request.user),
            "can_build": can_build,
            "weeks": _buildable_weeks(timezone.now()) if can_build else [],
        },
    )


@require_POST
@permission_required(selectors.BUILD_PERMISSION, raise_exception=True)
def weekly_report_build_now(request):
    """Build a new revision of a week's report (default: last week) and open it. Asks for the
    missing explanations first; the files follow (a Celery task), the page says so."""
    agency_id = selectors.report_agency_id(request.user)
    if agency_id is None:
        raise PermissionDenied
    agency = get_object_or_404(Agency, pk=agency_id)
    raw = (request.POST.get("week") or "").strip()
    week_start = None
    if raw:
        try:
            week_start = date.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("Choose a week from the list."))
            return redirect("reports:weekly-report-list")
    try:
        report = services.weekly_report_build(
            agency=agency,
            week_start=week_start,
            trigger=ReportTrigger.BUTTON,
            user=request.user,
            request_explanations=True,
        )
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("reports:weekly-report-list")
    messages.success(
        request,
        _("The report of the week of %(day)s was built (revision %(revision)s).")
        % {"day": f"{report.week_start:%d/%m/%Y}", "revision": report.revision},
    )
    return redirect(report)


@require_GET
def weekly_report_detail(request, pk: int):
    """One snapshot: figures with the change against last week, late dossiers with their
    explanations, on-time rates by procedure and officer (officers: their own rows)."""
    if not selectors.can_open_reports(request.user):
        raise PermissionDenied
    view = selectors.weekly_report_view(user=request.user, pk=pk)
    return render(request, "reports/weeklyreport_detail.html", {"view": view})


@require_GET
def weekly_report_download(request, pk: int, fmt: str):
    """The snapshot's Excel or PDF file (leaders: it holds the whole agency)."""
    report = selectors.report_for_download(user=request.user, pk=pk)
    field = report.xlsx_file if fmt == "xlsx" else report.pdf_file
    if not field:
        raise selectors.ReportNotFound
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=field.name.rsplit("/", 1)[-1],
        content_type=XLSX_CONTENT_TYPE if fmt == "xlsx" else "application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response

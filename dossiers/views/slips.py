"""Printable slips (HTML with print CSS, and PDF) and the tracking ledger export.

Staff only (LoginRequiredMiddleware). A dossier the user may not see and a slip that does not
exist for the dossier's state are both 404; the ledger needs `dossiers.export_ledger` (403).
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.selectors import primary_agency
from core.pdf import local, render_pdf

from .. import ledger, slips


def _slip(request, code, slip):
    dossier = slips.dossier_for_slips(user=request.user, code=code)
    context = slips.slip_context(dossier, slip, pause_id=request.GET.get("pause"))
    return slips.slip_template(slip), context


@require_GET
def dossier_slip(request, code, slip):
    template, context = _slip(request, code, slip)
    context["auto_print"] = request.GET.get("print") == "1"
    return render(request, template, context)


@require_GET
def dossier_slip_pdf(request, code, slip):
    template, context = _slip(request, code, slip)
    pdf = render_pdf(template, context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-{slip}.pdf"'
    return response


@require_GET
def guidance_slip(request, pk):
    guidance = slips.guidance_for_slip(user=request.user, pk=pk)
    context = slips.guidance_context(guidance)
    context["auto_print"] = request.GET.get("print") == "1"
    return render(request, slips.slip_template(context["slip"]), context)


@require_GET
def ledger_export(request):
    if not request.user.has_perm("dossiers.export_ledger"):
        raise PermissionDenied
    department = request.user.department
    agency = department.agency if department else primary_agency()
    try:
        period = ledger.parse_period(
            request.GET.get("from"), request.GET.get("to"), today=local(timezone.now()).date()
        )
    except ledger.LedgerPeriodError as error:
        context = {"message": str(error), "raw_from": request.GET.get("from", "")}
        context["raw_to"] = request.GET.get("to", "")
        return render(request, "dossiers/slips/ledger_error.html", context, status=400)
    if agency is None:
        raise PermissionDenied
    output = ledger.ledger_workbook(user=request.user, agency=agency, period=period)
    return FileResponse(
        output,
        as_attachment=True,
        filename=ledger.ledger_filename(period),
        content_type=ledger.XLSX_CONTENT_TYPE,
    )

"""Printable slips (HTML with print CSS, and PDF) and the tracking ledger export."""

from django.http import HttpResponse


def dossier_slip(request, code, slip):
    return HttpResponse("TODO")


def dossier_slip_pdf(request, code, slip):
    return HttpResponse("TODO")


def guidance_slip(request, pk):
    return HttpResponse("TODO")


def ledger_export(request):
    return HttpResponse("TODO")

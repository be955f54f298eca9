"""Desk and specialist screens: intake, list, dossier page and its actions."""

from django.http import HttpResponse


def dossier_list(request):
    return HttpResponse("TODO")


def dossier_intake(request):
    return HttpResponse("TODO")


def dossier_detail(request, code):
    return HttpResponse("TODO")


def dossier_action(request, code, action):
    return HttpResponse("TODO")


def attachment_download(request, pk):
    return HttpResponse("TODO")


def procedure_picker(request):
    return HttpResponse("TODO")

"""The citizen's dossier look-up (no login)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def lookup(request):
    return HttpResponse("TODO")


@login_not_required
def lookup_detail(request, code):
    return HttpResponse("TODO")

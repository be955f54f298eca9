from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def procedure_list(request):
    return HttpResponse("TODO")


@login_not_required
def procedure_detail(request, code):
    return HttpResponse("TODO")

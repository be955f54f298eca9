from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health

COMING_SOON = {
    "phan-anh-kien-nghi": _("Feedback and petitions"),
}


@login_not_required
@require_GET
def home(request):
    return render(request, "core/home.html")


@login_not_required
@require_GET
def coming_soon(request, feature):
    if feature not in COMING_SOON:
        raise Http404
    return render(request, "core/coming_soon.html", {"feature_name": COMING_SOON[feature]})


def staff_home(request):
    return render(request, "core/staff_home.html")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """JSON state of the database, cache, broker and notices (pending count, age of the oldest
    pending one). 200 while the database answers; anything else down is reported, not fatal."""
    checks = {
        "database": health.check_database(),
        "cache": health.check_cache(),
        "broker": health.check_broker(),
    }
    if checks["database"]["ok"]:
        checks["notices"] = health.check_notices()
    status = 200 if checks["database"]["ok"] else 503
    return JsonResponse({"ok": all(c["ok"] for c in checks.values()), **checks}, status=status)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def server_error(request):
    return render(request, "500.html", status=500)

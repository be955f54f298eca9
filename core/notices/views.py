"""Staff pages for notices (template preview, retry) and the gateway's delivery reports.

Thin views: one selector or service each. Retry is POST with CSRF and `core.retry_notice`;
the preview needs `core.view_notice`. The delivery-report endpoint is public but needs the
shared token (NOTICE_SMS_RECEIPT_TOKEN), compared in constant time; without a token configured
it does not exist (404).
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from core.models import Notice

from . import selectors, services
from .sms import json_path


@require_GET
def notice_templates(request):
    """Every notice template rendered with sample data (SMS length and encoding, email)."""
    if not request.user.has_perm("core.view_notice"):
        raise PermissionDenied
    return render(
        request,
        "core/notice_templates.html",
        {
            "previews": selectors.notice_template_previews(),
            "sms_unicode": settings.NOTICE_SMS_UNICODE,
            "sms_max_segments": settings.NOTICE_SMS_MAX_SEGMENTS,
        },
    )


def _back(request, notice: Notice | None):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    about = notice.about if notice is not None else None
    if about is not None and hasattr(about, "get_absolute_url"):
        return redirect(about.get_absolute_url())
    return redirect("core:staff-home")


@require_POST
def notice_retry(request, pk):
    """Send a failed notice again (staff), then back to the page the button was on."""
    if not request.user.has_perm("core.retry_notice"):
        raise PermissionDenied
    try:
        notice = services.notice_retry(notice_id=pk, user=request.user)
    except Notice.DoesNotExist as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.warning(request, error.message)
        return _back(request, Notice.objects.filter(pk=pk).first())
    if notice.status == Notice.Status.FAILED:
        messages.error(
            request,
            _("The notice could not be sent again: %(reason)s") % {"reason": notice.last_error},
        )
    else:
        messages.success(request, _("The notice will be sent again."))
    return _back(request, notice)


def _receipt_fields(request) -> tuple[str, str]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return "", ""
        values = []
        for path in (settings.NOTICE_SMS_RECEIPT_ID_PATH, settings.NOTICE_SMS_RECEIPT_STATUS_PATH):
            try:
                values.append(str(json_path(data, path)))
            except KeyError:
                values.append("")
        return values[0], values[1]
    return (
        request.POST.get(settings.NOTICE_SMS_RECEIPT_ID_PATH, ""),
        request.POST.get(settings.NOTICE_SMS_RECEIPT_STATUS_PATH, ""),
    )


@login_not_required
@csrf_exempt
@never_cache
@require_POST
def sms_delivery_receipt(request):
    """A delivery report from the SMS gateway: JSON or form fields, paths in settings."""
    expected = settings.NOTICE_SMS_RECEIPT_TOKEN
    if not expected:
        raise Http404
    given = request.headers.get("X-Notice-Token") or request.GET.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JsonResponse({"ok": False, "error": "forbidden"}, status=403)
    provider_id, status = _receipt_fields(request)
    if not provider_id or not status:
        return JsonResponse({"ok": False, "error": "id and status required"}, status=400)
    notice = services.notice_record_receipt(provider_id=provider_id, provider_status=status)
    if notice is None:
        return JsonResponse({"ok": False, "error": "unknown id"}, status=404)
    return JsonResponse({"ok": True, "status": notice.status})

"""The citizen's dossier look-up (no login).

`/tra-cuu/?code=…&phone_last4=…` answers on the same URL (no redirect, so no token link ends up
in a third party's logs); `/tra-cuu/<code>/?t=<token>` is the QR link of the receipt slip.
Reads go through dossiers.lookup; these views only parse, rate-limit and render.

Rate limits (django-ratelimit, shared Redis cache): every attempt that carries a code counts
against the client's IP (LOOKUP_RATE_PER_IP), and every well-formed code typed in the form
counts against that code (LOOKUP_RATE_PER_CODE), whoever types it, so the 4 digits cannot be
guessed from many addresses. An empty rate setting switches that limit off.
"""

import math

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from .. import lookup as selectors

IP_GROUP = "dossiers.lookup.ip"
CODE_GROUP = "dossiers.lookup.code"


# --- rate limits --------------------------------------------------------------------------
def _has_code(request) -> bool:
    return bool(request.resolver_match.kwargs.get("code") or request.GET.get("code", "").strip())


def _ip_rate(group, request):
    return (settings.LOOKUP_RATE_PER_IP or None) if _has_code(request) else None


def _code_rate(group, request):
    if selectors.normalize_code(request.GET.get("code", "")) is None:
        return None  # nothing to guess: malformed codes never reach the database
    return settings.LOOKUP_RATE_PER_CODE or None


def _code_key(group, request):
    return selectors.normalize_code(request.GET.get("code", "")) or ""


_LIMITS = ((IP_GROUP, "ip", _ip_rate), (CODE_GROUP, _code_key, _code_rate))


def _too_many(request):
    """429 with the time until the longest exceeded window ends."""
    waits = []
    for group, key, rate in _LIMITS:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=False)
        if usage and usage["should_limit"]:
            waits.append(max(usage["time_left"], 1))
    seconds = max(waits, default=60)
    response = render(
        request,
        "429.html",
        {"retry_after_minutes": math.ceil(seconds / 60), "retry_after_seconds": seconds},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return _private(response)


def _private(response):
    """Result pages: never stored by a browser or proxy, never indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- form ---------------------------------------------------------------------------------
class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Dossier code"),
        max_length=selectors.CODE_MAX_LENGTH * 2,
        help_text=_("Printed on your receipt slip, e.g. 000.00.20.H32-250815-0012."),
        error_messages={
            "required": _("Enter the dossier code printed on your receipt slip."),
            "max_length": _("This code is too long. Copy it from your receipt slip."),
        },
    )
    phone_last4 = forms.CharField(
        label=_("Last 4 digits of your phone number"),
        max_length=20,
        help_text=_("The phone number you gave when you submitted the dossier."),
        error_messages={
            "required": _("Enter the last 4 digits of your phone number."),
            "max_length": _("Enter only the last 4 digits of your phone number."),
        },
    )

    def clean_code(self):
        code = selectors.normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "This is not a dossier code. A code looks like 000.00.20.H32-250815-0012: "
                    "copy it from your receipt slip."
                )
            )
        return code

    def clean_phone_last4(self):
        digits = selectors.normalize_last4(self.cleaned_data["phone_last4"])
        if digits is None:
            raise forms.ValidationError(
                _("Enter exactly 4 digits (0-9): the last 4 digits of your phone number.")
            )
        return digits


NOT_FOUND = _(
    "We found no dossier with this code and these 4 digits. Check both against your receipt "
    "slip and try again."
)


# --- views --------------------------------------------------------------------------------
@login_not_required
@require_GET
@ratelimit(group=IP_GROUP, key="ip", rate=_ip_rate, block=False)
@ratelimit(group=CODE_GROUP, key=_code_key, rate=_code_rate, block=False)
def lookup(request):
    """The look-up form; with `code` and `phone_last4` the answer on the same page."""
    if "code" not in request.GET and "phone_last4" not in request.GET:
        return render(request, "dossiers/lookup/form.html", {"form": LookupForm()})
    if request.limited:
        return _too_many(request)
    form = LookupForm(request.GET)
    if not form.is_valid():
        return _private(render(request, "dossiers/lookup/form.html", {"form": form}, status=400))
    dossier = selectors.public_dossier(
        code=form.cleaned_data["code"], phone_last4=form.cleaned_data["phone_last4"]
    )
    if dossier is None:
        form.add_error(None, NOT_FOUND)
        return _private(render(request, "dossiers/lookup/form.html", {"form": form}, status=404))
    return _private(render(request, "dossiers/lookup/result.html", {"dossier": dossier}))


@login_not_required
@require_GET
@ratelimit(group=IP_GROUP, key="ip", rate=_ip_rate, block=False)
def lookup_detail(request, code):
    """The QR link of the receipt slip: the dossier straight away if the token is valid."""
    if request.limited:
        return _too_many(request)
    dossier = selectors.public_dossier_by_token(code=code, token=request.GET.get("t", ""))
    if dossier is None:
        form = LookupForm(initial={"code": selectors.normalize_code(code) or ""})
        return _private(
            render(request, "dossiers/lookup/invalid_link.html", {"form": form}, status=404)
        )
    return _private(render(request, "dossiers/lookup/result.html", {"dossier": dossier}))

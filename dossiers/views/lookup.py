"""The citizen's dossier look-up (no login).

`/tra-cuu/?code=…&phone_last4=…` answers on the same URL (no redirect, so no token link ends up
in a third party's logs); `/tra-cuu/<code>/?t=<token>` is the QR link of the receipt slip.
Reads go through dossiers.lookup; these views only parse, rate-limit and render.

Rate limits (django-ratelimit, shared Redis cache): every attempt that carries a code counts
against the client's IP (LOOKUP_RATE_PER_IP), and every well-formed code typed in the form
counts against that code (LOOKUP_RATE_PER_CODE), whoever types it, so the 4 digits cannot be
guessed from many addresses. An empty rate setting switches that limit off.

Result pages are kept in the cache (see _result_page): a look-up that matches costs one indexed
query and one cache read, and the page is rendered again as soon as anything it shows changes.
"""

import hashlib
import math
from datetime import timedelta
from functools import cache as memoize

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from accounts.selectors import primary_agency_stamp
from core.calendar import overrides_stamp

from .. import lookup as selectors

IP_GROUP = "dossiers.lookup.ip"
CODE_GROUP = "dossiers.lookup.code"


# --- rate limits --------------------------------------------------------------------------
def _has_code(request) -> bool:
    return bool(request.resolver_match.kwargs.get("code") or request.GET.get("code", "").strip())


def _ip_rate(group, request):
    return (settings.LOOKUP_RATE_PER_IP or None) if _has_code(request) else None


def _typed_code(request) -> str | None:
    """The code typed in the form, normalised (once per request), or None if malformed."""
    if not hasattr(request, "_lookup_code"):
        request._lookup_code = selectors.normalize_code(request.GET.get("code", ""))
    return request._lookup_code


def _code_rate(group, request):
    if _typed_code(request) is None:
        return None  # nothing to guess: malformed codes never reach the database
    return settings.LOOKUP_RATE_PER_CODE or None


def _code_key(group, request):
    return _typed_code(request) or ""


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


# --- cached result pages ------------------------------------------------------------------
RESULT_TEMPLATE = "dossiers/lookup/result.html"
# How long a rendered result page is kept. Its key changes with everything the page shows (see
# _page_key), so this only bounds what the key does not cover: a procedure's name or receiving
# address edited without a new version, an officer's renamed account (kept out of the text
# anyway), and pages rendered by the previous release after a deploy (bump the key's "v1" when
# the wording must change at once).
PAGE_CACHE_SECONDS = 600
_PAGE_KEY_PREFIX = "dossiers:lookup:page:v1"


@memoize
def _slot(name: str) -> str:
    """A marker left in cached pages where each request puts its own value. Derived from
    SECRET_KEY: no text a page shows (procedure names, history notes) can contain it."""
    return "slot-" + salted_hmac("dossiers.lookup.page-slot", name).hexdigest()[:32]


def _page_key(match: selectors.LookupMatch) -> str:
    """The dossier's version (its row, newest public event, procedure, agency), the language,
    the local date, the portal's agency (header, footer) and the calendar overrides (the
    explanation's days off)."""
    parts = (
        match.dossier_id,
        match.version,
        translation.get_language(),
        timezone.localdate().isoformat(),
        primary_agency_stamp(),
        overrides_stamp(),
    )
    return f"{_PAGE_KEY_PREFIX}:{hashlib.blake2b(repr(parts).encode()).hexdigest()}"


def _page_timeout(dossier: selectors.PublicDossier) -> int:
    """PAGE_CACHE_SECONDS, or less if the page would start saying "late" before then."""
    seconds = PAGE_CACHE_SECONDS
    if dossier.overdue_at is not None and not dossier.is_overdue:
        until = (dossier.overdue_at - timezone.now()) / timedelta(seconds=1)
        seconds = max(1, min(seconds, math.ceil(until)))
    return seconds


def _result_page(request, match: selectors.LookupMatch) -> HttpResponse | None:
    """The result page of `match` (None if the dossier is gone), from the cache when possible.

    The cached text is the whole page as an anonymous visitor gets it, with two markers where
    each request puts its own CSRF token (language switcher) and its own address (the switcher's
    `next`, which holds what the citizen typed): nothing personal is stored. Staff (logout form)
    and visitors with pending messages get a page rendered for them alone.
    """
    if request.user.is_authenticated or len(get_messages(request)):
        dossier = selectors.public_dossier_of(match)
        return dossier and render(request, RESULT_TEMPLATE, {"dossier": dossier})
    key = _page_key(match)
    page = cache.get(key)
    if page is None:
        dossier = selectors.public_dossier_of(match)
        if dossier is None:
            return None
        context = {"dossier": dossier, "csrf_token": _slot("csrf"), "language_next": _slot("next")}
        page = render_to_string(RESULT_TEMPLATE, context, request)
        cache.set(key, page, _page_timeout(dossier))
    page = page.replace(_slot("csrf"), get_token(request), 1)
    return HttpResponse(page.replace(_slot("next"), escape(request.get_full_path()), 1))


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
    # Well-formed input needs no form (the form accepts all of it, with the same values); the
    # form is built only to word what is wrong and for the not-found answer.
    code = _typed_code(request)
    phone_last4 = selectors.normalize_last4(request.GET.get("phone_last4", ""))
    form = None
    if code is None or phone_last4 is None:
        form = LookupForm(request.GET)
        if not form.is_valid():
            return _private(
                render(request, "dossiers/lookup/form.html", {"form": form}, status=400)
            )
        code, phone_last4 = form.cleaned_data["code"], form.cleaned_data["phone_last4"]
    match = selectors.find_dossier(code=code, phone_last4=phone_last4)
    page = match and _result_page(request, match)
    if page is None:
        if form is None:
            form = LookupForm(request.GET)
            form.is_valid()
        form.add_error(None, NOT_FOUND)
        return _private(render(request, "dossiers/lookup/form.html", {"form": form}, status=404))
    return _private(page)


@login_not_required
@require_GET
@ratelimit(group=IP_GROUP, key="ip", rate=_ip_rate, block=False)
def lookup_detail(request, code):
    """The QR link of the receipt slip: the dossier straight away if the token is valid."""
    if request.limited:
        return _too_many(request)
    match = selectors.find_dossier_by_token(code=code, token=request.GET.get("t", ""))
    page = match and _result_page(request, match)
    if page is None:
        form = LookupForm(initial={"code": selectors.normalize_code(code) or ""})
        return _private(
            render(request, "dossiers/lookup/invalid_link.html", {"form": form}, status=404)
        )
    return _private(page)

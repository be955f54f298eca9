"""Citizens' survey pages (no login), the desk kiosk, and the staff page of kiosk tablets.

Thin views: parse with satisfaction.forms, read with satisfaction.selectors, write with one
satisfaction.services function. Rate limits (django-ratelimit, shared cache, `block=False` +
`request.limited` -> 429 page; an empty rate switches a limit off):

- the code + phone entry, per IP and per typed code (like the dossier look-up);
- survey links: opening them per IP, sending answers per IP;
- the kiosk: answers per tablet and per IP.

Pages with a token or a code are never stored or indexed (`_private`). A survey page shows the
procedure and a date, never who the citizen is.
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from core.exceptions import ApplicationError
from dossiers.lookup import normalize_code

from . import selectors, services
from .constants import SCORE_LABELS, SCORES, ResponseSource
from .forms import EntryForm, KioskEnrollForm, KioskSurveyForm, SurveyForm
from .models import KioskDevice
from .selectors import LinkCheck, LinkState
from .tokens import (
    KIOSK_COOKIE,
    KIOSK_COOKIE_SALT,
    SOURCE_PARAM,
    source_of,
    survey_path,
)

ENTRY_IP_GROUP = "satisfaction.entry.ip"
ENTRY_CODE_GROUP = "satisfaction.entry.code"
LINK_GROUP = "satisfaction.link"
SUBMIT_GROUP = "satisfaction.submit"
KIOSK_DEVICE_GROUP = "satisfaction.kiosk.device"
KIOSK_IP_GROUP = "satisfaction.kiosk.ip"

# HTTP status of each page a survey link may lead to instead of the survey.
CLOSED_STATUS = {
    LinkState.UNKNOWN: 404,
    LinkState.EXPIRED: 410,
    LinkState.USED: 409,
    LinkState.NOT_READY: 409,
}


# --- rate limits -------------------------------------------------------------------------------
def _rate(name):
    def rate(group, request):
        return getattr(settings, name) or None

    return rate


def _typed_code(request) -> str:
    if not hasattr(request, "_survey_code"):
        request._survey_code = normalize_code(request.POST.get("code", "")) or ""
    return request._survey_code


def _entry_code_rate(group, request):
    # Malformed codes never reach the database: nothing to guess, nothing to count.
    return (settings.SATISFACTION_ENTRY_RATE_PER_CODE or None) if _typed_code(request) else None


def _entry_code_key(group, request):
    return _typed_code(request)


def _device_key(group, request):
    raw = request.COOKIES.get(KIOSK_COOKIE, "")
    return hashlib.sha256(raw.encode()).hexdigest()


def _too_many(request, limits, *, template="satisfaction/too_many.html", context=None):
    """429 with the time until the longest exceeded window ends. `limits`: (group, key, rate)."""
    waits = []
    for group, key, rate in limits:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=False)
        if usage and usage["should_limit"]:
            waits.append(max(usage["time_left"], 1))
    seconds = max(waits, default=60)
    response = render(
        request,
        template,
        {**(context or {}), "retry_after_minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return _private(response)


def _private(response):
    """Pages with a token, a code or answers: never stored by a browser or proxy, never indexed.
    The site's referrer policy (same-origin) keeps the token inside the portal."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- shared pieces -----------------------------------------------------------------------------
def _scale():
    return [(score, SCORE_LABELS[score]) for score in SCORES]


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _closed(request, check: LinkCheck):
    """The clear page of a link that cannot be answered now: unknown, expired, used, early."""
    return _private(
        render(
            request,
            "satisfaction/link_closed.html",
            {
                "state": check.state.value,
                "check": check,
                "valid_days": settings.SATISFACTION_INVITATION_VALID_DAYS,
            },
            status=CLOSED_STATUS[check.state],
        )
    )


def _unavailable(request):
    return _private(render(request, "satisfaction/unavailable.html", status=503))


# --- entry: dossier code + phone digits --------------------------------------------------------
@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(
    group=ENTRY_IP_GROUP,
    key="ip",
    rate=_rate("SATISFACTION_ENTRY_RATE_PER_IP"),
    method="POST",
    block=False,
)
@ratelimit(
    group=ENTRY_CODE_GROUP, key=_entry_code_key, rate=_entry_code_rate, method="POST", block=False
)
def entry(request):
    """Rate a dossier with its code and the last 4 digits of the phone (as on the look-up).

    A wrong code and a wrong phone get the same answer. When they match, the citizen goes on to
    the dossier's survey link (created if needed), or to the page saying why it cannot be
    answered (not ready, already rated, expired).
    """
    if request.method == "GET":
        return render(request, "satisfaction/entry.html", {"form": EntryForm()})
    if request.limited:
        return _too_many(
            request,
            [
                (ENTRY_IP_GROUP, "ip", _rate("SATISFACTION_ENTRY_RATE_PER_IP")(None, request)),
                (ENTRY_CODE_GROUP, _entry_code_key, _entry_code_rate(None, request)),
            ],
        )
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _private(render(request, "satisfaction/entry.html", {"form": form}, status=400))
    dossier = selectors.dossier_for_survey(
        code=form.cleaned_data["code"], phone_last4=form.cleaned_data["phone_last4"]
    )
    if dossier is None:
        form.add_error(
            None,
            _(
                "We found no dossier with this code and these 4 digits. Check both against "
                "your receipt slip and try again."
            ),
        )
        return _private(render(request, "satisfaction/entry.html", {"form": form}, status=404))
    check = selectors.link_state(dossier=dossier, invitation=None, answered=dossier.answered)
    if not check.is_open:
        return _closed(request, check)
    invitation = services.invitation_for_dossier(dossier=dossier)
    return redirect(survey_path(invitation.token, source=ResponseSource.LOOKUP))


# --- the survey of a dossier -------------------------------------------------------------------
@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(group=LINK_GROUP, key="ip", rate=_rate("SATISFACTION_LINK_RATE"), block=False)
@ratelimit(
    group=SUBMIT_GROUP,
    key="ip",
    rate=_rate("SATISFACTION_SUBMIT_RATE"),
    method="POST",
    block=False,
)
def survey(request, token):
    """The survey of one dossier from its invitation link (SMS, email, QR code, entry page).

    One page: each criterion with its questions (5 large buttons each), the facility checklist
    under "điều kiện tiếp đón", a comment and an expectation. Errors keep every answer. A
    second response for the dossier is refused politely.
    """
    if request.limited:
        return _too_many(
            request,
            [
                (LINK_GROUP, "ip", _rate("SATISFACTION_LINK_RATE")(None, request)),
                (SUBMIT_GROUP, "ip", _rate("SATISFACTION_SUBMIT_RATE")(None, request)),
            ],
        )
    check = selectors.invitation_check(token=token)
    if not check.is_open:
        return _closed(request, check)
    active = selectors.active_survey()
    if active is None:
        return _unavailable(request)
    context = {"check": check, "scale": _scale(), "action": request.get_full_path()}
    if request.method == "GET":
        form = SurveyForm(survey=active, initial={"source": request.GET.get(SOURCE_PARAM, "")})
        return _private(render(request, "satisfaction/survey_form.html", {**context, "form": form}))
    if request.POST.get("website"):  # the honeypot: robots are thanked and forgotten
        return redirect("satisfaction:thanks")
    form = SurveyForm(request.POST, survey=active)
    if form.is_outdated:
        form = SurveyForm(survey=active, initial={"source": request.POST.get("source", "")})
        context["page_error"] = _(
            "The survey was updated while you were answering. Please answer the new version."
        )
    elif form.is_valid():
        source = source_of(form.cleaned_data.get("source"))
        try:
            services.response_submit(
                survey=active,
                source=source,
                answers=form.to_answers(),
                dossier=check.invitation.dossier,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.AlreadyAnswered:
            return _closed(request, LinkCheck(state=LinkState.USED))
        except services.SurveyClosed as error:
            return _closed(request, LinkCheck(state=error.state))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("satisfaction:thanks")
    return _private(
        render(request, "satisfaction/survey_form.html", {**context, "form": form}, status=400)
    )


@login_not_required
@require_GET
def thanks(request):
    return render(request, "satisfaction/thanks.html")


# --- kiosk ------------------------------------------------------------------------------------
def kiosk_device_of(request) -> KioskDevice | None:
    """The enrolled tablet this browser is, from its signed cookie; None if not enrolled,
    revoked, or the cookie was tampered with."""
    try:
        token = request.get_signed_cookie(
            KIOSK_COOKIE,
            default=None,
            salt=KIOSK_COOKIE_SALT,
            max_age=settings.SATISFACTION_KIOSK_COOKIE_DAYS * 24 * 3600,
        )
    except signing.BadSignature:
        return None
    return selectors.kiosk_device_by_token(token)


def _kiosk_page(request, template, context=None, status=200):
    context = {
        "reset_seconds": settings.SATISFACTION_KIOSK_RESET_SECONDS,
        "scale": _scale(),
        **(context or {}),
    }
    return _private(render(request, template, context, status=status))


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(
    group=KIOSK_DEVICE_GROUP,
    key=_device_key,
    rate=_rate("SATISFACTION_KIOSK_RATE_PER_DEVICE"),
    method="POST",
    block=False,
)
@ratelimit(
    group=KIOSK_IP_GROUP,
    key="ip",
    rate=_rate("SATISFACTION_KIOSK_RATE_PER_IP"),
    method="POST",
    block=False,
)
def kiosk(request):
    """The survey on the desk's tablet: no login for the citizen, the tablet is enrolled by
    staff. An optional dossier code links the answers to that dossier when it may be rated;
    otherwise they count as a general response, and nothing is said about the code. After
    sending, a thank-you screen returns to an empty form by itself."""
    device = kiosk_device_of(request)
    if device is None:
        return _kiosk_page(request, "satisfaction/kiosk_not_enrolled.html", status=403)
    if request.method == "GET" and request.GET.get("cam-on") == "1":
        return _kiosk_page(request, "satisfaction/kiosk_thanks.html", {"device": device})
    active = selectors.active_survey()
    if active is None:
        return _unavailable(request)
    if request.method == "GET":
        form = KioskSurveyForm(survey=active)
        return _kiosk_page(request, "satisfaction/kiosk.html", {"form": form, "device": device})
    if request.limited:
        return _too_many(
            request,
            [
                (
                    KIOSK_DEVICE_GROUP,
                    _device_key,
                    _rate("SATISFACTION_KIOSK_RATE_PER_DEVICE")(None, request),
                ),
                (KIOSK_IP_GROUP, "ip", _rate("SATISFACTION_KIOSK_RATE_PER_IP")(None, request)),
            ],
            template="satisfaction/kiosk_too_many.html",
            context={"reset_seconds": 60},
        )
    thanked = redirect(reverse("satisfaction:kiosk") + "?cam-on=1")
    if request.POST.get("website"):
        return thanked
    form = KioskSurveyForm(request.POST, survey=active)
    if form.is_outdated:
        form = KioskSurveyForm(survey=active)
        form.add_error(
            None,
            _("The survey was updated while you were answering. Please answer the new version."),
        )
    elif form.is_valid():
        dossier = services.kiosk_dossier(kiosk=device, code=form.cleaned_data["dossier_code"])
        try:
            try:
                services.response_submit(
                    survey=active,
                    source=ResponseSource.KIOSK,
                    answers=form.to_answers(),
                    dossier=dossier,
                    kiosk=device,
                )
            except (services.AlreadyAnswered, services.SurveyClosed):
                # Rated from another way a moment ago: the answers still count, in general.
                services.response_submit(
                    survey=active,
                    source=ResponseSource.KIOSK,
                    answers=form.to_answers(),
                    kiosk=device,
                )
        except ValidationError as error:
            _add_errors(form, error)
        except services.KioskRevoked:
            return _kiosk_page(request, "satisfaction/kiosk_not_enrolled.html", status=403)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return thanked
    return _kiosk_page(
        request, "satisfaction/kiosk.html", {"form": form, "device": device}, status=400
    )


# --- staff: the desk's tablets -----------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def kiosk_devices(request):
    """The tablets of the officer's agency; enrolling the tablet the officer is using (its
    browser gets the signed cookie), and the way to open the kiosk on it."""
    user = request.user
    if not user.has_perm("satisfaction.view_kioskdevice"):
        raise PermissionDenied
    form = KioskEnrollForm(request.POST or None)
    if request.method == "POST":
        if not user.has_perm("satisfaction.enroll_kioskdevice"):
            raise PermissionDenied
        if form.is_valid():
            try:
                device, token = services.kiosk_enroll(user=user, name=form.cleaned_data["name"])
            except ValidationError as error:
                _add_errors(form, error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "This browser is now the survey tablet “%(name)s”. Open the kiosk "
                        "page on it and log out: citizens answer without logging in."
                    )
                    % {"name": device.name},
                )
                response = redirect("satisfaction:kiosk-devices")
                response.set_signed_cookie(
                    KIOSK_COOKIE,
                    token,
                    salt=KIOSK_COOKIE_SALT,
                    max_age=settings.SATISFACTION_KIOSK_COOKIE_DAYS * 24 * 3600,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
    this_device = kiosk_device_of(request)
    return render(
        request,
        "satisfaction/kioskdevice_list.html",
        {
            "form": form,
            "devices": selectors.kiosk_devices(user=user),
            "this_device_id": this_device.pk if this_device else None,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def kiosk_device_revoke(request, pk):
    """Revoke a tablet of the officer's agency: it stops taking answers at once."""
    user = request.user
    if not user.has_perm("satisfaction.enroll_kioskdevice"):
        raise PermissionDenied
    device = get_object_or_404(selectors.kiosk_devices(user=user), pk=pk)
    device = services.kiosk_revoke(user=user, device=device)
    messages.success(request, _("The tablet “%(name)s” was revoked.") % {"name": device.name})
    return redirect("satisfaction:kiosk-devices")

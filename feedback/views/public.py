"""Citizens' feedback pages (no login): send, receipt, tracking, the archive and its answers.

Thin views: parse with feedback.forms, write with one feedback.services function, read with
feedback.selectors. Rate limits per IP (django-ratelimit, shared cache, `block=False` +
`request.limited` -> 429 page): sending (FEEDBACK_SUBMIT_RATE, POSTs only), tracking links
(FEEDBACK_TRACK_RATE), helpful votes (FEEDBACK_VOTE_RATE). An empty rate switches a limit off.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from accounts.models import Agency

from .. import selectors, services
from ..forms import ArchiveSearchForm, PublicFeedbackForm
from ..tokens import receipt_path, tracking_path, tracking_url

SUBMIT_GROUP = "feedback.submit"
TRACK_GROUP = "feedback.track"
VOTE_GROUP = "feedback.vote"
VOTE_COOKIE = "pakn_votes"
VOTE_COOKIE_SALT = "feedback.votes.v1"
VOTE_COOKIE_MAX_IDS = 300
# A request larger than this is refused before its body is read (the size limit of the form).
SUBMIT_OVERHEAD_BYTES = 256 * 1024


def _submit_rate(group, request):
    return settings.FEEDBACK_SUBMIT_RATE or None


def _track_rate(group, request):
    return settings.FEEDBACK_TRACK_RATE or None


def _vote_rate(group, request):
    return settings.FEEDBACK_VOTE_RATE or None


def _private(response):
    """Pages with a code, a token or what a citizen typed: never stored, never indexed. The
    referrer policy stays the site's "same-origin": the token never leaves the portal, and
    forms on these pages still send an Origin (with "no-referrer" Chrome sends "null" and the
    CSRF check refuses the next POST)."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _too_many(request, group, rate):
    usage = get_usage(request, group=group, key="ip", rate=rate, increment=False)
    seconds = max((usage or {}).get("time_left", 60), 1)
    response = render(
        request,
        "feedback/too_many.html",
        {"retry_after_minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return _private(response)


def max_request_bytes() -> int:
    return (
        settings.FEEDBACK_ATTACHMENT_MAX_FILES * settings.FEEDBACK_ATTACHMENT_MAX_BYTES
        + SUBMIT_OVERHEAD_BYTES
    )


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _primary_agency():
    agency = Agency.objects.primary()
    if agency is None:
        raise Http404
    return agency


# --- send --------------------------------------------------------------------------------
@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(group=SUBMIT_GROUP, key="ip", rate=_submit_rate, method="POST", block=False)
def submit(request):
    """The public form (Art. 7 fields); on success, redirect to the receipt page."""
    context = {"max_files": settings.FEEDBACK_ATTACHMENT_MAX_FILES}
    if request.method == "GET":
        initial = {}
        procedure = request.GET.get("thu-tuc", "")
        if procedure.isdigit() and len(procedure) < 10:
            initial["procedure"] = int(procedure)
        form = PublicFeedbackForm(initial=initial)
        return render(request, "feedback/feedback_form.html", {**context, "form": form})
    if request.limited:
        return _too_many(request, SUBMIT_GROUP, _submit_rate(None, request))
    if _content_length(request) > max_request_bytes():
        context["page_error"] = _(
            "What you sent is too large (maximum %(mb)s MB in all). Attach fewer or smaller files."
        ) % {"mb": max_request_bytes() // (1024 * 1024)}
        form = PublicFeedbackForm()
        return _private(
            render(request, "feedback/feedback_form.html", {**context, "form": form}, status=413)
        )
    form = PublicFeedbackForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            feedback = services.feedback_submit(agency=_primary_agency(), data=form.to_input())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect(receipt_path(feedback.code))
    if form.files:
        form.add_error(None, _("For your security, choose your files again before sending."))
    return _private(
        render(request, "feedback/feedback_form.html", {**context, "form": form}, status=400)
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@login_not_required
@require_GET
@ratelimit(group=TRACK_GROUP, key="ip", rate=_track_rate, block=False)
def submitted(request, code):
    """The receipt: code, register number and tracking link (only with the token)."""
    if request.limited:
        return _too_many(request, TRACK_GROUP, _track_rate(None, request))
    token = request.GET.get("t", "")
    item = selectors.track(code=code, token=token)
    if item is None:
        return _private(render(request, "feedback/invalid_link.html", status=404))
    return _private(
        render(
            request,
            "feedback/feedback_submitted.html",
            {
                "item": item,
                "tracking_url": tracking_url(item.code),
                "tracking_path": tracking_path(item.code),
            },
        )
    )


@login_not_required
@require_GET
@ratelimit(group=TRACK_GROUP, key="ip", rate=_track_rate, block=False)
def track(request, code, token):
    """Status of an item from its signed link: status and dates, never personal data."""
    if request.limited:
        return _too_many(request, TRACK_GROUP, _track_rate(None, request))
    item = selectors.track(code=code, token=token)
    if item is None:
        return _private(render(request, "feedback/invalid_link.html", status=404))
    return _private(render(request, "feedback/feedback_track.html", {"item": item}))


# --- archive -------------------------------------------------------------------------------
@login_not_required
@require_GET
def archive(request):
    """Published answers (Art. 19(1)): search with or without diacritics, filter by procedure
    and field, paginate (bounded: selectors.ARCHIVE_MAX_PAGE)."""
    form = ArchiveSearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    status = 200 if not form.is_bound or form.is_valid() else 400
    page = selectors.archive_search(
        query=params.get("q") or "",
        procedure_code=(params.get("thu_tuc") or "").strip(),
        field_id=params.get("linh_vuc"),
        page=params.get("page") or 1,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/archive.html",
        {
            "form": form,
            "page": page,
            "filters": selectors.archive_filters(),
            "query_string": query.urlencode(),
            "is_filtered": any(params.get(k) for k in ("q", "thu_tuc", "linh_vuc")),
        },
        status=status,
    )


def _voted_ids(request) -> list[int]:
    try:
        raw = request.get_signed_cookie(VOTE_COOKIE, default="", salt=VOTE_COOKIE_SALT)
    except signing.BadSignature:
        return []
    return [int(part) for part in raw.split(".") if part.isdigit()][-VOTE_COOKIE_MAX_IDS:]


@login_not_required
@require_GET
def answer(request, pk):
    item = selectors.archive_answer(pk=pk)
    if item is None:
        raise Http404
    return render(
        request,
        "feedback/answer_detail.html",
        {
            "item": item,
            "has_voted": pk in _voted_ids(request),
            "thanks": request.GET.get("cam-on") == "1",
        },
    )


@login_not_required
@require_POST
@ratelimit(group=VOTE_GROUP, key="ip", rate=_vote_rate, block=False)
def vote(request, pk):
    """Helpful / not helpful (one per browser: a signed cookie of the answers voted on)."""
    if request.limited:
        return _too_many(request, VOTE_GROUP, _vote_rate(None, request))
    choice = request.POST.get("helpful")
    if choice not in ("1", "0"):
        return redirect("feedback:answer", pk=pk)
    voted = _voted_ids(request)
    if pk not in voted:
        if not services.feedback_mark_helpful(feedback_id=pk, helpful=choice == "1"):
            raise Http404
        voted.append(pk)
    response = redirect(reverse("feedback:answer", kwargs={"pk": pk}) + "?cam-on=1#vote")
    response.set_signed_cookie(
        VOTE_COOKIE,
        ".".join(str(i) for i in voted[-VOTE_COOKIE_MAX_IDS:]),
        salt=VOTE_COOKIE_SALT,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response

"""Explanations of late dossiers (giải trình): the task list and the explanation page.

Officers see and write their own; leaders see every explanation of their agency, accept or
return them, and may write one on an officer's behalf (dossiers.permissions). Thin views: read
with dossiers.selectors, write with one dossiers.services function, render. Bad input comes
back next to the field with everything typed kept (status 400); an explanation the user may
not see is 404; a move the user's role does not allow is 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from core.calendar import get_calendar
from core.exceptions import ApplicationError

from .. import selectors, services
from ..constants import ExplanationStatus
from ..forms import ExplanationForm, ExplanationReviewForm
from ..permissions import can_review_explanation, can_submit_explanation, can_view

PAGE_SIZE = 25
SUBMIT, ACCEPT, RETURN = "submit", "accept", "return"


@require_GET
def explanation_list(request):
    """Officers: the explanations they must write, with the deadlines. Leaders: every
    explanation of the agency, by state."""
    user = request.user
    if not user.has_perm("dossiers.view_dossierexplanation"):
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status and status not in selectors.EXPLANATION_FILTERS:
        messages.warning(request, _("Unknown state filter ignored."))
    listing = selectors.explanation_list_page(
        user=user, status=status, page_number=request.GET.get("page"), page_size=PAGE_SIZE
    )
    filters = [
        ("", _("All"), listing.counts["total"]),
        ("open", _("To be written"), listing.counts["open"]),
        (
            ExplanationStatus.SUBMITTED,
            _("Waiting for review"),
            listing.counts[ExplanationStatus.SUBMITTED],
        ),
        (
            ExplanationStatus.RETURNED,
            _("Returned for changes"),
            listing.counts[ExplanationStatus.RETURNED],
        ),
        (
            ExplanationStatus.ACCEPTED,
            pgettext("explanation", "Accepted"),
            listing.counts[ExplanationStatus.ACCEPTED],
        ),
    ]
    return render(
        request,
        "dossiers/explanation_list.html",
        {
            "listing": listing,
            "page_obj": listing.page,
            "rows": listing.rows,
            "counts": listing.counts,
            "filters": filters,
            "status": listing.status,
            "querystring": urlencode({"status": listing.status}) if listing.status else "",
            "is_reviewer": user.has_perm("dossiers.review_dossierexplanation"),
        },
    )


def _perform(action, explanation, user, data):
    if action == SUBMIT:
        services.explanation_submit(
            explanation=explanation,
            user=user,
            reason_category=data["reason_category"],
            text=data["text"],
            remedy=data["remedy"],
        )
        return _("Explanation sent to the leaders for review.")
    if action == ACCEPT:
        services.explanation_accept(explanation=explanation, user=user, note=data["note"])
        return _("Explanation accepted.")
    services.explanation_return(explanation=explanation, user=user, note=data["note"])
    return _("Explanation returned to the officer for changes.")


@require_http_methods(["GET", "POST"])
def explanation_detail(request, pk):
    """The explanation page: the dossier's delay, the text, the form to write it (officer, or
    a leader on the officer's behalf), the accept / return buttons (leaders), the history.

    POST `action` = submit | accept | return; the forms post to this page.
    """
    user = request.user
    failed_form, failed_action, status = None, None, 200
    if request.method == "POST":
        explanation = selectors.explanation_for_action(user=user, pk=pk)
        action = request.POST.get("action", "")
        if action not in (SUBMIT, ACCEPT, RETURN):
            messages.error(request, _("Choose what to do with the explanation."))
            return redirect(explanation)
        form_class = ExplanationForm if action == SUBMIT else ExplanationReviewForm
        form = form_class(request.POST)
        if form.is_valid():
            try:
                success = _perform(action, explanation, user, form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, success)
                return redirect(explanation)
        failed_form, failed_action, status = form, action, 400
    explanation = selectors.explanation_detail(user=user, pk=pk)
    dossier = explanation.dossier
    may_write = explanation.is_open and can_submit_explanation(user, explanation)
    may_review = explanation.status == ExplanationStatus.SUBMITTED and can_review_explanation(
        user, explanation
    )
    write_form = review_form = None
    if may_write:
        write_form = (
            failed_form
            if failed_action == SUBMIT
            else ExplanationForm(
                initial={
                    "reason_category": explanation.reason_category,
                    "text": explanation.text,
                    "remedy": explanation.remedy,
                }
            )
        )
        if explanation.officer_id == user.pk or failed_action == SUBMIT:
            _focus_first(write_form)
    if may_review:
        review_form = failed_form if failed_action in (ACCEPT, RETURN) else ExplanationReviewForm()
        if failed_action in (ACCEPT, RETURN):
            _focus_first(review_form)
    if failed_form is not None and failed_form not in (write_form, review_form):
        # The form is no longer offered (someone moved the explanation on): say why up top.
        for errors in failed_form.errors.values():
            for error in errors:
                messages.error(request, error)
    now = timezone.now()
    return render(
        request,
        "dossiers/explanation_detail.html",
        {
            "explanation": explanation,
            "dossier": dossier,
            "lateness": selectors.lateness_of(dossier, calendar=get_calendar(), now=now),
            "is_past_deadline": explanation.is_open and explanation.explain_by < now,
            "write_form": write_form,
            "review_form": review_form,
            "on_behalf": may_write and explanation.officer_id != user.pk,
            "failed_action": failed_action,
            "is_own_for_review": (
                explanation.status == ExplanationStatus.SUBMITTED
                and explanation.officer_id == user.pk
                and user.has_perm("dossiers.review_dossierexplanation")
            ),
            "can_open_dossier": can_view(user, dossier),
        },
        status=status,
    )


def _focus_first(form) -> None:
    """The cursor goes to the first field in error, else to the first field."""
    names = [name for name in form.errors if name in form.fields] or list(form.fields)
    form.fields[names[0]].widget.attrs["autofocus"] = True

"""Staff screens of the satisfaction index and follow-ups (leadership side, issue 7).

- `index`: the satisfaction index for a period (per criterion, by procedure, by officer, by
  month, the facility checklist, the expectations, the 766 5.4 estimate) and `index_export`,
  the same figures as an Excel workbook. Leaders (`satisfaction.view_response`) see the whole
  office; other staff who work on dossiers see the responses that rate them, nothing else.
- `followup_list` / `followup_detail` / `followup_action`: the follow-ups opened by low scores
  and complaints; leaders (`satisfaction.close_followup`) note what was done, close, reopen.

Thin views: parse with satisfaction.forms_index, read with satisfaction.selectors, write with
one satisfaction.services function. Bad filters give a Vietnamese message, never a 500;
follow-ups of another office are 404 like missing ones.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.charts import Series, bar_chart, line_chart
from core.exceptions import ApplicationError

from . import exports, selectors, services
from .constants import SCORE_LABELS
from .forms_index import FollowUpFilterForm, FollowUpTextForm, IndexFilterForm

FOLLOWUP_PAGE_SIZE = 25


# --- index -------------------------------------------------------------------------------------
def _scope(request) -> selectors.IndexScope:
    try:
        return selectors.index_scope(user=request.user)
    except selectors.IndexForbidden:
        raise PermissionDenied from None


def _filter_form(request, scope) -> IndexFilterForm:
    form = IndexFilterForm(
        request.GET or None,
        procedures=selectors.index_procedures(agency_id=scope.agency_id),
        officers=selectors.index_officers(agency_id=scope.agency_id) if scope.sees_all else None,
        today=timezone.localdate(),
    )
    form.is_valid()
    return form


def _report(form, scope, *, expectation_limit=None) -> selectors.IndexReport:
    filters = form.filters()
    return selectors.index_report(
        scope=scope,
        start_day=filters.start_day,
        end_day=filters.end_day,
        procedure_id=filters.procedure_id,
        officer_id=filters.officer_id,
        expectation_limit=expectation_limit,
    )


def _charts(report: selectors.IndexReport) -> dict:
    return {
        "criteria_chart": bar_chart(
            title=_("Satisfied answers (scored 4-5) by criterion"),
            rows=[(c.label, c.share) for c in report.index.criteria],
            max_value=100,
            value_suffix="%",
        ),
        "trend_chart": line_chart(
            title=_("Overall satisfaction index by month"),
            labels=[group.label for group in report.trend],
            series=[Series(_("Overall index"), [g.index.overall for g in report.trend])],
            y_max=100,
            y_suffix="%",
        ),
    }


def _render_index(request, form, scope, *, status=200):
    report = _report(form, scope)
    query = urlencode([(k, v) for k, v in request.GET.items() if v and k in form.fields])
    context = {
        "form": form,
        "report": report,
        "criteria": report.index.criteria,
        "export_url": reverse("satisfaction:index-export") + (f"?{query}" if query else ""),
        "followup_counts": selectors.followup_counts(user=request.user)
        if request.user.has_perm("satisfaction.view_followup")
        else None,
        **_charts(report),
    }
    return render(request, "satisfaction/index.html", context, status=status)


def _filter_lines(form, report: selectors.IndexReport) -> list[str]:
    """The filters applied, in words, for the workbook (names from the form's choices)."""
    lines = []
    if report.procedure_id is not None:
        names = dict(form.fields["procedure"].choices)
        lines.append(_("Procedure: %(name)s") % {"name": names.get(str(report.procedure_id))})
    if not report.scope.sees_all:
        lines.append(_("Only the responses that rate you."))
    elif report.officer_id is not None:
        names = dict(form.fields["officer"].choices)
        lines.append(_("Officer: %(name)s") % {"name": names.get(str(report.officer_id))})
    return lines


@require_GET
def index(request):
    """The satisfaction index of a period (default: the last 12 months)."""
    scope = _scope(request)
    form = _filter_form(request, scope)
    return _render_index(request, form, scope, status=400 if form.errors else 200)


@require_GET
def index_export(request):
    """The index page's figures as an .xlsx workbook (same filters, same scope)."""
    scope = _scope(request)
    form = _filter_form(request, scope)
    if form.errors:
        return _render_index(request, form, scope, status=400)
    report = _report(form, scope, expectation_limit=exports.MAX_EXPECTATIONS)
    output = exports.index_workbook(report=report, filters=_filter_lines(form, report))
    response = FileResponse(
        output,
        as_attachment=True,
        filename=exports.index_filename(report),
        content_type=exports.XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- follow-ups --------------------------------------------------------------------------------
def _require_followups(request):
    if not request.user.has_perm("satisfaction.view_followup"):
        raise PermissionDenied
    agency_id = selectors.user_agency_id(request.user)
    if agency_id is None:
        raise PermissionDenied
    return agency_id


@require_GET
def followup_list(request):
    """Follow-ups of the office: open first, filters by status, procedure, officer, criterion."""
    agency_id = _require_followups(request)
    form = FollowUpFilterForm(
        request.GET or None,
        procedures=selectors.index_procedures(agency_id=agency_id),
        officers=selectors.index_officers(agency_id=agency_id),
        criteria=list(selectors.criteria_labels().items()),
    )
    data = form.valid_data()
    filters = selectors.FollowUpFilters(
        status=data.get("status") or "",
        procedure_id=data.get("procedure"),
        officer_id=data.get("officer"),
        criterion=data.get("criterion") or "",
    )
    paginator = Paginator(
        selectors.followup_list(user=request.user, filters=filters), FOLLOWUP_PAGE_SIZE
    )
    page = paginator.get_page(data.get("page") or 1)
    rows = [(item, selectors.followup_reason_summary(item)) for item in page.object_list]
    kept = [(k, v) for k, v in request.GET.items() if v and k != "page" and k in form.fields]
    return render(
        request,
        "satisfaction/followup_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": selectors.followup_counts(user=request.user),
            "querystring": urlencode(kept),
            "is_filtered": bool(kept),
        },
        status=400 if form.errors else 200,
    )


ACTIONS = {
    # URL slug: (action, offered while the follow-up is open (True) or closed (False))
    "ghi-nhan": ("note", True),
    "dong": ("close", True),
    "mo-lai": ("reopen", False),
}

ACTION_LABELS = {
    "note": gettext_lazy("What was done"),
    "close": gettext_lazy("Action taken (required to close)"),
    "reopen": gettext_lazy("Why reopen"),
}


def _action_forms(followup, *, failed=None, failed_form=None) -> dict:
    forms = {}
    for slug, (name, when_open) in ACTIONS.items():
        if slug == failed:
            forms[name] = failed_form
        elif when_open == followup.is_open:
            forms[name] = FollowUpTextForm(prefix=name, label=ACTION_LABELS[name])
    return forms


def _render_detail(request, followup, *, failed=None, failed_form=None, status=200):
    response = followup.response
    answers = [
        {
            "criterion": answer.question.criterion.label,
            "question": answer.question.text,
            "score": answer.score,
            "score_label": SCORE_LABELS.get(answer.score, ""),
            "is_low": answer.score <= settings.SATISFACTION_LOW_SCORE,
        }
        for answer in response.answers.all()
    ]
    may_act = request.user.has_perm("satisfaction.close_followup")
    return render(
        request,
        "satisfaction/followup_detail.html",
        {
            "followup": followup,
            "response": response,
            "answers": answers,
            "reasons": selectors.followup_reason_summary(followup),
            "forms": _action_forms(followup, failed=failed, failed_form=failed_form)
            if may_act
            else {},
            "dossier_url": reverse("dossiers:dossier-detail", args=[response.dossier.code])
            if response.dossier_id and request.user.has_perm("dossiers.view_dossier")
            else "",
        },
        status=status,
    )


@require_GET
def followup_detail(request, pk):
    _require_followups(request)
    followup = selectors.followup_detail(user=request.user, pk=pk)
    return _render_detail(request, followup)


@require_POST
def followup_action(request, pk, action):
    """Record a note, close with the action taken, or reopen (each needs its text)."""
    if action not in ACTIONS:
        raise Http404
    _require_followups(request)
    if not request.user.has_perm("satisfaction.close_followup"):
        raise PermissionDenied
    followup = selectors.followup_detail(user=request.user, pk=pk)
    name, _when_open = ACTIONS[action]
    form = FollowUpTextForm(request.POST, prefix=name, label=ACTION_LABELS[name])
    if form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if name == "note":
                services.followup_record_action(follow_up=followup, user=request.user, note=text)
                message = _("Your note was added to the follow-up.")
            elif name == "close":
                services.followup_close(follow_up=followup, user=request.user, action_taken=text)
                message = _("The follow-up is closed.")
            else:
                services.followup_reopen(follow_up=followup, user=request.user, reason=text)
                message = _("The follow-up is open again.")
        except ApplicationError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, message)
            return redirect("satisfaction:followup-detail", pk=followup.pk)
    followup = selectors.followup_detail(user=request.user, pk=pk)
    return _render_detail(request, followup, failed=action, failed_form=form, status=400)

"""Desk and specialist screens: intake, list, dossier page and its actions, scans.

Thin views: parse with dossiers.forms / dossiers.filters, read with dossiers.selectors, write
with exactly one dossiers.services function, render. Domain errors (ApplicationError) are shown
next to the form that caused them, with everything typed kept. Dossiers the user may not see
are 404, like missing ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.calendar import TimeUnit, get_calendar
from core.exceptions import ApplicationError

from .. import selectors, services
from ..forms import (
    AssignForm,
    AttachmentForm,
    ConfirmForm,
    IntakeForm,
    NoteForm,
    Outcome,
    PaymentForm,
    ReasonForm,
    RescheduleForm,
    ResolveForm,
    SupplementForm,
    clean_text,
)
from ..permissions import can_act, can_view_explanation
from ..rules import Slip
from ..workflow import TRANSITIONS, Action, actions_for

PAGE_SIZE = 25
PICKER_LIMIT = 20
ATTACH = "attach"


def _processing_time(amount, unit) -> str:
    text = f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {TimeUnit(unit).label}"


# --- intake ----------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@permission_required("dossiers.receive_dossier", raise_exception=True)
def dossier_intake(request):
    """Receive a dossier at the desk: accept (receipt), refuse (refusal slip) or incomplete
    (guidance slip). GET ?procedure=<id> shows that procedure's components checklist."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("procedure")
    procedure = selectors.intake_procedure(user=user, pk=chosen) if chosen else None
    if chosen and procedure is None:
        messages.warning(request, _("That procedure cannot be received here; choose another one."))
    if request.method == "POST" and procedure is None:
        if not chosen:
            messages.warning(request, _("Choose the procedure first."))
        return redirect("dossiers:dossier-intake")
    form = None
    status = 200
    if procedure is not None:
        if request.method == "POST":
            form = IntakeForm(request.POST, procedure=procedure)
            response = _intake_submit(request, form) if form.is_valid() else None
            if response is not None:
                return response
            _focus_first_error(form)
            status = 400
        else:
            form = IntakeForm(procedure=procedure)
    calendar = get_calendar()
    due_preview = (
        calendar.due_at(
            timezone.now(),
            procedure.processing_time_amount,
            procedure.processing_time_unit,
            cutoff=procedure.receipt_cutoff,
        )
        if procedure is not None
        else None
    )
    return render(
        request,
        "dossiers/dossier_intake.html",
        {
            "procedure": procedure,
            "procedures": selectors.intake_procedures(user=user).only("pk", "code", "name"),
            "form": form,
            "due_preview": due_preview,
            "processing_time": (
                _processing_time(procedure.processing_time_amount, procedure.processing_time_unit)
                if procedure
                else ""
            ),
            "outcomes": Outcome,
        },
        status=status,
    )


def _intake_submit(request, form: IntakeForm):
    """Call the one service of the chosen outcome; None when it refused the input."""
    user = request.user
    procedure = form.procedure
    data = form.cleaned_data
    try:
        if form.outcome_value == Outcome.REFUSE:
            dossier = services.dossier_refuse_at_intake(
                procedure=procedure,
                applicant=form.applicant(),
                reason=data["reason"],
                user=user,
                channel=data["channel"],
            )
            messages.success(
                request, _("Dossier %(code)s recorded as refused.") % {"code": dossier.code}
            )
            return _print_redirect("dossiers:dossier-slip", dossier.code, Slip.REFUSAL)
        if form.outcome_value == Outcome.INCOMPLETE:
            guidance = services.intake_guidance_issue(
                procedure=procedure,
                applicant_name=data["applicant_name"],
                items=form.missing(),
                reason=data["reason"],
                user=user,
                applicant_phone=data.get("applicant_phone", ""),
                applicant_address=data.get("applicant_address", ""),
            )
            messages.success(
                request, _("Guidance slip %(number)s issued.") % {"number": guidance.number}
            )
            return _print_redirect("dossiers:guidance-slip", guidance.pk)
        dossier = services.dossier_register(
            procedure=procedure,
            applicant=form.applicant(),
            documents=form.documents(),
            user=user,
            channel=data["channel"],
            set_count=data["set_count"],
            note=data.get("note", ""),
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    except ApplicationError as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, _("Dossier %(code)s accepted.") % {"code": dossier.code})
    return _print_redirect("dossiers:dossier-slip", dossier.code, Slip.RECEIPT)


def _print_redirect(name, *args):
    return redirect(f"{reverse(name, args=args)}?print=1")


@require_GET
def procedure_picker(request):
    """JSON for the intake picker: published procedures of the desk matching `?q=`, ignoring
    case and diacritics (“dang ky” finds “Đăng ký”)."""
    if not request.user.has_perm("dossiers.receive_dossier"):
        raise PermissionDenied
    query = clean_text(request.GET.get("q", ""))[:200]
    procedures = selectors.intake_procedures(user=request.user)
    if query:
        procedures = procedures.search(query)
    rows = procedures.values(
        "pk", "code", "name", "version", "processing_time_amount", "processing_time_unit"
    )[:PICKER_LIMIT]
    return JsonResponse(
        {
            "results": [
                {
                    "id": row["pk"],
                    "code": row["code"],
                    "name": row["name"],
                    "version": row["version"],
                    "processing_time": _processing_time(
                        row["processing_time_amount"], row["processing_time_unit"]
                    ),
                }
                for row in rows
            ]
        }
    )


# --- list ------------------------------------------------------------------------------------
@require_GET
def dossier_list(request):
    """Dossiers the user may see, most urgent first, with filters and counts."""
    user = request.user
    if not user.has_perm("dossiers.view_dossier"):
        raise PermissionDenied
    listing = selectors.dossier_list_page(
        user=user, filters=request.GET, page_number=request.GET.get("page"), page_size=PAGE_SIZE
    )
    for message in listing.filterset.ignored_messages():
        messages.warning(request, _("Filter ignored: %(message)s") % {"message": message})
    kept = [(k, v) for k, v in request.GET.lists() if k != "page"]
    querystring = urlencode([(k, v) for k, values in kept for v in values if v])
    return render(
        request,
        "dossiers/dossier_list.html",
        {
            "filter": listing.filterset,
            "page_obj": listing.page,
            "dossiers": listing.rows,
            "counts": listing.counts,
            "querystring": querystring,
            "is_filtered": bool(querystring),
        },
    )


# --- the dossier page ------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionSpec:
    form_class: type
    perform: Callable
    success: str
    style: str = "primary"


def _assign(dossier, user, data):
    services.dossier_assign(dossier=dossier, handler=data["handler"], user=user, note=data["note"])


def _pause(dossier, user, data, *, kind):
    services.dossier_request_supplement(
        dossier=dossier,
        user=user,
        items=data.get("items", []),
        reason=data["reason"],
        legal_basis=data.get("legal_basis", ""),
        kind=kind,
    )


def _reschedule(dossier, user, data):
    calendar = get_calendar()
    services.dossier_reschedule(
        dossier=dossier,
        user=user,
        reason=data["reason"],
        new_due_at=calendar.end_of_day(data["new_due_on"]),
        signed_by=data.get("signed_by", ""),
    )


def _resolve(dossier, user, data):
    services.dossier_resolve(
        dossier=dossier,
        user=user,
        result_summary=data.get("result_summary", ""),
        result_file=data.get("result_file") or None,
    )


ACTIONS: dict[str, ActionSpec] = {
    Action.ASSIGN: ActionSpec(AssignForm, _assign, gettext_lazy("The dossier was assigned.")),
    Action.REQUEST_SUPPLEMENT: ActionSpec(
        SupplementForm,
        lambda d, u, data: _pause(d, u, data, kind=SupplementForm.kind),
        gettext_lazy("Additional documents requested; the clock is paused."),
    ),
    Action.REQUEST_PAYMENT: ActionSpec(
        PaymentForm,
        lambda d, u, data: _pause(d, u, data, kind=PaymentForm.kind),
        gettext_lazy("Fee payment requested; the clock is paused."),
    ),
    Action.RESUME: ActionSpec(
        NoteForm,
        lambda d, u, data: services.dossier_resume(dossier=d, user=u, note=data["note"]),
        gettext_lazy("Processing resumed; the due date moved by the paused time."),
    ),
    Action.RESCHEDULE: ActionSpec(
        RescheduleForm, _reschedule, gettext_lazy("Apology recorded with the new appointment.")
    ),
    Action.RESOLVE: ActionSpec(ResolveForm, _resolve, gettext_lazy("The result is ready.")),
    Action.RECORD_PAPER_RESULT: ActionSpec(
        ConfirmForm,
        lambda d, u, data: services.dossier_record_paper_result(dossier=d, user=u),
        gettext_lazy("The paper result was recorded at the desk."),
    ),
    Action.RETURN_RESULT: ActionSpec(
        NoteForm,
        lambda d, u, data: services.dossier_return_result(dossier=d, user=u, note=data["note"]),
        gettext_lazy("The result was returned to the applicant."),
    ),
    Action.STOP: ActionSpec(
        ReasonForm,
        lambda d, u, data: services.dossier_stop(dossier=d, user=u, reason=data["reason"]),
        gettext_lazy("Processing was stopped."),
        style="danger",
    ),
    Action.WITHDRAW: ActionSpec(
        ReasonForm,
        lambda d, u, data: services.dossier_withdraw(dossier=d, user=u, reason=data["reason"]),
        gettext_lazy("The dossier was withdrawn."),
        style="danger",
    ),
}


def _attach(dossier, user, data):
    services.dossier_attach(dossier=dossier, user=user, uploaded_file=data["file"])


def _may(user, dossier, action: str) -> bool:
    """Whether `action` is offered to `user` on `dossier` now (permission, row, status)."""
    if action == ATTACH:
        return user.has_perm("dossiers.receive_dossier") or can_act(user, dossier)
    if action not in ACTIONS or dossier.status not in TRANSITIONS[action].sources:
        return False
    if not user.has_perm(TRANSITIONS[action].permission) or not can_act(user, dossier):
        return False
    if action == Action.RECORD_PAPER_RESULT:
        return dossier.paper_result_received_at is None
    return True


def _form_kwargs(action: str, dossier) -> dict:
    kwargs = {"prefix": action, "dossier": dossier}
    if action == Action.ASSIGN:
        kwargs["officers"] = selectors.assignable_officers(agency_id=dossier.agency_id)
    return kwargs


def _focus_first_error(form) -> None:
    """Put the cursor in the first field in error when the page comes back."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["autofocus"] = True
            return


def _render_detail(request, dossier, *, failed=None, failed_form=None, status=200):
    if failed_form is not None:
        _focus_first_error(failed_form)
    overview = selectors.dossier_overview(dossier)
    actions = []
    for action in actions_for(dossier.status):
        if not _may(request.user, dossier, action):
            continue
        if action == Action.RESCHEDULE and not overview.can_reschedule_again:
            continue
        spec = ACTIONS[action]
        form = failed_form if action == failed else spec.form_class(**_form_kwargs(action, dossier))
        actions.append(
            {
                "slug": action,
                "label": Action(action).label,
                "form": form,
                "is_open": action == failed,
                "style": spec.style,
                "multipart": any(f.widget.needs_multipart_form for f in form.fields.values()),
            }
        )
    attach_form = None
    if _may(request.user, dossier, ATTACH):
        attach_form = failed_form if failed == ATTACH else AttachmentForm(prefix=ATTACH)
    shown = {a["slug"] for a in actions} | ({ATTACH} if attach_form is not None else set())
    if failed is not None and failed not in shown:
        # The action is no longer offered (e.g. rescheduled once already): say why up top.
        for errors in failed_form.errors.values():
            for error in errors:
                messages.error(request, error)
        failed = None
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            "dossier": dossier,
            "overview": overview,
            "actions": actions,
            "attach_form": attach_form,
            "failed": failed,
            "can_download": request.user.has_perm("dossiers.view_dossier_attachment"),
            "can_open_explanation": overview.explanation is not None
            and can_view_explanation(request.user, overview.explanation),
        },
        status=status,
    )


@require_GET
def dossier_detail(request, code):
    dossier = selectors.dossier_detail(user=request.user, code=code)
    return _render_detail(request, dossier)


@require_POST
def dossier_action(request, code, action):
    """Run one action on the dossier, then back to its page with a message.

    Unknown action: 404. Dossier not visible: 404. Action not offered to this user: 404 (the
    services say the same). Bad input or a broken rule: the page again, the input kept.
    """
    if action != ATTACH and action not in ACTIONS:
        raise Http404
    user = request.user
    dossier = selectors.dossier_for_action(user=user, code=code)
    if action == ATTACH:
        if not _may(user, dossier, ATTACH):
            raise Http404
        form = AttachmentForm(request.POST, request.FILES, prefix=ATTACH, dossier=dossier)
        perform = _attach
        success = _("The scan was attached.")
    else:
        transition = TRANSITIONS[action]
        if not user.has_perm(transition.permission) or not can_act(user, dossier):
            raise Http404
        if not _may(user, dossier, action):
            # The page was stale: someone moved the dossier on since it was shown.
            messages.error(
                request,
                _("This action is not possible while the dossier is “%(status)s”.")
                % {"status": dossier.get_status_display()},
            )
            return redirect(dossier)
        spec = ACTIONS[action]
        form = spec.form_class(request.POST, request.FILES, **_form_kwargs(action, dossier))
        perform, success = spec.perform, str(spec.success)
    if form.is_valid():
        try:
            perform(dossier, user, form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, success)
            return redirect(dossier)
    dossier = selectors.dossier_detail(user=user, code=code)
    form.dossier = dossier
    return _render_detail(request, dossier, failed=action, failed_form=form, status=400)


@require_GET
def attachment_download(request, pk):
    """A scan, as a download, for staff with `dossiers.view_dossier_attachment` who may see
    its dossier; 404 for everyone else."""
    attachment = selectors.attachment_for_download(user=request.user, pk=pk)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response

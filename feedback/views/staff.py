"""Staff screens: the register, intake of phone/desk/post feedback, the item page with its
actions, the reply letter (HTML and PDF), attachments, figures.

Thin views: parse with feedback.forms, read with feedback.selectors, write with exactly one
feedback.services function. Items the user may not see are 404, like missing ones; errors of
the rules (ApplicationError, ValidationError) are shown next to the form that caused them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Agency
from core.exceptions import ApplicationError

from .. import selectors, services
from ..constants import Classification
from ..forms import (
    AnswerForm,
    AssignForm,
    ClassifyForm,
    ForwardForm,
    IntakeForm,
    NoteForm,
    PublishForm,
    RegisterFilterForm,
)
from ..letters import reply_letter_context
from ..models import FeedbackAttachment
from ..permissions import FeedbackNotFound, can_act, visible_feedback
from ..workflow import Action, actions_for

PAGE_SIZE = 25


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- register ------------------------------------------------------------------------------
@require_GET
@permission_required("feedback.view_feedback", raise_exception=True)
def register(request):
    """The register (sổ tiếp nhận): filters, overdue flags, paginated (bounded queries)."""
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    queryset = selectors.feedback_register(user=request.user, filters=filters, now=now)
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(filters.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/feedback_list.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.register_counts(user=request.user, now=now),
            "query_string": query.urlencode(),
            "is_filtered": any(v for k, v in filters.items() if k != "page"),
        },
    )


# --- intake --------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@permission_required("feedback.receive_feedback", raise_exception=True)
def intake(request):
    """Register feedback taken by phone (transcribed), at the desk or by post."""
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid():
            agency = _agency_of(request.user)
            try:
                feedback = services.feedback_submit(
                    agency=agency,
                    data=form.to_input(),
                    channel=form.cleaned_data["channel"],
                    received_by=request.user,
                    received_at=form.cleaned_data.get("received_at"),
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Registered as number %(number)s, receipt code %(code)s.")
                    % {"number": feedback.register_label, "code": feedback.code},
                )
                return redirect(feedback.get_absolute_url())
        status = 400
    else:
        form = IntakeForm()
        status = 200
    return render(request, "feedback/feedback_intake.html", {"form": form}, status=status)


def _agency_of(user):
    department = getattr(user, "department", None)
    if department is not None:
        return department.agency
    agency = Agency.objects.primary()
    if agency is None:
        raise Http404
    return agency


# --- item page and actions -----------------------------------------------------------------
ACTION_FORMS = {
    Action.REQUEST_INFO: NoteForm,
    Action.RECEIVE_INFO: NoteForm,
    Action.CLASSIFY: ClassifyForm,
    Action.FORWARD: ForwardForm,
    Action.ASSIGN: AssignForm,
    Action.ANSWER: AnswerForm,
    Action.PUBLISH: PublishForm,
    Action.UNPUBLISH: NoteForm,
}


def _form_for(action, feedback, data=None):
    form_class = ACTION_FORMS[action]
    kwargs = {"prefix": action}
    if action == Action.ASSIGN:
        kwargs["officers"] = selectors.assignable_officers(feedback=feedback)
        kwargs["initial"] = {"officer": feedback.assigned_to_id}
    elif action == Action.PUBLISH:
        kwargs["initial"] = {
            "public_question": feedback.public_question or feedback.content,
            "public_answer": feedback.public_answer or feedback.answer_text,
        }
    elif action == Action.FORWARD:
        kwargs["initial"] = {"competent_body": feedback.competent_body}
    return form_class(data, **kwargs)


def _detail(request, feedback, *, forms=None, status=200):
    forms = forms or {}
    available = (
        actions_for(feedback.status, request.user) if can_act(request.user, feedback) else []
    )
    action_forms = [
        (action, Action(action).label, forms.get(action) or _form_for(action, feedback))
        for action in available
    ]
    return render(
        request,
        "feedback/feedback_detail.html",
        {
            "feedback": feedback,
            "action_forms": action_forms,
            "is_overdue": feedback.is_open
            and feedback.due_at is not None
            and feedback.due_at < timezone.now(),
            "not_accepted": Classification.NOT_ACCEPTED,
        },
        status=status,
    )


@require_GET
@permission_required("feedback.view_feedback", raise_exception=True)
def detail(request, code):
    feedback = selectors.feedback_for_staff(user=request.user, code=code)
    return _detail(request, feedback)


def _run(action, feedback, user, data):
    if action == Action.REQUEST_INFO:
        return services.feedback_request_info(feedback=feedback, user=user, note=data["note"])
    if action == Action.RECEIVE_INFO:
        return services.feedback_receive_info(feedback=feedback, user=user, note=data["note"])
    if action == Action.CLASSIFY:
        return services.feedback_classify(
            feedback=feedback,
            user=user,
            classification=data["classification"],
            note=data.get("note", ""),
            refusal_reason=data.get("refusal_reason", ""),
        )
    if action == Action.FORWARD:
        return services.feedback_forward(
            feedback=feedback,
            user=user,
            competent_body=data["competent_body"],
            note=data.get("note", ""),
        )
    if action == Action.ASSIGN:
        return services.feedback_assign(feedback=feedback, user=user, officer=data["officer"])
    if action == Action.ANSWER:
        return services.feedback_answer(
            feedback=feedback,
            user=user,
            answer_text=data["answer_text"],
            reply_number=data.get("reply_number", ""),
        )
    if action == Action.PUBLISH:
        return services.feedback_publish(
            feedback=feedback,
            user=user,
            public_question=data["public_question"],
            public_answer=data["public_answer"],
        )
    return services.feedback_unpublish(feedback=feedback, user=user, reason=data["note"])


@require_POST
@permission_required("feedback.view_feedback", raise_exception=True)
def action(request, code, action):
    if action not in ACTION_FORMS:
        raise Http404
    feedback = selectors.feedback_for_staff(user=request.user, code=code)
    form = _form_for(action, feedback, request.POST)
    if form.is_valid():
        try:
            _run(action, feedback, request.user, form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
            return redirect(feedback.get_absolute_url())
    return _detail(request, feedback, forms={action: form}, status=400)


# --- reply letter and files ------------------------------------------------------------------
def _answered(request, code):
    feedback = selectors.feedback_for_staff(user=request.user, code=code)
    if not feedback.answer_text:
        raise FeedbackNotFound
    return feedback


@require_GET
@permission_required("feedback.view_feedback", raise_exception=True)
def reply_letter(request, code):
    feedback = _answered(request, code)
    return render(request, "feedback/reply_letter.html", reply_letter_context(feedback))


@require_GET
@permission_required("feedback.view_feedback", raise_exception=True)
def reply_letter_pdf(request, code):
    from core.pdf import render_pdf

    feedback = _answered(request, code)
    pdf = render_pdf("feedback/reply_letter.html", reply_letter_context(feedback))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tra-loi-{feedback.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@permission_required("feedback.view_feedback", raise_exception=True)
def attachment_download(request, pk):
    attachment = FeedbackAttachment.objects.select_related("feedback").filter(pk=pk).first()
    if (
        attachment is None
        or not visible_feedback(request.user).filter(pk=attachment.feedback_id).exists()
    ):
        raise FeedbackNotFound
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- figures ---------------------------------------------------------------------------------
@require_GET
@permission_required("feedback.view_feedback_figures", raise_exception=True)
def figures(request):
    year = request.GET.get("nam", "")
    now = timezone.localtime()
    year = int(year) if year.isdigit() and 2000 <= int(year) <= now.year else now.year
    tz = timezone.get_current_timezone()
    since = timezone.datetime(year, 1, 1, tzinfo=tz)
    until = timezone.datetime(year + 1, 1, 1, tzinfo=tz)
    agency = _agency_of(request.user)
    return render(
        request,
        "feedback/figures.html",
        {
            "figures": selectors.feedback_figures(agency=agency, since=since, until=until),
            "year": year,
            "years": list(range(now.year, now.year - 5, -1)),
        },
    )

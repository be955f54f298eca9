"""Writes to dossiers: intake, the transitions of workflow.TRANSITIONS, attachments.

Every transition service follows one pattern (STYLE.md "State and history"): lock the row,
check the permission and the row policy, return quietly if already done, validate against the
transition table, update the side fields (clock, due dates), append one DossierEvent.
Called by the desk and specialist views, the admin, management commands and tests.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.calendar import WorkingCalendar, get_calendar
from core.exceptions import ApplicationError
from core.text import fold
from core.validators import normalize_vn_phone, validate_cccd
from procedures.constants import ProcedureStatus, SubmissionChannel
from procedures.models import Procedure

from . import notices, permissions
from .clock import timeliness_of
from .constants import (
    OPEN_STATUSES,
    ApplicantType,
    DocumentKind,
    DossierStatus,
    EventType,
    ExplanationEventType,
    ExplanationReason,
    ExplanationStatus,
    PauseKind,
    Timeliness,
)
from .models import (
    Dossier,
    DossierApology,
    DossierAttachment,
    DossierDocument,
    DossierEvent,
    DossierExplanation,
    DossierExplanationEvent,
    DossierPause,
    DossierTransfer,
    IntakeGuidance,
)
from .rules import profile_for
from .workflow import TRANSITIONS, Action, TransitionNotAllowed, check_transition

logger = logging.getLogger("dossiers.services")


@dataclass
class ApplicantData:
    name: str
    phone: str
    address: str
    applicant_type: str = ApplicantType.PERSON
    organisation_name: str = ""
    id_number: str = ""
    email: str = ""
    consent_sms: bool = False
    consent_email: bool = False


@dataclass
class DocumentData:
    name: str
    kind: str = DocumentKind.COPY
    quantity: int = 1
    component_id: int | None = None


@dataclass
class IntakeResult:
    dossier: Dossier
    events: list = field(default_factory=list)


# --- helpers -------------------------------------------------------------------------------
def _record(message: str, **params) -> str:
    """Text stored in the history (public notes, step names) in the office's language.

    The history is an official record: it must not depend on the language the acting officer
    happened to choose for the interface.
    """
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(message)
    return text % params if params else text


def _clean_applicant(applicant: ApplicantData) -> ApplicantData:
    """Validate and normalise applicant data; raise ValidationError keyed by field."""
    errors = {}
    name = (applicant.name or "").strip()
    if not name:
        errors["applicant_name"] = _("Enter the applicant's name.")
    try:
        phone = normalize_vn_phone(applicant.phone)
    except ValidationError as error:
        errors["applicant_phone"] = error.messages
        phone = ""
    id_number = ""
    if applicant.id_number:
        try:
            id_number = validate_cccd(applicant.id_number)
        except ValidationError as error:
            errors["applicant_id_number"] = error.messages
    if not (applicant.address or "").strip():
        errors["applicant_address"] = _("Enter the applicant's address.")
    if applicant.applicant_type == ApplicantType.ORGANISATION and not applicant.organisation_name:
        errors["organisation_name"] = _("Enter the organisation's name.")
    if applicant.consent_email and not applicant.email:
        errors["applicant_email"] = _("Enter an email address to send email notices.")
    if errors:
        raise ValidationError(errors)
    return ApplicantData(
        name=name,
        phone=phone,
        address=applicant.address.strip(),
        applicant_type=applicant.applicant_type,
        organisation_name=applicant.organisation_name.strip(),
        id_number=id_number,
        email=(applicant.email or "").strip(),
        consent_sms=applicant.consent_sms,
        consent_email=applicant.consent_email,
    )


def _next_code(*, agency, day) -> str:
    """Take the next number of the (agency, day) sequence atomically and build the code.

    The upsert locks the counter row until the transaction ends, so concurrent intakes get
    distinct consecutive numbers; a rolled-back intake releases its number unused, so no code
    that ever existed is reused (DOMAIN.md §4.2).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_dossiercodesequence (agency_id, day, last_number) "
            "VALUES (%s, %s, 1) ON CONFLICT (agency_id, day) DO UPDATE SET "
            "last_number = dossiers_dossiercodesequence.last_number + 1 RETURNING last_number",
            [agency.pk, day],
        )
        number = cursor.fetchone()[0]
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def _event(
    dossier,
    event_type,
    *,
    actor,
    at,
    from_status="",
    to_status="",
    note="",
    public_note="",
    is_public=True,
    data=None,
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        type=event_type,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        is_public=is_public,
        data=data or {},
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _lock(dossier: Dossier, *, user, action: str) -> Dossier:
    """Lock the row and check permission + row policy; missing and forbidden look the same."""
    locked = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=dossier.pk)
    )
    transition = TRANSITIONS[action]
    if not user.has_perm(transition.permission) or not permissions.can_act(user, locked):
        raise permissions.DossierNotFound
    return locked


def _check(dossier: Dossier, action: str):
    try:
        return check_transition(action, dossier.status)
    except TransitionNotAllowed as error:
        raise ApplicationError(
            _("This action is not possible while the dossier is “%(status)s”.")
            % {"status": dossier.get_status_display()}
        ) from error


def _finish(dossier: Dossier, *, at: datetime) -> None:
    dossier.finished_at = at
    if dossier.due_at is not None:
        dossier.timeliness = timeliness_of(
            finished_at=at,
            due_at=dossier.due_at,
            multiple_supplements=dossier.has_multiple_supplements,
        )


def _close_current_transfer(dossier: Dossier, *, at: datetime) -> None:
    current = (
        dossier.transfers.filter(completed_at__isnull=True).order_by("-sent_at", "-id").first()
    )
    if current is None:
        return
    current.completed_at = at
    if current.step_due_at is not None:
        current.outcome = timeliness_of(
            finished_at=at, due_at=current.step_due_at, multiple_supplements=False
        )
    current.save(update_fields=["completed_at", "outcome"])


# --- intake ----------------------------------------------------------------------------------
def _published_procedure(procedure: Procedure) -> Procedure:
    if procedure.status != ProcedureStatus.PUBLISHED:
        raise ApplicationError(_("This procedure is not published; choose a published one."))
    return procedure


@transaction.atomic
def dossier_register(
    *,
    procedure: Procedure,
    applicant: ApplicantData,
    documents: list[DocumentData],
    user,
    channel: str = SubmissionChannel.IN_PERSON,
    received_at: datetime | None = None,
    set_count: int = 1,
    note: str = "",
    calendar: WorkingCalendar | None = None,
) -> Dossier:
    """Intake outcome "complete": accept a dossier at the desk (DOMAIN.md §3.2).

    Assigns the code, freezes the procedure version and rule profile, computes the due date
    with core.calendar, records the documents received and the first history row.
    Raises ValidationError (bad applicant data, no documents) or ApplicationError.
    """
    if not user.has_perm("dossiers.receive_dossier"):
        raise permissions.DossierNotFound
    _published_procedure(procedure)
    applicant = _clean_applicant(applicant)
    if not documents:
        raise ValidationError({"documents": _("Tick at least one document received.")})
    if channel not in SubmissionChannel.values:
        raise ValidationError({"channel": _("Choose how the dossier was submitted.")})
    agency = procedure.agency
    calendar = calendar or get_calendar()
    received_at = received_at or timezone.now()
    received_day = timezone.localtime(received_at).date()
    due_at = calendar.due_at(
        received_at,
        procedure.processing_time_amount,
        procedure.processing_time_unit,
        cutoff=procedure.receipt_cutoff,
    )
    first_step = procedure.workflow_steps.order_by("position").first()
    dossier = Dossier.objects.create(
        code=_next_code(agency=agency, day=received_day),
        agency=agency,
        procedure=procedure,
        rule_profile=profile_for(received_day).code,
        processing_time_amount=procedure.processing_time_amount,
        processing_time_unit=procedure.processing_time_unit,
        applicant_type=applicant.applicant_type,
        applicant_name=applicant.name,
        organisation_name=applicant.organisation_name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        consent_sms=applicant.consent_sms,
        consent_email=applicant.consent_email,
        consent_recorded_at=received_at
        if (applicant.consent_sms or applicant.consent_email)
        else None,
        phone_last4=applicant.phone[-4:],
        applicant_search=fold(f"{applicant.name} {applicant.organisation_name}"),
        channel=channel,
        set_count=set_count,
        note=note,
        status=DossierStatus.ACCEPTED,
        received_at=received_at,
        received_by=user,
        original_due_at=due_at,
        due_at=due_at,
        current_step=first_step.unit if first_step else "",
    )
    DossierDocument.objects.bulk_create(
        DossierDocument(
            dossier=dossier,
            component_id=doc.component_id,
            name=doc.name,
            kind=doc.kind,
            quantity=max(1, doc.quantity),
        )
        for doc in documents
    )
    event = _event(
        dossier,
        EventType.ACCEPTED,
        actor=user,
        at=received_at,
        to_status=DossierStatus.ACCEPTED,
        public_note=_record(gettext_noop("Dossier received and accepted at the one-stop desk.")),
        data={"new": {"due_at": _iso(due_at), "rule_profile": dossier.rule_profile}},
    )
    notices.dossier_event_notify(event)
    return dossier


@transaction.atomic
def dossier_refuse_at_intake(
    *,
    procedure: Procedure,
    applicant: ApplicantData,
    reason: str,
    user,
    channel: str = SubmissionChannel.IN_PERSON,
) -> Dossier:
    """Intake outcome "not admissible": record the dossier as refused with the reasons, for
    the refusal slip (DOMAIN.md §3.2, §5.3). No due date."""
    if not user.has_perm("dossiers.receive_dossier"):
        raise permissions.DossierNotFound
    if not (reason or "").strip():
        raise ValidationError({"reason": _("State the specific reasons for the refusal.")})
    applicant = _clean_applicant(applicant)
    now = timezone.now()
    day = timezone.localtime(now).date()
    dossier = Dossier.objects.create(
        code=_next_code(agency=procedure.agency, day=day),
        agency=procedure.agency,
        procedure=procedure,
        rule_profile=profile_for(day).code,
        processing_time_amount=procedure.processing_time_amount,
        processing_time_unit=procedure.processing_time_unit,
        applicant_type=applicant.applicant_type,
        applicant_name=applicant.name,
        organisation_name=applicant.organisation_name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        consent_sms=applicant.consent_sms,
        consent_email=applicant.consent_email,
        phone_last4=applicant.phone[-4:],
        applicant_search=fold(f"{applicant.name} {applicant.organisation_name}"),
        channel=channel,
        status=DossierStatus.REFUSED,
        received_at=now,
        received_by=user,
        refusal_reason=reason.strip(),
        finished_at=now,
    )
    event = _event(
        dossier,
        EventType.REFUSED,
        actor=user,
        at=now,
        to_status=DossierStatus.REFUSED,
        note=reason.strip(),
        public_note=_record(
            gettext_noop("The dossier was not accepted; the reasons are on the refusal slip.")
        ),
    )
    notices.dossier_event_notify(event)
    return dossier


@transaction.atomic
def intake_guidance_issue(
    *,
    procedure: Procedure,
    applicant_name: str,
    items: list[str],
    reason: str,
    user,
    applicant_phone: str = "",
    applicant_address: str = "",
) -> IntakeGuidance:
    """Intake outcome "incomplete": the guidance slip listing everything missing, at once.

    Nothing is accepted: no dossier, no code (DOMAIN.md §3.2, Cà Mau rule: written, one-time
    guidance on the standard form).
    """
    if not user.has_perm("dossiers.receive_dossier"):
        raise permissions.DossierNotFound
    items = [i.strip() for i in items if i and i.strip()]
    errors = {}
    if not (applicant_name or "").strip():
        errors["applicant_name"] = _("Enter the applicant's name.")
    if not items:
        errors["items"] = _("List every document to add or correct.")
    if not (reason or "").strip():
        errors["reason"] = _("State the reason.")
    phone = ""
    if applicant_phone:
        try:
            phone = normalize_vn_phone(applicant_phone)
        except ValidationError as error:
            errors["applicant_phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    day = timezone.localtime(now).date()
    count = IntakeGuidance.objects.filter(
        agency=procedure.agency, created_at__year=day.year
    ).count()
    return IntakeGuidance.objects.create(
        agency=procedure.agency,
        number=f"{count + 1:04d}/{day:%Y}/HDHS-{procedure.agency.pk}",
        procedure=procedure,
        rule_profile=profile_for(day).code,
        applicant_name=applicant_name.strip(),
        applicant_phone=phone,
        applicant_address=(applicant_address or "").strip(),
        items=items,
        reason=reason.strip(),
        issued_by=user,
    )


# --- transitions -----------------------------------------------------------------------------
@transaction.atomic
def dossier_assign(*, dossier: Dossier, handler, user, note: str = "") -> Dossier:
    """Hand the dossier to a specialist: a control-slip row with the step's time budget."""
    dossier = _lock(dossier, user=user, action=Action.ASSIGN)
    if dossier.handler_id == handler.pk and dossier.status == DossierStatus.PROCESSING:
        return dossier
    _check(dossier, Action.ASSIGN)
    if not handler.is_active or not handler.has_perm("dossiers.process_dossier"):
        raise ApplicationError(_("This officer cannot process dossiers."))
    now = timezone.now()
    calendar = get_calendar()
    _close_current_transfer(dossier, at=now)
    position = dossier.transfers.count() + 1
    step = dossier.procedure.workflow_steps.filter(position=position + 1).first() or (
        dossier.procedure.workflow_steps.order_by("-position").first()
    )
    step_due_at = None
    if step is not None:
        step_due_at = calendar.due_at(now, step.time_budget, step.time_budget_unit)
        step_due_at = min(step_due_at, dossier.due_at)
    to_unit = str(handler.department) if handler.department_id else handler.get_full_name()
    from_unit = dossier.current_step or _record(gettext_noop("One-stop desk"))
    DossierTransfer.objects.create(
        dossier=dossier,
        position=position,
        from_unit=from_unit,
        to_unit=to_unit,
        task=step.task if step else "",
        sent_at=now,
        sender=user,
        receiver=handler,
        step_due_at=step_due_at,
    )
    old = {"status": dossier.status, "handler": dossier.handler_id, "step": dossier.current_step}
    from_status = dossier.status
    dossier.status = DossierStatus.PROCESSING
    dossier.handler = handler
    dossier.current_step = to_unit
    dossier.save(update_fields=["status", "handler", "current_step", "updated_at"])
    _event(
        dossier,
        EventType.ASSIGNED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=dossier.status,
        note=note,
        public_note=_record(gettext_noop("Handed over to %(unit)s for processing."), unit=to_unit),
        data={"old": old, "new": {"handler": handler.pk, "step": to_unit}},
    )
    return dossier


@transaction.atomic
def dossier_request_supplement(
    *,
    dossier: Dossier,
    user,
    items: list[str],
    reason: str,
    legal_basis: str = "",
    kind: str = PauseKind.SUPPLEMENT,
) -> Dossier:
    """Pause the clock and ask the applicant for documents (or a fee payment).

    Every missing item at once, with reasons (DOMAIN.md §3.4, form 02). More than one supplement
    request after acceptance flags the dossier as late in the national index.
    """
    action = Action.REQUEST_SUPPLEMENT if kind == PauseKind.SUPPLEMENT else Action.REQUEST_PAYMENT
    dossier = _lock(dossier, user=user, action=action)
    target = check_transition(action, DossierStatus.PROCESSING).target
    if dossier.status == target:
        return dossier
    _check(dossier, action)
    items = [i.strip() for i in items if i and i.strip()]
    if kind == PauseKind.SUPPLEMENT and not items:
        raise ValidationError({"items": _("List every document to add or correct.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("State the reason.")})
    now = timezone.now()
    DossierPause.objects.create(
        dossier=dossier,
        kind=kind,
        reason=reason.strip(),
        items=items,
        legal_basis=legal_basis,
        started_at=now,
        started_by=user,
    )
    from_status = dossier.status
    dossier.status = target
    fields = ["status", "updated_at"]
    if kind == PauseKind.SUPPLEMENT:
        dossier.supplement_request_count += 1
        fields.append("supplement_request_count")
    dossier.save(update_fields=fields)
    event = _event(
        dossier,
        EventType.SUPPLEMENT_REQUESTED
        if kind == PauseKind.SUPPLEMENT
        else EventType.PAYMENT_REQUESTED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=target,
        note=reason.strip(),
        public_note=_record(
            gettext_noop("Additional documents are needed; the clock is paused until they arrive.")
            if kind == PauseKind.SUPPLEMENT
            else gettext_noop("Waiting for the fee payment; the clock is paused.")
        ),
        data={
            "new": {"items": items, "supplement_request_count": dossier.supplement_request_count}
        },
    )
    notices.dossier_event_notify(event)
    return dossier


@transaction.atomic
def dossier_resume(*, dossier: Dossier, user, note: str = "") -> Dossier:
    """Close the open pause; push the due dates out by the paused working time (§3.6)."""
    dossier = _lock(dossier, user=user, action=Action.RESUME)
    if dossier.status == DossierStatus.PROCESSING:
        return dossier
    _check(dossier, Action.RESUME)
    now = timezone.now()
    calendar = get_calendar()
    pause = dossier.pauses.select_for_update().get(ended_at__isnull=True)
    minutes = calendar.working_minutes_between(pause.started_at, now)
    pause.ended_at = now
    pause.ended_by = user
    pause.working_minutes = minutes
    pause.save(update_fields=["ended_at", "ended_by", "working_minutes"])
    old = {"due_at": _iso(dossier.due_at), "rescheduled_due_at": _iso(dossier.rescheduled_due_at)}
    dossier.due_at = calendar.add_working_minutes(dossier.due_at, minutes)
    if dossier.rescheduled_due_at:
        dossier.rescheduled_due_at = calendar.add_working_minutes(
            dossier.rescheduled_due_at, minutes
        )
    dossier.paused_minutes += minutes
    from_status = dossier.status
    dossier.status = DossierStatus.PROCESSING
    dossier.save(
        update_fields=["due_at", "rescheduled_due_at", "paused_minutes", "status", "updated_at"]
    )
    _event(
        dossier,
        EventType.RESUMED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=dossier.status,
        note=note,
        public_note=_record(
            gettext_noop(
                "Documents received; processing resumed and the due date moved accordingly."
            )
        ),
        data={
            "old": old,
            "new": {
                "due_at": _iso(dossier.due_at),
                "rescheduled_due_at": _iso(dossier.rescheduled_due_at),
                "paused_minutes": minutes,
            },
        },
    )
    return dossier


@transaction.atomic
def dossier_reschedule(
    *, dossier: Dossier, user, reason: str, new_due_at: datetime, signed_by: str = ""
) -> DossierApology:
    """Apologise and set a new appointment (DOMAIN.md §3.5, §5.4).

    At most DOSSIER_MAX_RESCHEDULES times (default once), and no later than
    DOSSIER_APOLOGY_LEAD_WORKING_DAYS (default 1) working days before the due date. Timeliness
    stays measured against the due date, not the new appointment.
    """
    dossier = _lock(dossier, user=user, action=Action.RESCHEDULE)
    _check(dossier, Action.RESCHEDULE)
    profile = dossier.profile
    if not (reason or "").strip():
        raise ValidationError({"reason": _("State the reason for the delay.")})
    if dossier.apologies.count() >= profile.max_reschedules:
        raise ApplicationError(
            _(
                "The result date of this dossier has already been rescheduled; it can be "
                "rescheduled only once."
            )
        )
    calendar = get_calendar()
    now = timezone.now()
    today = timezone.localtime(now).date()
    due_day = timezone.localtime(dossier.due_at).date()
    lead = profile.apology_lead_working_days
    if calendar.working_days_between(today, due_day) < lead:
        raise ApplicationError(
            _(
                "Too late to reschedule: the apology must be sent at least %(days)s working "
                "day(s) before the due date (%(due)s)."
            )
            % {"days": lead, "due": f"{due_day:%d/%m/%Y}"}
        )
    previous = dossier.appointment_at
    if timezone.is_naive(new_due_at):
        new_due_at = timezone.make_aware(new_due_at)
    if new_due_at <= previous:
        raise ValidationError(
            {"new_due_at": _("The new date must be after the current appointment.")}
        )
    if not calendar.is_working_day(timezone.localtime(new_due_at).date()):
        raise ValidationError({"new_due_at": _("The new date must be a working day.")})
    apology = DossierApology.objects.create(
        dossier=dossier,
        sequence=dossier.apologies.count() + 1,
        reason=reason.strip(),
        previous_due_at=previous,
        new_due_at=new_due_at,
        issued_at=now,
        issued_by=user,
        signed_by=signed_by,
    )
    dossier.rescheduled_due_at = new_due_at
    dossier.save(update_fields=["rescheduled_due_at", "updated_at"])
    event = _event(
        dossier,
        EventType.RESCHEDULED,
        actor=user,
        at=now,
        from_status=dossier.status,
        to_status=dossier.status,
        note=reason.strip(),
        public_note=_record(
            gettext_noop("We apologise: the result will be ready on %(date)s."),
            date=f"{timezone.localtime(new_due_at):%d/%m/%Y}",
        ),
        data={"old": {"appointment": _iso(previous)}, "new": {"appointment": _iso(new_due_at)}},
    )
    notices.dossier_event_notify(event)
    return apology


@transaction.atomic
def dossier_resolve(
    *, dossier: Dossier, user, result_summary: str = "", result_file=None
) -> Dossier:
    """The result is ready (status 9): the clock stops and timeliness is decided (§3.8)."""
    dossier = _lock(dossier, user=user, action=Action.RESOLVE)
    if dossier.status == DossierStatus.RESOLVED:
        return dossier
    _check(dossier, Action.RESOLVE)
    now = timezone.now()
    _close_current_transfer(dossier, at=now)
    from_status = dossier.status
    dossier.status = DossierStatus.RESOLVED
    dossier.resolved_at = now
    dossier.result_summary = (result_summary or "").strip()
    if result_file is not None:
        dossier.result_file = result_file
    dossier.current_step = _record(gettext_noop("One-stop desk (result ready)"))
    _finish(dossier, at=now)
    dossier.save()
    event = _event(
        dossier,
        EventType.RESOLVED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=dossier.status,
        public_note=_record(gettext_noop("The result is ready at the one-stop desk.")),
        data={"new": {"timeliness": dossier.timeliness}},
    )
    notices.dossier_event_notify(event)
    return dossier


@transaction.atomic
def dossier_record_paper_result(*, dossier: Dossier, user) -> Dossier:
    """The signed paper result reached the desk (plan 645 V.3: paper and electronic in step)."""
    dossier = _lock(dossier, user=user, action=Action.RECORD_PAPER_RESULT)
    if dossier.paper_result_received_at is not None:
        return dossier
    _check(dossier, Action.RECORD_PAPER_RESULT)
    now = timezone.now()
    dossier.paper_result_received_at = now
    dossier.save(update_fields=["paper_result_received_at", "updated_at"])
    _event(dossier, EventType.PAPER_RESULT_RECEIVED, actor=user, at=now, is_public=False)
    return dossier


@transaction.atomic
def dossier_return_result(*, dossier: Dossier, user, note: str = "") -> Dossier:
    """The applicant collected the result (status 10)."""
    dossier = _lock(dossier, user=user, action=Action.RETURN_RESULT)
    if dossier.status == DossierStatus.RETURNED:
        return dossier
    _check(dossier, Action.RETURN_RESULT)
    now = timezone.now()
    from_status = dossier.status
    dossier.status = DossierStatus.RETURNED
    dossier.returned_at = now
    dossier.current_step = ""
    dossier.save(update_fields=["status", "returned_at", "current_step", "updated_at"])
    _event(
        dossier,
        EventType.RETURNED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=dossier.status,
        note=note,
        public_note=_record(gettext_noop("The result was handed to the applicant.")),
    )
    return dossier


def _end(dossier, *, user, action, event_type, target, reason, public_note):
    dossier = _lock(dossier, user=user, action=action)
    if dossier.status == target:
        return dossier
    _check(dossier, action)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("State the reason.")})
    now = timezone.now()
    if dossier.is_paused:
        pause = dossier.pauses.get(ended_at__isnull=True)
        pause.ended_at = now
        pause.ended_by = user
        pause.save(update_fields=["ended_at", "ended_by"])
    _close_current_transfer(dossier, at=now)
    from_status = dossier.status
    dossier.status = target
    dossier.refusal_reason = reason.strip()
    dossier.current_step = ""
    _finish(dossier, at=now)
    dossier.save()
    _event(
        dossier,
        event_type,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=target,
        note=reason.strip(),
        public_note=public_note,
    )
    return dossier


@transaction.atomic
def dossier_stop(*, dossier: Dossier, user, reason: str) -> Dossier:
    """Stop processing with a written notice of reasons (not eligible after appraisal)."""
    return _end(
        dossier,
        user=user,
        action=Action.STOP,
        event_type=EventType.STOPPED,
        target=DossierStatus.STOPPED,
        reason=reason,
        public_note=_record(
            gettext_noop("Processing was stopped; the reasons are in the written notice.")
        ),
    )


@transaction.atomic
def dossier_withdraw(*, dossier: Dossier, user, reason: str) -> Dossier:
    """The applicant withdrew the dossier (status 7)."""
    return _end(
        dossier,
        user=user,
        action=Action.WITHDRAW,
        event_type=EventType.WITHDRAWN,
        target=DossierStatus.WITHDRAWN,
        reason=reason,
        public_note=_record(gettext_noop("The dossier was withdrawn at the applicant's request.")),
    )


# --- attachments -----------------------------------------------------------------------------
_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def _sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


@transaction.atomic
def dossier_attach(*, dossier: Dossier, user, uploaded_file) -> DossierAttachment:
    """Store a scan privately after checking its real type (magic bytes) and size."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not user.has_perm("dossiers.receive_dossier") and not permissions.can_act(user, dossier):
        raise permissions.DossierNotFound
    if uploaded_file.size > settings.DOSSIER_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is too large (maximum %(mb)s MB).")
                % {"mb": settings.DOSSIER_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            }
        )
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    content_type = _sniff(head)
    if content_type not in settings.DOSSIER_ATTACHMENT_TYPES:
        raise ValidationError({"file": _("Only PDF, JPEG or PNG scans are accepted.")})
    name = (uploaded_file.name or "scan").rsplit("/", 1)[-1][:200]
    attachment = DossierAttachment(
        dossier=dossier,
        original_name=name,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=user,
    )
    extension = settings.DOSSIER_ATTACHMENT_TYPES[content_type]
    safe_code = dossier.code.replace(".", "_")
    attachment.file.save(f"{safe_code}.{extension}", uploaded_file, save=False)
    attachment.save()
    _event(
        dossier,
        EventType.ATTACHMENT_ADDED,
        actor=user,
        at=timezone.now(),
        is_public=False,
        data={"new": {"attachment": attachment.pk, "name": name}},
    )
    return attachment


# ==============================================================================================
# --- Explanations of late dossiers (giải trình; plan 645/KH-VHTT V.4, issue 5) ---------------
# ==============================================================================================
# One row per late dossier (DossierExplanation), moved by these four functions only; every
# move appends a DossierExplanationEvent. Who may do what: dossiers.permissions
# (can_submit_explanation, can_review_explanation); an explanation the user may not see is
# missing (404), a move the user's role does not allow is forbidden (403).
EXPLANATION_TEXT_MAX_CHARS = 5000
_EXPLANATION_TO_WRITE = (ExplanationStatus.REQUESTED, ExplanationStatus.RETURNED)


def _explanation_event(
    explanation, event_type, *, actor, at, from_status="", to_status="", note="", data=None
):
    return DossierExplanationEvent.objects.create(
        explanation=explanation,
        type=event_type,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        note=note,
        data=data or {},
    )


def explanation_deadline(*, start: datetime, calendar: WorkingCalendar | None = None) -> datetime:
    """When an explanation asked for (or returned) at `start` is due: closing time of the
    EXPLANATION_DEADLINE_WORKING_DAYS-th working day after that day (core.calendar; a request
    on a day off counts from the next working day like any period, Civil Code Art. 147)."""
    calendar = calendar or get_calendar()
    day = timezone.localtime(start, calendar.tz).date()
    return calendar.end_of_day(
        calendar.add_working_days(day, settings.EXPLANATION_DEADLINE_WORKING_DAYS)
    )


def _late_without_explanation(*, now: datetime, agency_id: int | None):
    """Dossiers that must be explained and are not yet, as (id, handler, received_by, why).

    - Running (accepted or being processed) and past the due date: overdue. The due date is
      the one pushed out by pauses; a paused dossier is not overdue (DOMAIN.md §3.6, §3.8);
      an apology with a new appointment does not change this (§3.8: measured against the due).
    - Running with more than one supplement request after acceptance: the national index
      counts it as late whatever happens next (§3.4).
    - Finished late (timeliness "late", set when processing ended, §3.8), within
      EXPLANATION_LOOKBACK_DAYS of `now`.
    """
    # Also "open" (a superset): PostgreSQL then reads the running ones from the work queue's
    # partial index (dossiers_open_queue) and the late finishes from (agency, finished_at),
    # instead of scanning the whole table (1,000,000 dossiers: 490 -> 175 ms).
    running = Q(status__in=sorted(OPEN_STATUSES)) & Q(
        status__in=[DossierStatus.ACCEPTED, DossierStatus.PROCESSING]
    )
    overdue = running & Q(due_at__lt=now)
    supplements = running & Q(supplement_request_count__gt=1)
    finished_late = Q(timeliness=Timeliness.LATE, finished_at__lte=now)
    if settings.EXPLANATION_LOOKBACK_DAYS:
        finished_late &= Q(
            finished_at__gte=now - timedelta(days=settings.EXPLANATION_LOOKBACK_DAYS)
        )
    queryset = Dossier.objects.filter(overdue | supplements | finished_late).exclude(
        Exists(DossierExplanation.objects.filter(dossier=OuterRef("pk")))
    )
    if agency_id is not None:
        queryset = queryset.filter(agency_id=agency_id)
    rows = queryset.order_by("due_at", "id").values_list(
        "pk", "handler_id", "received_by_id", "finished_at", "due_at", "supplement_request_count"
    )
    for pk, handler_id, received_by_id, finished_at, due_at, supplement_count in rows:
        if finished_at is not None:
            why = "finished_late"
        elif due_at is not None and due_at < now:
            why = "overdue"
        else:
            why = "multiple_supplements"
        yield pk, handler_id or received_by_id, why, supplement_count


@transaction.atomic
def explanation_request_overdue(
    *, agency_id: int | None = None, now: datetime | None = None
) -> int:
    """Ask the responsible officer of every late dossier lacking one for an explanation.

    Called every working morning by the beat task (dossiers.tasks; on Mondays also at 06:45,
    before the 07:00 weekly report, which only reads the explanations' states) and by the weekly
    report's command and "Build now" button before they build. Idempotent: a dossier gets one
    explanation for life (unique constraint; a concurrent run's row wins quietly). The officer
    is the dossier's handler, else the desk officer who received it; the deadline is
    `explanation_deadline(now)`.
    Appends a "requested" event (actor: none, the system) per row and, after commit, emails
    each officer once with the list. Returns how many explanations were created.
    """
    now = now or timezone.now()
    calendar = get_calendar()
    explain_by = explanation_deadline(start=now, calendar=calendar)
    created: dict[int, list[int]] = {}
    for dossier_id, officer_id, why, supplement_count in _late_without_explanation(
        now=now, agency_id=agency_id
    ):
        try:
            with transaction.atomic():  # a savepoint: a row a concurrent run made is skipped
                explanation = DossierExplanation.objects.create(
                    dossier_id=dossier_id,
                    officer_id=officer_id,
                    status=ExplanationStatus.REQUESTED,
                    requested_at=now,
                    explain_by=explain_by,
                )
        except IntegrityError:
            continue
        _explanation_event(
            explanation,
            ExplanationEventType.REQUESTED,
            actor=None,
            at=now,
            to_status=ExplanationStatus.REQUESTED,
            data={
                "new": {
                    "officer": officer_id,
                    "explain_by": _iso(explain_by),
                    "why": why,
                    "supplement_request_count": supplement_count,
                }
            },
        )
        created.setdefault(officer_id, []).append(explanation.pk)
    for officer_id, ids in created.items():
        _email_officer_on_commit(kind="requested", officer_id=officer_id, explanation_ids=ids)
    return sum(len(ids) for ids in created.values())


def _email_officer_on_commit(*, kind: str, officer_id: int, explanation_ids: list[int]) -> None:
    """After commit, queue the email to the officer (dossiers.tasks); a broker that is down is
    logged, never raised: the explanation itself is recorded either way."""
    if not settings.EXPLANATION_EMAIL_OFFICERS:
        return

    def dispatch():
        from . import tasks  # tasks import this module

        try:
            tasks.email_explanation_officer.delay(
                kind=kind, officer_id=officer_id, explanation_ids=explanation_ids
            )
        except Exception:  # noqa: BLE001 - broker trouble must not undo a committed change
            logger.exception("Explanation email to officer %s not queued", officer_id)

    transaction.on_commit(dispatch)


def _lock_explanation(explanation: DossierExplanation, *, user) -> DossierExplanation:
    """Lock the row (with its dossier read for the policy); 404 if the user may not see it."""
    locked = (
        DossierExplanation.objects.select_for_update(of=("self",))
        .select_related("dossier")
        .filter(pk=explanation.pk)
        .first()
    )
    if locked is None or not permissions.can_view_explanation(user, locked):
        raise permissions.ExplanationNotFound
    return locked


def _explanation_status_error(explanation: DossierExplanation, message: str) -> ApplicationError:
    return ApplicationError(message % {"status": explanation.get_status_display()})


def _clean_explanation_text(value: str) -> str:
    """Strip, normalise line ends, drop control characters (NUL breaks PostgreSQL)."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


@transaction.atomic
def explanation_submit(
    *, explanation: DossierExplanation, user, reason_category: str, text: str, remedy: str
) -> DossierExplanation:
    """The officer's written explanation: reason category, what happened, the remedy.

    By the officer, or by a reviewer on the officer's behalf (recorded as `submitted_by` and
    the event's actor). Allowed from "requested" and "returned"; sending the same text again
    while it waits for review changes nothing (a double click). ValidationError keyed by field
    for missing or too long input; ApplicationError when the explanation cannot be changed.
    """
    explanation = _lock_explanation(explanation, user=user)
    if not permissions.can_submit_explanation(user, explanation):
        raise PermissionDenied
    reason_category = (reason_category or "").strip()
    text = _clean_explanation_text(text)
    remedy = _clean_explanation_text(remedy)
    if explanation.status == ExplanationStatus.SUBMITTED and (
        explanation.reason_category,
        explanation.text,
        explanation.remedy,
    ) == (reason_category, text, remedy):
        return explanation
    if explanation.status not in _EXPLANATION_TO_WRITE:
        raise _explanation_status_error(
            explanation,
            _("This explanation is “%(status)s”: it can no longer be changed."),
        )
    errors = {}
    if reason_category not in ExplanationReason.values:
        errors["reason_category"] = _("Choose the main reason for the delay.")
    if not text:
        errors["text"] = _("Explain what happened and why the dossier was late.")
    elif len(text) > EXPLANATION_TEXT_MAX_CHARS:
        errors["text"] = _("Keep the explanation under %(n)s characters.") % {
            "n": EXPLANATION_TEXT_MAX_CHARS
        }
    if not remedy:
        errors["remedy"] = _("Say what will be done so that it does not happen again.")
    elif len(remedy) > EXPLANATION_TEXT_MAX_CHARS:
        errors["remedy"] = _("Keep the remedy under %(n)s characters.") % {
            "n": EXPLANATION_TEXT_MAX_CHARS
        }
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    from_status = explanation.status
    old = {
        "reason_category": explanation.reason_category,
        "text": explanation.text,
        "remedy": explanation.remedy,
    }
    explanation.status = ExplanationStatus.SUBMITTED
    explanation.reason_category = reason_category
    explanation.text = text
    explanation.remedy = remedy
    explanation.submitted_at = now
    explanation.submitted_by = user
    explanation.submission_count += 1
    explanation.save(
        update_fields=[
            "status",
            "reason_category",
            "text",
            "remedy",
            "submitted_at",
            "submitted_by",
            "submission_count",
            "updated_at",
        ]
    )
    new = {
        "reason_category": reason_category,
        "text": text,
        "remedy": remedy,
        "on_time": now <= explanation.explain_by,
    }
    if user.pk != explanation.officer_id:
        new["on_behalf_of"] = explanation.officer_id
    _explanation_event(
        explanation,
        ExplanationEventType.SUBMITTED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=ExplanationStatus.SUBMITTED,
        data={"old": old, "new": new}
        if from_status == ExplanationStatus.RETURNED
        else {"new": new},
    )
    return explanation


def _lock_for_review(explanation: DossierExplanation, *, user) -> DossierExplanation:
    explanation = _lock_explanation(explanation, user=user)
    if not user.has_perm("dossiers.review_dossierexplanation"):
        raise PermissionDenied
    if explanation.officer_id == user.pk:
        raise ApplicationError(
            _("You cannot review your own explanation; another leader must do it.")
        )
    return explanation


@transaction.atomic
def explanation_accept(
    *, explanation: DossierExplanation, user, note: str = ""
) -> DossierExplanation:
    """A leader accepts a submitted explanation (final). Accepting it again changes nothing."""
    explanation = _lock_for_review(explanation, user=user)
    if explanation.status == ExplanationStatus.ACCEPTED:
        return explanation
    if explanation.status != ExplanationStatus.SUBMITTED:
        raise _explanation_status_error(
            explanation,
            _("Only a submitted explanation can be accepted; this one is “%(status)s”."),
        )
    note = _clean_explanation_text(note)[:EXPLANATION_TEXT_MAX_CHARS]
    now = timezone.now()
    explanation.status = ExplanationStatus.ACCEPTED
    explanation.reviewed_by = user
    explanation.reviewed_at = now
    explanation.review_note = note
    explanation.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"]
    )
    _explanation_event(
        explanation,
        ExplanationEventType.ACCEPTED,
        actor=user,
        at=now,
        from_status=ExplanationStatus.SUBMITTED,
        to_status=ExplanationStatus.ACCEPTED,
        note=note,
    )
    return explanation


@transaction.atomic
def explanation_return(*, explanation: DossierExplanation, user, note: str) -> DossierExplanation:
    """A leader sends a submitted explanation back, saying what to fix; the officer gets a new
    deadline (`explanation_deadline` from now) and an email. Returning it again (a double
    click) changes nothing."""
    explanation = _lock_for_review(explanation, user=user)
    if explanation.status == ExplanationStatus.RETURNED:
        return explanation
    if explanation.status != ExplanationStatus.SUBMITTED:
        raise _explanation_status_error(
            explanation,
            _("Only a submitted explanation can be returned; this one is “%(status)s”."),
        )
    note = _clean_explanation_text(note)
    if not note:
        raise ValidationError({"note": _("Say what must be corrected or added.")})
    if len(note) > EXPLANATION_TEXT_MAX_CHARS:
        raise ValidationError(
            {"note": _("Keep the note under %(n)s characters.") % {"n": EXPLANATION_TEXT_MAX_CHARS}}
        )
    now = timezone.now()
    old_deadline = explanation.explain_by
    explanation.status = ExplanationStatus.RETURNED
    explanation.reviewed_by = user
    explanation.reviewed_at = now
    explanation.review_note = note
    explanation.explain_by = explanation_deadline(start=now)
    explanation.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "explain_by",
            "updated_at",
        ]
    )
    _explanation_event(
        explanation,
        ExplanationEventType.RETURNED,
        actor=user,
        at=now,
        from_status=ExplanationStatus.SUBMITTED,
        to_status=ExplanationStatus.RETURNED,
        note=note,
        data={
            "old": {"explain_by": _iso(old_deadline)},
            "new": {"explain_by": _iso(explanation.explain_by)},
        },
    )
    _email_officer_on_commit(
        kind="returned", officer_id=explanation.officer_id, explanation_ids=[explanation.pk]
    )
    return explanation

"""Writes to feedback items: submit, classify, forward, assign, answer, publish, votes.

One function per state change (STYLE.md): lock the row, return quietly if it is already in the
target state, check the transition table (feedback.workflow) and the user's permission, update
the denormalised fields (status, due date of the current stage, timeliness), append one
`FeedbackEvent`, and record the sender's notices in the same transaction
(feedback.notices -> core.notices outbox, dispatched on commit).

Time limits (DOMAIN.md §7): counted in working days from receipt with core.calendar: refuse
≤ FEEDBACK_REFUSE_WORKING_DAYS, ask for more information ≤ FEEDBACK_INFO_REQUEST_WORKING_DAYS,
forward ≤ FEEDBACK_FORWARD_WORKING_DAYS (Art. 9(5)), handle ≤ FEEDBACK_HANDLE_WORKING_DAYS;
publish ≤ FEEDBACK_PUBLISH_WORKING_DAYS after the answer. Asking for more information does not
stop the clock [U: the national index's rule was not read].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.calendar import TimeUnit, get_calendar
from core.exceptions import ApplicationError
from core.text import fold
from core.validators import normalize_vn_phone
from procedures.constants import ProcedureStatus

from . import notices, permissions
from .constants import (
    Category,
    Channel,
    Classification,
    EventType,
    FeedbackKind,
    FeedbackStatus,
)
from .models import Feedback, FeedbackAttachment, FeedbackEvent
from .tokens import new_code
from .workflow import TRANSITIONS, Action, TransitionNotAllowed, check_transition

S = FeedbackStatus


def _record(message: str, **params) -> str:
    """History notes in the office's language, whatever language the officer's screen uses."""
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(message)
    return text % params if params else text


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _event(feedback, event_type, *, actor, at, from_status="", to_status="", note="", data=None):
    return FeedbackEvent.objects.create(
        feedback=feedback,
        type=event_type,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        note=note,
        data=data or {},
    )


# --- time limits -----------------------------------------------------------------------------
def _due(start: datetime, days: int, calendar=None) -> datetime:
    calendar = calendar or get_calendar()
    return calendar.due_at(
        start, days, TimeUnit.WORKING_DAYS, cutoff=settings.FEEDBACK_RECEIPT_CUTOFF
    )


@dataclass(frozen=True)
class TimeLimits:
    refuse_due_at: datetime
    info_request_due_at: datetime
    forward_due_at: datetime
    handle_due_at: datetime


def time_limits(received_at: datetime) -> TimeLimits:
    """The due dates of each stage for an item received at `received_at` (DOMAIN.md §7)."""
    calendar = get_calendar()
    return TimeLimits(
        refuse_due_at=_due(received_at, settings.FEEDBACK_REFUSE_WORKING_DAYS, calendar),
        info_request_due_at=_due(
            received_at, settings.FEEDBACK_INFO_REQUEST_WORKING_DAYS, calendar
        ),
        forward_due_at=_due(received_at, settings.FEEDBACK_FORWARD_WORKING_DAYS, calendar),
        handle_due_at=_due(received_at, settings.FEEDBACK_HANDLE_WORKING_DAYS, calendar),
    )


def publish_due(answered_at: datetime) -> datetime:
    return _due(answered_at, settings.FEEDBACK_PUBLISH_WORKING_DAYS)


def current_due(feedback: Feedback) -> datetime | None:
    """The due date of the stage the item is in; None when the agency owes nothing more.

    Received but not classified: the forwarding limit (an item outside our competence must be
    classified and forwarded by then, Art. 9(5)); waiting for information or being handled: the
    handling limit; answered: the publication limit.
    """
    return {
        S.RECEIVED: feedback.forward_due_at,
        S.TO_FORWARD: feedback.forward_due_at,
        S.NEEDS_INFO: feedback.handle_due_at,
        S.PROCESSING: feedback.handle_due_at,
        S.ANSWERED: feedback.publish_due_at,
    }.get(feedback.status)


# --- submission ------------------------------------------------------------------------------
@dataclass
class SenderData:
    name: str
    address: str
    phone: str = ""
    email: str = ""


@dataclass
class FeedbackInput:
    kind: str
    category: str
    content: str
    sender: SenderData
    proposed_solution: str = ""
    procedure: object = None  # procedures.Procedure or None
    dossier_code: str = ""
    consent_processing: bool = False
    consent_notices: bool = False
    files: list = field(default_factory=list)


_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Strip, normalise line ends and drop control characters (NUL breaks PostgreSQL)."""
    return _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def _sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def check_attachment(uploaded_file) -> str:
    """The real content type of an upload (by its first bytes); ValidationError otherwise."""
    if uploaded_file.size > settings.FEEDBACK_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file %(name)s is too large (maximum %(mb)s MB).")
            % {
                "name": (uploaded_file.name or "")[:80],
                "mb": settings.FEEDBACK_ATTACHMENT_MAX_BYTES // (1024 * 1024),
            },
            code="too_large",
        )
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    content_type = _sniff(head)
    if content_type not in settings.FEEDBACK_ATTACHMENT_TYPES:
        raise ValidationError(
            _("The file %(name)s is not a PDF, JPEG or PNG file.")
            % {"name": (uploaded_file.name or "")[:80]},
            code="bad_type",
        )
    return content_type


def _clean_input(data: FeedbackInput, *, channel: str) -> FeedbackInput:
    """Validate what Art. 7 requires; raise ValidationError keyed by form field."""
    errors: dict[str, list] = {}
    limit = settings.FEEDBACK_CONTENT_MAX_CHARS
    name = clean_text(data.sender.name)
    address = clean_text(data.sender.address)
    content = clean_text(data.content)
    solution = clean_text(data.proposed_solution)
    if data.kind not in FeedbackKind.values:
        errors["kind"] = [_("Choose feedback or petition.")]
    if data.category not in Category.values:
        errors["category"] = [_("Choose what your feedback is about.")]
    if not name:
        errors["sender_name"] = [_("Enter your full name.")]
    if not address:
        errors["sender_address"] = [_("Enter your address.")]
    phone = ""
    if data.sender.phone.strip():
        try:
            phone = normalize_vn_phone(data.sender.phone)
        except ValidationError as error:
            errors["sender_phone"] = error.messages
    elif channel != Channel.POST:
        # Art. 7: a phone number, or a postal address for contact (items sent by post).
        errors["sender_phone"] = [_("Enter a phone number we can call you on.")]
    if not content:
        errors["content"] = [_("Describe your feedback clearly.")]
    elif len(content) > limit:
        errors["content"] = [_("Keep the content under %(n)s characters.") % {"n": limit}]
    if data.kind == FeedbackKind.PETITION and not solution:
        # Art. 3: a petition is feedback plus a proposed solution.
        errors["proposed_solution"] = [_("A petition proposes a solution: describe it.")]
    elif len(solution) > limit:
        errors["proposed_solution"] = [
            _("Keep the proposed solution under %(n)s characters.") % {"n": limit}
        ]
    if not data.consent_processing:
        errors["consent_processing"] = [
            _("We can only handle your feedback if you agree to the processing of your data.")
        ]
    procedure = data.procedure
    if procedure is not None and procedure.status != ProcedureStatus.PUBLISHED:
        errors["procedure"] = [_("Choose a procedure from the list.")]
    if len(data.files) > settings.FEEDBACK_ATTACHMENT_MAX_FILES:
        errors["files"] = [
            _("Attach at most %(n)s files.") % {"n": settings.FEEDBACK_ATTACHMENT_MAX_FILES}
        ]
    else:
        for uploaded in data.files:
            try:
                check_attachment(uploaded)
            except ValidationError as error:
                errors.setdefault("files", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return FeedbackInput(
        kind=data.kind,
        category=data.category,
        content=content,
        sender=SenderData(
            name=name[:120],
            address=address[:255],
            phone=phone,
            email=(data.sender.email or "").strip()[:254],
        ),
        proposed_solution=solution,
        procedure=procedure,
        dossier_code=clean_text(data.dossier_code)[:60],
        consent_processing=True,
        consent_notices=bool(data.consent_notices),
        files=list(data.files),
    )


def _next_register_number(*, agency, year: int) -> int:
    """Take the next number of the (agency, year) register atomically (see dossiers._next_code):
    concurrent intakes get distinct consecutive numbers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO feedback_feedbackregistersequence (agency_id, year, last_number) "
            "VALUES (%s, %s, 1) ON CONFLICT (agency_id, year) DO UPDATE SET "
            "last_number = feedback_feedbackregistersequence.last_number + 1 "
            "RETURNING last_number",
            [agency.pk, year],
        )
        return cursor.fetchone()[0]


def _store_attachment(feedback: Feedback, uploaded_file) -> FeedbackAttachment:
    content_type = check_attachment(uploaded_file)
    name = (uploaded_file.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = FeedbackAttachment(
        feedback=feedback,
        original_name=name,
        content_type=content_type,
        size=uploaded_file.size,
    )
    extension = settings.FEEDBACK_ATTACHMENT_TYPES[content_type]
    attachment.file.save(f"{feedback.code}.{extension}", uploaded_file, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def feedback_submit(
    *,
    agency,
    data: FeedbackInput,
    channel: str = Channel.WEB,
    received_by=None,
    received_at: datetime | None = None,
) -> Feedback:
    """Receive and register a feedback item (Art. 9(2)-(3)): from the public form
    (`channel=web`, no `received_by`) or entered by an officer for phone, desk and post items.

    Validates the Art. 7 fields (ValidationError keyed by form field), takes the next register
    number of the year, computes the time limits, stores the attachments privately, records the
    SUBMITTED event and, if the sender agreed, the "we received it" notices.
    """
    if channel not in Channel.values:
        raise ApplicationError(_("Unknown channel."))
    # Phone, desk and post items are entered by an officer who may register feedback.
    if channel != Channel.WEB and (
        received_by is None or not received_by.has_perm("feedback.receive_feedback")
    ):
        raise permissions.FeedbackNotFound
    data = _clean_input(data, channel=channel)
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise ValidationError({"received_at": _("The date of receipt cannot be in the future.")})
    year = timezone.localtime(received_at).year
    limits = time_limits(received_at)
    procedure = data.procedure
    feedback = Feedback(
        agency=agency,
        register_year=year,
        register_number=_next_register_number(agency=agency, year=year),
        kind=data.kind,
        category=data.category,
        channel=channel,
        sender_name=data.sender.name,
        sender_address=data.sender.address,
        sender_phone=data.sender.phone,
        sender_email=data.sender.email,
        consent_processing_at=now,
        consent_notices=data.consent_notices,
        procedure=procedure,
        field_id=procedure.field_id if procedure is not None else None,
        dossier_code=data.dossier_code,
        content=data.content,
        proposed_solution=data.proposed_solution,
        status=S.RECEIVED,
        received_at=received_at,
        received_by=received_by,
        refuse_due_at=limits.refuse_due_at,
        info_request_due_at=limits.info_request_due_at,
        forward_due_at=limits.forward_due_at,
        handle_due_at=limits.handle_due_at,
    )
    feedback.due_at = current_due(feedback)
    for _attempt in range(5):
        feedback.code = new_code(year)
        try:
            with transaction.atomic():  # a savepoint: a code collision must not end the intake
                feedback.save(force_insert=True)
            break
        except IntegrityError:
            if Feedback.objects.filter(code=feedback.code).exists():
                feedback.pk = None
                continue
            raise
    else:  # pragma: no cover - 32^6 codes a year
        raise ApplicationError(_("The receipt code could not be created; try again."))
    for uploaded in data.files:
        _store_attachment(feedback, uploaded)
    event = _event(
        feedback,
        EventType.SUBMITTED,
        actor=received_by,
        at=now,
        to_status=S.RECEIVED,
        data={
            "new": {
                "channel": channel,
                "register_number": feedback.register_label,
                "received_at": _iso(received_at),
                "attachments": len(data.files),
            }
        },
    )
    notices.feedback_event_notify(event)
    return feedback


# --- transitions -----------------------------------------------------------------------------
def _lock(feedback: Feedback, *, user, action: str) -> Feedback:
    """Lock the row and check permission + row policy; missing and forbidden look the same."""
    locked = Feedback.objects.select_for_update(of=("self",)).get(pk=feedback.pk)
    transition = TRANSITIONS[action]
    if not user.has_perm(transition.permission) or not permissions.can_act(user, locked):
        raise permissions.FeedbackNotFound
    return locked


def _check(feedback: Feedback, action: str):
    try:
        return check_transition(action, feedback.status)
    except TransitionNotAllowed as error:
        raise ApplicationError(
            _("This action is not possible while the item is “%(status)s”.")
            % {"status": feedback.get_status_display()}
        ) from error


def _move(feedback: Feedback, to_status: str, fields: list[str]) -> str:
    from_status = feedback.status
    feedback.status = to_status
    feedback.due_at = current_due(feedback)
    feedback.save(update_fields=[*fields, "status", "due_at", "updated_at"])
    return from_status


def _required(value: str, message: str, field_name: str) -> str:
    value = clean_text(value)
    if not value:
        raise ValidationError({field_name: message})
    return value


@transaction.atomic
def feedback_request_info(*, feedback: Feedback, user, note: str) -> Feedback:
    """Ask the sender for more information (Art. 7: the content must be clear; 766 ≤ 5 WD)."""
    feedback = _lock(feedback, user=user, action=Action.REQUEST_INFO)
    if feedback.status == S.NEEDS_INFO:
        return feedback
    _check(feedback, Action.REQUEST_INFO)
    note = _required(note, _("Say what information is missing."), "note")
    now = timezone.now()
    from_status = _move(feedback, S.NEEDS_INFO, [])
    _event(
        feedback,
        EventType.INFO_REQUESTED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=S.NEEDS_INFO,
        note=note,
        data={"new": {"on_time": now <= feedback.info_request_due_at}},
    )
    return feedback


@transaction.atomic
def feedback_receive_info(*, feedback: Feedback, user, note: str) -> Feedback:
    """Record what the sender added; the item goes back to classification."""
    feedback = _lock(feedback, user=user, action=Action.RECEIVE_INFO)
    if feedback.status == S.RECEIVED:
        return feedback
    _check(feedback, Action.RECEIVE_INFO)
    note = _required(note, _("Write down the information the sender gave."), "note")
    from_status = _move(feedback, S.RECEIVED, [])
    _event(
        feedback,
        EventType.INFO_RECEIVED,
        actor=user,
        at=timezone.now(),
        from_status=from_status,
        to_status=S.RECEIVED,
        note=note,
    )
    return feedback


CLASSIFICATION_TARGET = {
    Classification.NOT_ACCEPTED: S.REFUSED,
    Classification.CONDUCT: S.TO_FORWARD,
    Classification.OUTSIDE: S.TO_FORWARD,
    Classification.WITHIN: S.PROCESSING,
}


@transaction.atomic
def feedback_classify(
    *, feedback: Feedback, user, classification: str, note: str = "", refusal_reason: str = ""
) -> Feedback:
    """Study and classify a received item (Art. 9(4)).

    Not accepted ends it (with the reason, told to the sender; 766 ≤ 2 WD); officials' conduct
    and outside our competence wait to be forwarded (≤ 5 WD, Art. 9(5)); within our competence
    goes to handling (≤ 15 WD).
    """
    feedback = _lock(feedback, user=user, action=Action.CLASSIFY)
    if classification not in CLASSIFICATION_TARGET:
        raise ValidationError({"classification": _("Choose a classification.")})
    target = CLASSIFICATION_TARGET[classification]
    if feedback.classification == classification and feedback.status == target:
        return feedback
    _check(feedback, Action.CLASSIFY)
    now = timezone.now()
    fields = ["classification", "classified_at"]
    feedback.classification = classification
    feedback.classified_at = now
    if target == S.REFUSED:
        feedback.refusal_reason = _required(
            refusal_reason, _("Give the reason the item is not accepted."), "refusal_reason"
        )
        feedback.decided_at = now
        feedback.is_on_time = now <= feedback.refuse_due_at
        fields += ["refusal_reason", "decided_at", "is_on_time"]
    from_status = _move(feedback, target, fields)
    event = _event(
        feedback,
        EventType.CLASSIFIED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=target,
        note=clean_text(note) or feedback.refusal_reason,
        data={"new": {"classification": classification}},
    )
    notices.feedback_event_notify(event)
    return feedback


@transaction.atomic
def feedback_forward(*, feedback: Feedback, user, competent_body: str, note: str = "") -> Feedback:
    """Forward an item outside our competence (or about officials' conduct) to the competent
    body, within FEEDBACK_FORWARD_WORKING_DAYS of receipt (Art. 9(5)); tell the sender."""
    feedback = _lock(feedback, user=user, action=Action.FORWARD)
    if feedback.status == S.FORWARDED:
        return feedback
    _check(feedback, Action.FORWARD)
    body = _required(competent_body, _("Name the competent body."), "competent_body")
    now = timezone.now()
    feedback.competent_body = body[:255]
    feedback.forwarded_at = now
    feedback.decided_at = now
    feedback.is_on_time = now <= feedback.forward_due_at
    from_status = _move(
        feedback, S.FORWARDED, ["competent_body", "forwarded_at", "decided_at", "is_on_time"]
    )
    event = _event(
        feedback,
        EventType.FORWARDED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=S.FORWARDED,
        note=clean_text(note),
        data={"new": {"competent_body": body, "on_time": feedback.is_on_time}},
    )
    notices.feedback_event_notify(event)
    return feedback


@transaction.atomic
def feedback_assign(*, feedback: Feedback, user, officer, note: str = "") -> Feedback:
    """Give an item within our competence to an officer of the same agency."""
    feedback = _lock(feedback, user=user, action=Action.ASSIGN)
    if officer is None or not officer.is_active:
        raise ValidationError({"officer": _("Choose an officer.")})
    if feedback.assigned_to_id == officer.pk:
        return feedback
    _check(feedback, Action.ASSIGN)
    department = getattr(officer, "department", None)
    if department is None or department.agency_id != feedback.agency_id:
        raise ValidationError({"officer": _("Choose an officer of this agency.")})
    if not officer.has_perm("feedback.answer_feedback"):
        raise ValidationError({"officer": _("This officer cannot answer feedback.")})
    old = feedback.assigned_to_id
    feedback.assigned_to = officer
    feedback.save(update_fields=["assigned_to", "updated_at"])
    _event(
        feedback,
        EventType.ASSIGNED,
        actor=user,
        at=timezone.now(),
        from_status=feedback.status,
        to_status=feedback.status,
        note=clean_text(note),
        data={"old": {"officer": old}, "new": {"officer": officer.pk}},
    )
    return feedback


@transaction.atomic
def feedback_answer(
    *, feedback: Feedback, user, answer_text: str, reply_number: str = ""
) -> Feedback:
    """Record the handling decision and the written reply (Art. 14-15, 19(3)).

    Sets the publication limit (FEEDBACK_PUBLISH_WORKING_DAYS after the answer) and whether the
    answer came in time; the sender is told, with the reply letter as a PDF in the email.
    """
    feedback = _lock(feedback, user=user, action=Action.ANSWER)
    if feedback.status in (S.ANSWERED, S.PUBLISHED):
        return feedback
    _check(feedback, Action.ANSWER)
    text = _required(answer_text, _("Write the answer."), "answer_text")
    if len(text) > settings.FEEDBACK_CONTENT_MAX_CHARS * 2:
        raise ValidationError({"answer_text": _("The answer is too long.")})
    now = timezone.now()
    feedback.answer_text = text
    feedback.answered_at = now
    feedback.answered_by = user
    feedback.reply_number = clean_text(reply_number)[:40]
    feedback.decided_at = now
    feedback.is_on_time = now <= feedback.handle_due_at
    feedback.publish_due_at = publish_due(now)
    from_status = _move(
        feedback,
        S.ANSWERED,
        [
            "answer_text",
            "answered_at",
            "answered_by",
            "reply_number",
            "decided_at",
            "is_on_time",
            "publish_due_at",
        ],
    )
    event = _event(
        feedback,
        EventType.ANSWERED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=S.ANSWERED,
        data={"new": {"on_time": feedback.is_on_time, "reply_number": feedback.reply_number}},
    )
    notices.feedback_event_notify(event)
    return feedback


# --- publication -----------------------------------------------------------------------------
_DIGITS = re.compile(r"\d")
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){8,}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def personal_data_found(feedback: Feedback, texts: list[str]) -> list[str]:
    """What personal data of the sender (or what looks like it) `texts` still contain.

    Compared without case or diacritics: the sender's full name, address, email and phone
    (as digits, any spacing, with 0 or +84), plus any email address and any run of 9 or more
    digits (phone or ID numbers of other people). Returns the labels of what was found.
    """
    folded = fold(" ".join(texts))
    digits = "".join(_DIGITS.findall(" ".join(texts)))
    found = []
    name = fold(feedback.sender_name)
    if name and name in folded:
        found.append(_("the sender's name"))
    address = fold(feedback.sender_address)
    if address and len(address) >= 6 and address in folded:
        found.append(_("the sender's address"))
    if feedback.sender_phone:
        national = feedback.sender_phone.removeprefix("+84")
        if national and national in digits:
            found.append(_("the sender's phone number"))
    if feedback.sender_email and feedback.sender_email.casefold() in " ".join(texts).casefold():
        found.append(_("the sender's email address"))
    joined = " ".join(texts)
    if _EMAIL.search(joined) and _("the sender's email address") not in found:
        found.append(_("an email address"))
    if _LONG_NUMBER.search(joined) and _("the sender's phone number") not in found:
        found.append(_("a phone or ID number"))
    return found


def search_text_of(feedback: Feedback) -> str:
    procedure_name = feedback.procedure.name if feedback.procedure_id else ""
    return fold(" ".join([feedback.public_question, feedback.public_answer, procedure_name]))


@transaction.atomic
def feedback_publish(
    *, feedback: Feedback, user, public_question: str, public_answer: str
) -> Feedback:
    """Publish the answer in the public archive (Art. 19(1)) with texts the officer edited to
    remove personal data (DOMAIN.md §12.3).

    Refuses (ValidationError on the texts) when they still contain the sender's name, address,
    phone or email, an email address or a long number. Sets the folded search column.
    """
    feedback = _lock(feedback, user=user, action=Action.PUBLISH)
    if feedback.status == S.PUBLISHED:
        return feedback
    _check(feedback, Action.PUBLISH)
    limit = settings.FEEDBACK_CONTENT_MAX_CHARS * 2
    question = _required(
        public_question, _("Write the question as it will be published."), "public_question"
    )
    answer = _required(
        public_answer, _("Write the answer as it will be published."), "public_answer"
    )
    if len(question) > limit or len(answer) > limit:
        raise ValidationError({"public_answer": _("The texts are too long.")})
    found = personal_data_found(feedback, [question, answer])
    if found:
        raise ValidationError(
            {
                "public_question": _(
                    "Remove personal data before publishing. The texts contain: %(found)s."
                )
                % {"found": ", ".join(found)}
            }
        )
    now = timezone.now()
    feedback.public_question = question
    feedback.public_answer = answer
    feedback.published_at = now
    feedback.search_text = search_text_of(feedback)
    from_status = _move(
        feedback,
        S.PUBLISHED,
        ["public_question", "public_answer", "published_at", "search_text"],
    )
    _event(
        feedback,
        EventType.PUBLISHED,
        actor=user,
        at=now,
        from_status=from_status,
        to_status=S.PUBLISHED,
        data={
            "new": {"on_time": feedback.publish_due_at is None or now <= feedback.publish_due_at}
        },
    )
    return feedback


@transaction.atomic
def feedback_unpublish(*, feedback: Feedback, user, reason: str) -> Feedback:
    """Take an answer out of the archive (e.g. personal data noticed after publication)."""
    feedback = _lock(feedback, user=user, action=Action.UNPUBLISH)
    if feedback.status == S.ANSWERED:
        return feedback
    _check(feedback, Action.UNPUBLISH)
    reason = _required(reason, _("Give the reason."), "reason")
    feedback.published_at = None
    feedback.search_text = ""
    from_status = _move(feedback, S.ANSWERED, ["published_at", "search_text"])
    _event(
        feedback,
        EventType.UNPUBLISHED,
        actor=user,
        at=timezone.now(),
        from_status=from_status,
        to_status=S.ANSWERED,
        note=reason,
    )
    return feedback


def feedback_mark_helpful(*, feedback_id: int, helpful: bool) -> bool:
    """Count a reader's helpful / not-helpful vote on a published answer (the national
    index's satisfaction with answers). One vote per browser is enforced by the view's signed
    cookie; returns False when the item is not published."""
    column = "helpful_count" if helpful else "not_helpful_count"
    updated = Feedback.objects.filter(pk=feedback_id, status=S.PUBLISHED).update(
        **{column: F(column) + 1}
    )
    return bool(updated)

"""Writes of the satisfaction app: invitations, responses and their follow-ups, kiosk tablets,
survey versions.

- `invitation_for_dossier`: the one invitation of a dossier (idempotent), for the result notice
  and the QR code of the slips.
- `response_submit`: a citizen's answers, from a link, a QR code, the code + phone entry or a
  kiosk. Validates every score (1..5), keeps one response per dossier (a unique constraint,
  not a check-then-insert), copies the procedure and the officers rated from the dossier, and
  opens a `FollowUp` for a low score or a complaint in the comment.
- `kiosk_enroll` / `kiosk_revoke`: the desk's tablets.
- `survey_new_version` / `survey_activate`: the admin edits a copy, never a version with answers.

Citizens' answers carry no personal data; the comment is the citizen's own words and is shown
to staff only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.text import fold
from dossiers.lookup import normalize_code
from dossiers.models import Dossier

from .constants import (
    SCORE_MAX,
    SCORE_MIN,
    FollowUpEventType,
    FollowUpReason,
    FollowUpStatus,
    ResponseSource,
)
from .models import (
    Answer,
    Criterion,
    FacilityOption,
    FollowUp,
    FollowUpEvent,
    Invitation,
    KioskDevice,
    Question,
    Response,
    Survey,
)
from .selectors import LinkState, invitation_expiry, link_state, user_agency_id
from .tokens import kiosk_token_hash, new_invitation_token, new_kiosk_token


class AlreadyAnswered(ApplicationError):
    """The dossier was already rated: a second response is refused (politely, by the view)."""


class SurveyClosed(ApplicationError):
    """The dossier cannot be rated now (result not ready, link expired); `state` says why."""

    def __init__(self, message, *, state: LinkState):
        super().__init__(message)
        self.state = state


class KioskRevoked(ApplicationError):
    """The tablet was revoked: it takes no more responses."""


# --- invitations -------------------------------------------------------------------------------
def invitation_for_dossier(*, dossier) -> Invitation:
    """The dossier's invitation, created on first use (idempotent and safe under concurrency).

    Called by the result notice (dossiers.notices), the slips (dossiers.slips) and the code +
    phone entry. The token is 24 random bytes. `expires_at` is filled in as soon as the dossier
    has been handed over (SATISFACTION_INVITATION_VALID_DAYS later); until then the link's
    state is computed from the dossier (satisfaction.selectors.link_state).
    """
    expires_at = invitation_expiry(returned_at=dossier.returned_at)
    invitation = Invitation.objects.filter(dossier_id=dossier.pk).first()
    if invitation is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent creation must not break us
                invitation = Invitation.objects.create(
                    dossier_id=dossier.pk, token=new_invitation_token(), expires_at=expires_at
                )
        except IntegrityError:
            invitation = Invitation.objects.get(dossier_id=dossier.pk)
    if invitation.expires_at is None and expires_at is not None:
        Invitation.objects.filter(pk=invitation.pk, expires_at__isnull=True).update(
            expires_at=expires_at
        )
        invitation.expires_at = expires_at
    return invitation


# --- responses ---------------------------------------------------------------------------------
@dataclass
class SurveyAnswers:
    """What a citizen sent: scores by question id (as received: validated by the service), the
    facility checklist ticks (FacilityOption ids), and two free texts."""

    scores: dict = field(default_factory=dict)
    facility_option_ids: list = field(default_factory=list)
    comment: str = ""
    expectation: str = ""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value) -> str:
    """Strip, normalise line ends and drop control characters (NUL breaks PostgreSQL)."""
    text = value if isinstance(value, str) else ""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def question_field(question_id: int) -> str:
    """The form field (and ValidationError key) of a question."""
    return f"q{question_id}"


def _score(value) -> int | None:
    """An integer 1..5 from what was sent, else None (0, 6, "abc", 4.5, True are refused)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            return None
        value = int(value)
    if not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
        return None
    return value


def _clean_answers(survey: Survey, answers: SurveyAnswers):
    """(question, score) pairs, facility options and texts; ValidationError keyed by form field
    (`q<id>`, `facilities`, `comment`, `expectation`, or `__all__`)."""
    errors: dict[str, list] = {}
    scored: list[tuple[Question, int]] = []
    questions = Question.objects.filter(criterion__survey=survey).select_related("criterion")
    for question in questions.order_by("criterion__position", "position", "id"):
        raw = answers.scores.get(question.pk, answers.scores.get(str(question.pk)))
        if raw is None or raw == "":
            if question.is_required:
                errors[question_field(question.pk)] = [
                    _("Choose how satisfied you are, from 1 to 5.")
                ]
            continue
        score = _score(raw)
        if score is None:
            errors[question_field(question.pk)] = [
                _("Choose one of the five levels: 1 (very dissatisfied) to 5 (very satisfied).")
            ]
            continue
        scored.append((question, score))
    if not scored and not errors:
        errors["__all__"] = [_("Answer at least one question.")]
    option_ids = {str(value) for value in answers.facility_option_ids or []}
    options = list(FacilityOption.objects.filter(survey=survey, pk__in=_ints(option_ids)))
    if len(options) != len(option_ids):
        errors["facilities"] = [_("Tick only the items of the list.")]
    limit = settings.SATISFACTION_TEXT_MAX_CHARS
    comment, expectation = _clean_text(answers.comment), _clean_text(answers.expectation)
    for name, text in (("comment", comment), ("expectation", expectation)):
        if len(text) > limit:
            errors[name] = [_("Keep this under %(n)s characters.") % {"n": limit}]
    if errors:
        raise ValidationError(errors)
    return scored, options, comment, expectation


def _ints(values) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 12]


# Words that, just before a complaint word, turn it around ("không phiền hà", "chẳng hề làm
# khó"): folded, looked for in the three words before.
_NEGATIONS = frozenset({"khong", "chang", "cha", "ko", "k", "chua", "khoi"})
_WORD = re.compile(r"[a-z0-9]+")


def complaint_keywords_in(text: str) -> list[str]:
    """The SATISFACTION_COMPLAINT_KEYWORDS found in `text`, as configured.

    Matched on whole words without diacritics or case ("Phien ha" finds "phiền hà"); a keyword
    right after a negation ("không gây phiền hà") does not count unless the keyword is itself
    negative ("không hài lòng").
    """
    words = _WORD.findall(fold(text or ""))
    found = []
    for keyword in settings.SATISFACTION_COMPLAINT_KEYWORDS:
        target = _WORD.findall(fold(keyword))
        if not target:
            continue
        size = len(target)
        for start in range(len(words) - size + 1):
            if words[start : start + size] != target:
                continue
            negated = any(word in _NEGATIONS for word in words[max(0, start - 3) : start])
            if negated and target[0] not in _NEGATIONS:
                continue
            found.append(keyword)
            break
    return found


def _mean(scores: list[int]) -> Decimal:
    return (Decimal(sum(scores)) / Decimal(len(scores))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _follow_up_reasons(scored, comment: str, expectation: str) -> list[dict]:
    threshold = settings.SATISFACTION_LOW_SCORE
    reasons = [
        {
            "kind": FollowUpReason.LOW_SCORE.value,
            "criterion": question.criterion.code,
            "criterion_label": question.criterion.label,
            "question_id": question.pk,
            "question": question.text,
            "score": score,
        }
        for question, score in scored
        if score <= threshold
    ]
    keywords = complaint_keywords_in(f"{comment}\n{expectation}")
    if keywords:
        reasons.append({"kind": FollowUpReason.COMPLAINT.value, "keywords": keywords})
    return reasons


def _check_dossier(dossier, *, now) -> Invitation | None:
    """Raise AlreadyAnswered / SurveyClosed unless the dossier may be rated now; return its
    invitation if it has one."""
    invitation = Invitation.objects.filter(dossier_id=dossier.pk).first()
    answered = Response.objects.filter(dossier_id=dossier.pk).exists()
    check = link_state(dossier=dossier, invitation=invitation, answered=answered, now=now)
    if check.state == LinkState.USED:
        raise AlreadyAnswered(_("This dossier has already been rated. Thank you."))
    if check.state == LinkState.NOT_READY:
        raise SurveyClosed(
            _("You can rate this dossier once its result is ready."), state=check.state
        )
    if check.state == LinkState.EXPIRED:
        raise SurveyClosed(_("The time to rate this dossier has passed."), state=check.state)
    return invitation


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    source: str,
    answers: SurveyAnswers,
    dossier=None,
    kiosk: KioskDevice | None = None,
    agency=None,
    now=None,
) -> Response:
    """Record one citizen's answers to the active `survey`.

    With a `dossier` (reached by its invitation link, its QR code, code + phone digits, or a
    code typed at the kiosk): the dossier must have a result (ready or handed over) and be
    within its invitation's validity; a second response raises AlreadyAnswered (the database's
    unique constraint decides under concurrency); the procedure, the desk officer who received
    the dossier and its handler are stored for the index, and the invitation is marked used.
    Without one (a general response at a kiosk), `agency` is the kiosk's.

    Raises ValidationError keyed by form field for bad answers (a score outside 1..5, a
    required question left out), SurveyClosed, AlreadyAnswered, KioskRevoked. Opens a FollowUp
    (with its first history row) when a score is ≤ SATISFACTION_LOW_SCORE or the comment or
    expectation holds a complaint keyword.
    """
    now = now or timezone.now()
    if source not in ResponseSource.values:
        raise ApplicationError(_("Unknown source."))
    if not survey.is_active:
        raise ApplicationError(
            _("The survey has just been updated. Please answer the new version.")
        )
    if kiosk is not None:
        kiosk = KioskDevice.objects.select_for_update(of=("self",)).get(pk=kiosk.pk)
        if kiosk.revoked_at is not None:
            raise KioskRevoked(_("This tablet is no longer enrolled for the survey."))
        agency = kiosk.agency
    elif source == ResponseSource.KIOSK:
        raise ApplicationError(_("A kiosk response needs its tablet."))
    invitation = None
    if dossier is not None:
        dossier = Dossier.objects.select_related("agency", "procedure").get(pk=dossier.pk)
        invitation = _check_dossier(dossier, now=now)
        if kiosk is not None and dossier.agency_id != kiosk.agency_id:
            raise ApplicationError(_("This dossier belongs to another office."))
        agency = dossier.agency
    if agency is None:
        raise ApplicationError(_("No office to record the response for."))
    scored, options, comment, expectation = _clean_answers(survey, answers)
    scores = [score for _question, score in scored]
    threshold = settings.SATISFACTION_LOW_SCORE
    response = Response(
        agency=agency,
        survey=survey,
        dossier=dossier,
        invitation=invitation,
        source=source,
        kiosk=kiosk,
        procedure_id=dossier.procedure_id if dossier is not None else None,
        desk_officer_id=dossier.received_by_id if dossier is not None else None,
        handler_id=dossier.handler_id if dossier is not None else None,
        submitted_at=now,
        comment=comment,
        expectation=expectation,
        mean_score=_mean(scores),
        has_low_score=min(scores) <= threshold,
    )
    try:
        with transaction.atomic():  # a savepoint: the duplicate is answered, not a 500
            response.save(force_insert=True)
    except IntegrityError:
        if dossier is not None and Response.objects.filter(dossier_id=dossier.pk).exists():
            raise AlreadyAnswered(_("This dossier has already been rated. Thank you.")) from None
        raise
    Answer.objects.bulk_create(
        Answer(response=response, question=question, score=score) for question, score in scored
    )
    if options:
        response.facility_options.set(options)
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(used_at=now)
    if kiosk is not None:
        KioskDevice.objects.filter(pk=kiosk.pk).update(last_used_at=now)
    reasons = _follow_up_reasons(scored, comment, expectation)
    if reasons:
        follow_up = FollowUp.objects.create(
            response=response, status=FollowUpStatus.OPEN, reasons=reasons, opened_at=now
        )
        FollowUpEvent.objects.create(
            follow_up=follow_up,
            type=FollowUpEventType.OPENED,
            at=now,
            data={"reasons": reasons},
        )
    return response


def kiosk_dossier(*, kiosk: KioskDevice, code: str, now=None):
    """The dossier a code typed at the kiosk links the response to, or None for a general one.

    Only a dossier of the kiosk's agency that may be rated now (result ready or handed over,
    not expired, not yet rated); anything else gives None, and the citizen sees the same
    thank-you either way: the kiosk never tells anything about a code.
    """
    code = normalize_code(code or "")
    if code is None:
        return None
    dossier = (
        Dossier.objects.filter(code=code, agency_id=kiosk.agency_id)
        .select_related("agency", "procedure")
        .first()
    )
    if dossier is None:
        return None
    try:
        _check_dossier(dossier, now=now or timezone.now())
    except (AlreadyAnswered, SurveyClosed):
        return None
    return dossier


# --- kiosk tablets -----------------------------------------------------------------------------
def _require(user, perm: str) -> None:
    if not user.is_authenticated or not user.has_perm(perm):
        raise PermissionDenied


def kiosk_enroll(*, user, name: str, now=None) -> tuple[KioskDevice, str]:
    """Enrol the tablet the officer is using: returns the device and its raw token, which the
    view puts in a signed cookie and which is never stored (only its SHA-256).

    Needs `satisfaction.enroll_kioskdevice` and a department (the tablet belongs to the
    officer's agency). ValidationError {"name": ...} when the name is empty or too long.
    """
    _require(user, "satisfaction.enroll_kioskdevice")
    agency_id = user_agency_id(user)
    if agency_id is None:
        raise ApplicationError(_("Your account belongs to no office: ask an administrator."))
    name = " ".join(_clean_text(name).split())
    if not name:
        raise ValidationError({"name": _("Give the tablet a name, e.g. “Quầy 1”.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    token = new_kiosk_token()
    device = KioskDevice.objects.create(
        agency_id=agency_id,
        name=name,
        token_hash=kiosk_token_hash(token),
        enrolled_by=user,
        enrolled_at=now or timezone.now(),
    )
    return device, token


@transaction.atomic
def kiosk_revoke(*, user, device: KioskDevice, now=None) -> KioskDevice:
    """Revoke a tablet of the officer's agency (at once: its cookie no longer opens the kiosk).
    Idempotent; another agency's tablet looks missing (PermissionDenied)."""
    _require(user, "satisfaction.enroll_kioskdevice")
    device = KioskDevice.objects.select_for_update().get(pk=device.pk)
    if device.agency_id != user_agency_id(user) and not user.is_superuser:
        raise PermissionDenied
    if device.revoked_at is None:
        device.revoked_at = now or timezone.now()
        device.revoked_by = user
        device.save(update_fields=["revoked_at", "revoked_by"])
    return device


# --- survey versions ---------------------------------------------------------------------------
@transaction.atomic
def survey_new_version(*, survey: Survey, user) -> Survey:
    """A new, inactive version of `survey` copying its criteria, questions and checklist, for
    the administrator to edit and then activate (survey_activate). The old version and every
    answer given to it stay as they are: answers keep their meaning (DOMAIN.md §8.1)."""
    _require(user, "satisfaction.add_survey")
    latest = Survey.objects.select_for_update().filter(code=survey.code)
    version = (latest.aggregate(top=Max("version"))["top"] or 0) + 1
    copy = Survey.objects.create(
        code=survey.code,
        version=version,
        title=survey.title,
        introduction=survey.introduction,
        is_active=False,
        based_on=survey,
        created_by=user,
    )
    for criterion in survey.criteria.prefetch_related("questions").order_by("position", "id"):
        new = Criterion.objects.create(
            survey=copy,
            position=criterion.position,
            code=criterion.code,
            label=criterion.label,
            description=criterion.description,
            shows_facilities=criterion.shows_facilities,
        )
        Question.objects.bulk_create(
            Question(criterion=new, position=q.position, text=q.text, is_required=q.is_required)
            for q in criterion.questions.all()
        )
    FacilityOption.objects.bulk_create(
        FacilityOption(survey=copy, position=o.position, code=o.code, label=o.label)
        for o in survey.facility_options.all()
    )
    return copy


@transaction.atomic
def survey_activate(*, survey: Survey, user) -> Survey:
    """Put `survey` in use instead of the other versions of its code (new links and kiosks show
    it at once; answers already given keep their version). Needs at least one question."""
    _require(user, "satisfaction.change_survey")
    versions = list(Survey.objects.select_for_update().filter(code=survey.code))
    survey = next(s for s in versions if s.pk == survey.pk)
    if survey.is_active:
        return survey
    if not Question.objects.filter(criterion__survey=survey).exists():
        raise ApplicationError(_("This version has no questions: add some before using it."))
    Survey.objects.filter(code=survey.code, is_active=True).update(is_active=False)
    survey.is_active = True
    survey.save(update_fields=["is_active", "updated_at"])
    return survey


# ==============================================================================================
# Follow-ups: leadership records what was done and closes (helper "satindex"; issue 7 step 4)
# ==============================================================================================
# A follow-up is opened by response_submit above. Leaders (`satisfaction.close_followup`, of the
# follow-up's agency) add notes of what was done, close it with the action taken (required) and
# may reopen it with a reason. One function per transition: lock the row, return quietly when
# it is already in the target state, update the row, append one FollowUpEvent (who, when, what;
# data holds the old and new values). The history is never edited.


def _followup_text(value, *, message) -> str:
    text = _clean_text(value)
    if not text:
        raise ApplicationError(message)
    limit = settings.SATISFACTION_FOLLOWUP_TEXT_MAX_CHARS
    if len(text) > limit:
        raise ApplicationError(
            _("Write at most %(limit)d characters (you wrote %(count)d).")
            % {"limit": limit, "count": len(text)}
        )
    return text


def _lock_followup(*, follow_up: FollowUp, user) -> FollowUp:
    """The follow-up, locked, if `user` may act on it: the permission, and the same agency as
    the response (superusers: any). PermissionDenied otherwise."""
    _require(user, "satisfaction.close_followup")
    locked = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("response")
        .get(pk=follow_up.pk)
    )
    if not user.is_superuser and user_agency_id(user) != locked.response.agency_id:
        raise PermissionDenied
    return locked


@transaction.atomic
def followup_record_action(*, follow_up: FollowUp, user, note: str, now=None) -> FollowUpEvent:
    """Record, on an open follow-up, something done about it (a call to the citizen, a word
    with the officer, a pen bought for the desk). The note is required. Closed follow-ups take
    no notes: reopen first. Appends a NOTE event."""
    now = now or timezone.now()
    note = _followup_text(note, message=_("Write what was done."))
    locked = _lock_followup(follow_up=follow_up, user=user)
    if not locked.is_open:
        raise ApplicationError(_("This follow-up is closed. Reopen it to add a note."))
    return FollowUpEvent.objects.create(
        follow_up=locked, type=FollowUpEventType.NOTE, actor=user, at=now, note=note
    )


@transaction.atomic
def followup_close(*, follow_up: FollowUp, user, action_taken: str, now=None) -> FollowUp:
    """Close a follow-up with the action taken (required: what was done about the low score
    or the complaint). Already closed: returned unchanged. Appends a CLOSED event."""
    now = now or timezone.now()
    action_taken = _followup_text(
        action_taken, message=_("Describe what was done before closing the follow-up.")
    )
    locked = _lock_followup(follow_up=follow_up, user=user)
    if not locked.is_open:
        return locked
    locked.status = FollowUpStatus.CLOSED
    locked.action_taken = action_taken
    locked.closed_by = user
    locked.closed_at = now
    locked.save(update_fields=["status", "action_taken", "closed_by", "closed_at"])
    FollowUpEvent.objects.create(
        follow_up=locked,
        type=FollowUpEventType.CLOSED,
        actor=user,
        at=now,
        note=action_taken,
        data={"old": {"status": FollowUpStatus.OPEN}, "new": {"status": FollowUpStatus.CLOSED}},
    )
    return locked


@transaction.atomic
def followup_reopen(*, follow_up: FollowUp, user, reason: str, now=None) -> FollowUp:
    """Reopen a closed follow-up (the problem came back, the action was not enough); the
    reason is required. Already open: returned unchanged. The previous action text stays in
    the CLOSED event of the history; the row's closing fields are cleared. Appends a REOPENED
    event."""
    now = now or timezone.now()
    reason = _followup_text(reason, message=_("Say why the follow-up is reopened."))
    locked = _lock_followup(follow_up=follow_up, user=user)
    if locked.is_open:
        return locked
    old = {
        "status": locked.status,
        "action_taken": locked.action_taken,
        "closed_by": locked.closed_by_id,
        "closed_at": locked.closed_at.isoformat() if locked.closed_at else None,
    }
    locked.status = FollowUpStatus.OPEN
    locked.action_taken = ""
    locked.closed_by = None
    locked.closed_at = None
    locked.save(update_fields=["status", "action_taken", "closed_by", "closed_at"])
    FollowUpEvent.objects.create(
        follow_up=locked,
        type=FollowUpEventType.REOPENED,
        actor=user,
        at=now,
        note=reason,
        data={"old": old, "new": {"status": FollowUpStatus.OPEN}},
    )
    return locked

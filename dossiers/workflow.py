"""The dossier transition table: which action moves a dossier from which status to which.

Services validate every change against this table (`check_transition`); views use
`actions_for` to show only the buttons that make sense. Sources: DOMAIN.md §3.2-§3.8.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import DossierStatus as S


class Action(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")
    ASSIGN = "assign", _("Assign to a specialist")
    REQUEST_SUPPLEMENT = "request_supplement", _("Request additional documents")
    REQUEST_PAYMENT = "request_payment", _("Request fee payment")
    RESUME = "resume", _("Resume processing")
    RESCHEDULE = "reschedule", _("Apologise and set a new date")
    RESOLVE = "resolve", _("Mark the result ready")
    RECORD_PAPER_RESULT = "record_paper_result", _("Record the paper result at the desk")
    RETURN_RESULT = "return_result", _("Return the result")
    STOP = "stop", _("Stop processing")
    WITHDRAW = "withdraw", _("Withdraw at the applicant's request")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str | None  # None: the status does not change
    permission: str


_OPEN_AFTER_ACCEPTANCE = frozenset(
    {S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT}
)

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # An online submission (1) is checked at the desk: accepted (2) or refused (3) with
        # the refusal slip (§3.2). In-person intake creates the dossier directly in 2 or 3.
        Transition(Action.ACCEPT, frozenset({S.SUBMITTED}), S.ACCEPTED, "dossiers.receive_dossier"),
        Transition(Action.REFUSE, frozenset({S.SUBMITTED}), S.REFUSED, "dossiers.receive_dossier"),
        # The desk hands the dossier to the specialist office; re-assignment keeps status 4.
        Transition(
            Action.ASSIGN,
            frozenset({S.ACCEPTED, S.PROCESSING}),
            S.PROCESSING,
            "dossiers.assign_dossier",
        ),
        # Supplement after acceptance pauses the clock (§3.4); fee payment pause is [U].
        Transition(
            Action.REQUEST_SUPPLEMENT,
            frozenset({S.ACCEPTED, S.PROCESSING}),
            S.SUPPLEMENT_REQUESTED,
            "dossiers.process_dossier",
        ),
        Transition(
            Action.REQUEST_PAYMENT,
            frozenset({S.PROCESSING}),
            S.AWAITING_PAYMENT,
            "dossiers.process_dossier",
        ),
        Transition(
            Action.RESUME,
            frozenset({S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT}),
            S.PROCESSING,
            "dossiers.receive_dossier",
        ),
        # Apology and new appointment: no status change, at most once, >= 1 WD before due (§3.5).
        Transition(
            Action.RESCHEDULE,
            frozenset({S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT}),
            None,
            "dossiers.reschedule_dossier",
        ),
        Transition(
            Action.RESOLVE, frozenset({S.PROCESSING}), S.RESOLVED, "dossiers.process_dossier"
        ),
        # Plan 645 V.3: paper and electronic records in step; the desk records the paper result.
        Transition(
            Action.RECORD_PAPER_RESULT, frozenset({S.RESOLVED}), None, "dossiers.receive_dossier"
        ),
        Transition(
            Action.RETURN_RESULT, frozenset({S.RESOLVED}), S.RETURNED, "dossiers.receive_dossier"
        ),
        # Not eligible after appraisal: a written notice with reasons ends processing (§3.4).
        Transition(Action.STOP, _OPEN_AFTER_ACCEPTANCE, S.STOPPED, "dossiers.process_dossier"),
        Transition(
            Action.WITHDRAW,
            frozenset({S.SUBMITTED}) | _OPEN_AFTER_ACCEPTANCE,
            S.WITHDRAWN,
            "dossiers.receive_dossier",
        ),
    ]
}


class TransitionNotAllowed(Exception):
    pass


def check_transition(action: str, status: str) -> Transition:
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise TransitionNotAllowed(f"{action} is not allowed from status {status}")
    return transition


def actions_for(status: str) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if status in t.sources]


def reachable(source: str, target: str) -> bool:
    """True if one action moves a dossier from `source` to `target` (used by table tests)."""
    return any(source in t.sources and t.target == target for t in TRANSITIONS.values())

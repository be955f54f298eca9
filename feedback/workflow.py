"""The feedback transition table: which action moves an item from which status to which.

Services validate every change against this table (`check_transition`); the staff page uses
`actions_for` to show only the buttons that make sense. Sources: Decree 20/2008 Art. 9, 14-15,
19 and the national index's time limits (DOMAIN.md §7).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import FeedbackStatus as S


class Action(models.TextChoices):
    REQUEST_INFO = "request_info", _("Ask the sender for more information")
    RECEIVE_INFO = "receive_info", _("Record the information received")
    CLASSIFY = "classify", _("Classify")
    FORWARD = "forward", _("Forward to the competent body")
    ASSIGN = "assign", _("Assign to an officer")
    ANSWER = "answer", _("Answer")
    PUBLISH = "publish", _("Publish the answer")
    UNPUBLISH = "unpublish", _("Withdraw from the archive")


class TransitionNotAllowed(Exception):
    pass


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    # None: the target depends on the input (classification) or the status does not change.
    target: str | None
    permission: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # Art. 7 requires a clear content; the officer may ask once for more (766: ≤ 5 WD).
        Transition(
            Action.REQUEST_INFO, frozenset({S.RECEIVED}), S.NEEDS_INFO, "feedback.classify_feedback"
        ),
        Transition(
            Action.RECEIVE_INFO,
            frozenset({S.NEEDS_INFO}),
            S.RECEIVED,
            "feedback.classify_feedback",
        ),
        # Art. 9(4): not accepted -> REFUSED (766: ≤ 2 WD); officials' conduct or outside our
        # competence -> TO_FORWARD (Art. 9(5): within 5 WD); within competence -> PROCESSING.
        Transition(
            Action.CLASSIFY,
            frozenset({S.RECEIVED, S.NEEDS_INFO}),
            None,
            "feedback.classify_feedback",
        ),
        Transition(
            Action.FORWARD, frozenset({S.TO_FORWARD}), S.FORWARDED, "feedback.classify_feedback"
        ),
        # Re-assignment keeps the status.
        Transition(Action.ASSIGN, frozenset({S.PROCESSING}), None, "feedback.assign_feedback"),
        # Art. 14-15: the handling decision and the written reply (Art. 19(3)); 766: ≤ 15 WD.
        Transition(
            Action.ANSWER, frozenset({S.PROCESSING}), S.ANSWERED, "feedback.answer_feedback"
        ),
        # Art. 19(1): publication on the portal; 766: ≤ 2 WD after the decision.
        Transition(
            Action.PUBLISH, frozenset({S.ANSWERED}), S.PUBLISHED, "feedback.publish_feedback"
        ),
        # Personal data found after publication: take the answer down, fix, publish again.
        Transition(
            Action.UNPUBLISH, frozenset({S.PUBLISHED}), S.ANSWERED, "feedback.publish_feedback"
        ),
    ]
}


def check_transition(action: str, status: str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None or status not in transition.sources:
        raise TransitionNotAllowed(f"{action} is not allowed from {status}")
    return transition


def actions_for(status: str, user) -> list[str]:
    """The actions `user` may take on an item in `status`, in table order."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if status in t.sources and user.has_perm(t.permission)
    ]

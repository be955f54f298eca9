"""The transition table over every (from, to) pair of statuses."""

import itertools

import pytest

from dossiers.constants import DossierStatus as S
from dossiers.workflow import TRANSITIONS, Action, actions_for, reachable

# The expected one-step moves, written out independently of workflow.py.
EXPECTED = {
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.REFUSED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.ACCEPTED, S.PROCESSING),
    (S.ACCEPTED, S.SUPPLEMENT_REQUESTED),
    (S.ACCEPTED, S.STOPPED),
    (S.ACCEPTED, S.WITHDRAWN),
    (S.PROCESSING, S.PROCESSING),  # re-assignment to another specialist
    (S.PROCESSING, S.SUPPLEMENT_REQUESTED),
    (S.PROCESSING, S.AWAITING_PAYMENT),
    (S.PROCESSING, S.RESOLVED),
    (S.PROCESSING, S.STOPPED),
    (S.PROCESSING, S.WITHDRAWN),
    (S.SUPPLEMENT_REQUESTED, S.PROCESSING),
    (S.SUPPLEMENT_REQUESTED, S.STOPPED),
    (S.SUPPLEMENT_REQUESTED, S.WITHDRAWN),
    (S.AWAITING_PAYMENT, S.PROCESSING),
    (S.AWAITING_PAYMENT, S.STOPPED),
    (S.AWAITING_PAYMENT, S.WITHDRAWN),
    (S.RESOLVED, S.RETURNED),
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S, S)))
def test_every_status_pair(source, target):
    assert reachable(source, target) == ((source, target) in EXPECTED)


@pytest.mark.parametrize("final", [S.REFUSED, S.WITHDRAWN, S.STOPPED, S.RETURNED])
def test_final_statuses_allow_no_action(final):
    assert actions_for(final) == []


def test_reschedule_is_possible_only_while_the_dossier_is_open_after_acceptance():
    sources = TRANSITIONS[Action.RESCHEDULE].sources
    assert sources == {S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT}
    assert TRANSITIONS[Action.RESCHEDULE].target is None


def test_every_transition_names_a_dossier_permission():
    for transition in TRANSITIONS.values():
        assert transition.permission.startswith("dossiers.")

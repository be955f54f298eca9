"""Explanations of late dossiers (giải trình): who is asked, when, and the review cycle.

The calendar of late April 2026 around the Hùng Kings holiday: Sun 26/4 Giỗ Tổ, Mon 27/4
its observed day off, Thu 30/4 and Fri 1/5 national days. A dossier of 5 working days received
Mon 20/4 09:00 is due Tue 28/4 17:00 (27/4 skipped). The morning job runs Wed 29/4 07:30; an
explanation asked then is due Tue 5/5 17:00 (2 working days: 30/4, 1/5 and the weekend are
skipped).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from core.exceptions import ApplicationError
from dossiers import selectors, services, tasks
from dossiers.constants import ExplanationEventType, ExplanationReason, ExplanationStatus
from dossiers.explanation_mail import build_officer_email
from dossiers.models import DossierExplanation, DossierExplanationEvent
from dossiers.permissions import ExplanationNotFound, visible_explanations
from dossiers.tests.factories import published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = ExplanationStatus


def at(*args):
    return datetime(*args, tzinfo=VN)


MORNING = at(2026, 4, 29, 7, 30)
DEADLINE = at(2026, 5, 5, 17, 0)
WRITTEN = at(2026, 4, 29, 9)


def run(moment, function, **kwargs):
    with time_machine.travel(moment, tick=False):
        return function(**kwargs)


def received(procedure, desk, moment, *, handler=None, **applicant):
    dossier = run(
        moment, register_dossier, procedure=procedure, user=desk, received_at=moment, **applicant
    )
    if handler is not None:
        run(
            moment + timedelta(minutes=30),
            services.dossier_assign,
            dossier=dossier,
            handler=handler,
            user=desk,
        )
    dossier.refresh_from_db()
    return dossier


def request_all(moment=MORNING, **kwargs):
    return run(moment, services.explanation_request_overdue, now=moment, **kwargs)


def explanation_of(dossier):
    return DossierExplanation.objects.get(dossier=dossier)


def write(explanation, user, moment=WRITTEN, **overrides):
    data = {
        "reason_category": ExplanationReason.WAITING_OTHER_AGENCY,
        "text": "Chờ ý kiến của Công an phường về an ninh trật tự đến ngày 28/4.",
        "remedy": "Gửi văn bản xin ý kiến ngay khi nhận hồ sơ, theo dõi hằng ngày.",
    }
    data.update(overrides)
    return run(moment, services.explanation_submit, explanation=explanation, user=user, **data)


# --- who is asked ----------------------------------------------------------------------------
@pytest.fixture
def april(procedure, desk, officer):
    """Dossiers of the same procedure (5 working days) in every situation the rule separates."""
    d = {}
    d["overdue"] = received(procedure, desk, at(2026, 4, 20, 9), handler=officer)
    d["not_handed_over"] = received(procedure, desk, at(2026, 4, 20, 9, 10))
    d["paused"] = received(procedure, desk, at(2026, 4, 20, 9, 20), handler=officer)
    run(
        at(2026, 4, 22, 10),
        services.dossier_request_supplement,
        dossier=d["paused"],
        user=officer,
        items=["Sơ đồ địa điểm"],
        reason="Thiếu sơ đồ",
    )
    d["finished_late"] = received(procedure, desk, at(2026, 4, 13, 9), handler=officer)
    run(at(2026, 4, 28, 10), services.dossier_resolve, dossier=d["finished_late"], user=officer)
    d["finished_on_time"] = received(procedure, desk, at(2026, 4, 20, 9, 30), handler=officer)
    run(at(2026, 4, 24, 10), services.dossier_resolve, dossier=d["finished_on_time"], user=officer)
    d["not_due_yet"] = received(procedure, desk, at(2026, 4, 27, 9), handler=officer)
    d["two_supplements"] = received(procedure, desk, at(2026, 4, 22, 9), handler=officer)
    for day in (23, 24):
        run(
            at(2026, 4, day, 9),
            services.dossier_request_supplement,
            dossier=d["two_supplements"],
            user=officer,
            items=["Bản sao giấy phép"],
            reason="Thiếu giấy tờ",
        )
        run(at(2026, 4, day, 10), services.dossier_resume, dossier=d["two_supplements"], user=desk)
    for dossier in d.values():
        dossier.refresh_from_db()
    return d


def test_the_morning_job_asks_for_overdue_and_finished_late_dossiers_once(april, desk, officer):
    assert april["overdue"].due_at == at(2026, 4, 28, 17)  # 27/4 observed holiday skipped
    assert april["paused"].is_paused and april["paused"].due_at < MORNING

    assert request_all() == 4
    asked = {e.dossier_id: e for e in DossierExplanation.objects.all()}
    expected = ["overdue", "not_handed_over", "finished_late", "two_supplements"]
    assert set(asked) == {april[name].pk for name in expected}
    # Paused (clock stopped), finished on time and not yet due: nobody is asked.
    for name in ("paused", "finished_on_time", "not_due_yet"):
        assert april[name].pk not in asked

    overdue = asked[april["overdue"].pk]
    assert overdue.status == S.REQUESTED
    assert overdue.officer == officer  # the handler
    assert asked[april["not_handed_over"].pk].officer == desk  # nobody handles it: the desk
    assert overdue.requested_at == MORNING
    # 2 working days after Wed 29/4: Thu 30/4, Fri 1/5 and the weekend are days off.
    assert overdue.explain_by == DEADLINE
    event = overdue.events.get()
    assert event.type == ExplanationEventType.REQUESTED and event.actor is None
    assert event.at == MORNING and event.data["new"]["why"] == "overdue"
    assert asked[april["finished_late"].pk].events.get().data["new"]["why"] == "finished_late"
    assert (
        asked[april["two_supplements"].pk].events.get().data["new"]["why"] == "multiple_supplements"
    )

    # Idempotent: the next morning nothing new, nothing changed.
    assert request_all(at(2026, 5, 4, 7, 30)) == 0
    assert DossierExplanation.objects.count() == 4
    assert DossierExplanationEvent.objects.count() == 4


def test_a_paused_dossier_is_asked_once_it_runs_again_past_its_due_date(april, desk):
    request_all()
    # Paused from Wed 22/4 10:00 to Wed 29/4 09:00: 1860 office minutes; the due date moves
    # from 28/4 17:00 to Wed 6/5 16:00 (30/4, 1/5 and the weekend are not counted).
    run(at(2026, 4, 29, 9), services.dossier_resume, dossier=april["paused"], user=desk)
    april["paused"].refresh_from_db()
    assert april["paused"].due_at == at(2026, 5, 6, 16)
    assert request_all(at(2026, 5, 6, 7, 30)) == 0  # running again, not yet due
    assert request_all(at(2026, 5, 7, 7, 30)) == 1
    assert explanation_of(april["paused"]).explain_by == at(2026, 5, 11, 17)


def test_one_agency_at_a_time_and_old_history_left_alone(april, procedure, desk, officer):
    other_agency = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    other_desk = staff(other_agency, Role.DESK_OFFICER)
    other = received(published_procedure(other_agency), other_desk, at(2026, 4, 20, 9))
    assert request_all(agency_id=april["overdue"].agency_id) == 4
    assert not DossierExplanation.objects.filter(dossier=other).exists()
    assert request_all() == 1  # every agency
    # Finished late on 20/3, 40 days before the morning of 29/4: beyond the 31-day look-back.
    late = received(procedure, desk, at(2026, 3, 2, 9), handler=officer)
    run(at(2026, 3, 20, 9), services.dossier_resolve, dossier=late, user=officer)
    late.refresh_from_db()
    assert late.timeliness == "late"
    assert request_all() == 0
    with override_settings(EXPLANATION_LOOKBACK_DAYS=0):
        assert request_all() == 1


def test_one_explanation_per_dossier_is_a_database_rule(april):
    request_all()
    first = explanation_of(april["overdue"])
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierExplanation.objects.create(
            dossier=april["overdue"],
            officer=first.officer,
            requested_at=MORNING,
            explain_by=DEADLINE,
        )
    # A submitted explanation without text cannot be stored either.
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierExplanation.objects.filter(pk=first.pk).update(status=S.SUBMITTED)


def test_the_task_does_nothing_on_a_day_off(april):
    with time_machine.travel(at(2026, 4, 30, 7, 30), tick=False):  # Ngày Chiến thắng
        assert tasks.request_overdue_explanations.apply().get() == 0
    assert not DossierExplanation.objects.exists()
    with time_machine.travel(MORNING, tick=False):
        assert tasks.request_overdue_explanations.apply().get() == 4


# --- the review cycle ------------------------------------------------------------------------
@pytest.fixture
def asked(april):
    request_all()
    return explanation_of(april["overdue"])


def test_write_return_correct_accept_with_the_whole_history(asked, officer, boss):
    write(asked, officer)
    asked.refresh_from_db()
    assert asked.status == S.SUBMITTED
    assert asked.submitted_by == officer and asked.submission_count == 1
    assert asked.submitted_at == at(2026, 4, 29, 9)

    run(
        at(2026, 4, 29, 14),
        services.explanation_return,
        explanation=asked,
        user=boss,
        note="Nêu rõ ngày gửi văn bản xin ý kiến và số văn bản.",
    )
    asked.refresh_from_db()
    assert asked.status == S.RETURNED
    assert asked.reviewed_by == boss and asked.review_note.startswith("Nêu rõ")
    assert asked.explain_by == DEADLINE  # 2 working days from the return again
    assert asked.text  # the text sent before stays for the officer to correct

    write(asked, officer, at(2026, 5, 4, 8), text="Ngày 21/4 gửi Công văn số 12/VHTT; 28/4 nhận.")
    run(at(2026, 5, 4, 10), services.explanation_accept, explanation=asked, user=boss, note="Đạt.")
    asked.refresh_from_db()
    assert asked.status == S.ACCEPTED and asked.submission_count == 2

    history = list(asked.events.order_by("at", "id"))
    assert [(e.type, e.actor) for e in history] == [
        (ExplanationEventType.REQUESTED, None),
        (ExplanationEventType.SUBMITTED, officer),
        (ExplanationEventType.RETURNED, boss),
        (ExplanationEventType.SUBMITTED, officer),
        (ExplanationEventType.ACCEPTED, boss),
    ]
    assert [e.at for e in history] == [
        MORNING,
        at(2026, 4, 29, 9),
        at(2026, 4, 29, 14),
        at(2026, 5, 4, 8),
        at(2026, 5, 4, 10),
    ]
    # Each version sent is kept: the first text is in the second submission's "old".
    assert history[1].data["new"]["text"].startswith("Chờ ý kiến")
    assert history[3].data["old"]["text"].startswith("Chờ ý kiến")
    assert history[3].data["new"]["text"].startswith("Ngày 21/4")
    assert history[2].note.startswith("Nêu rõ") and history[4].note == "Đạt."
    with pytest.raises(ValueError, match="append-only"):
        history[0].save()
    with pytest.raises(ValueError, match="append-only"):
        history[0].delete()


def test_repeats_change_nothing(asked, officer, boss):
    write(asked, officer)
    write(asked, officer)  # a double click sends the same text again
    run(at(2026, 4, 29, 14), services.explanation_return, explanation=asked, user=boss, note="x")
    run(at(2026, 4, 29, 14), services.explanation_return, explanation=asked, user=boss, note="x")
    write(asked, officer, at(2026, 4, 30, 9), text="Bổ sung chi tiết.")
    run(at(2026, 5, 4, 10), services.explanation_accept, explanation=asked, user=boss)
    run(at(2026, 5, 4, 10), services.explanation_accept, explanation=asked, user=boss)
    types = list(asked.events.values_list("type", flat=True))
    assert types == ["requested", "submitted", "returned", "submitted", "accepted"]


def test_moves_that_make_no_sense_are_refused_in_vietnamese(asked, officer, boss):
    # Nothing to review before the officer writes.
    with pytest.raises(ApplicationError, match="Chỉ giải trình đã gửi"):
        run(MORNING, services.explanation_accept, explanation=asked, user=boss)
    with pytest.raises(ApplicationError, match="Chỉ giải trình đã gửi"):
        run(MORNING, services.explanation_return, explanation=asked, user=boss, note="Sửa lại")
    write(asked, officer)
    # Changing the text while it waits for review is not possible.
    with pytest.raises(ApplicationError, match="không thể thay đổi"):
        write(asked, officer, text="Một nội dung khác")
    run(at(2026, 4, 29, 10), services.explanation_accept, explanation=asked, user=boss)
    with pytest.raises(ApplicationError, match="không thể thay đổi"):
        write(asked, officer, text="Sau khi đã chấp nhận")
    with pytest.raises(ApplicationError, match="Chỉ giải trình đã gửi"):
        run(
            at(2026, 4, 29, 11), services.explanation_return, explanation=asked, user=boss, note="x"
        )
    asked.refresh_from_db()
    assert asked.status == S.ACCEPTED


def test_bad_input_is_refused_field_by_field_and_nothing_changes(asked, officer, boss):
    with pytest.raises(ValidationError) as error:
        write(asked, officer, reason_category="made_up", text="  \x00 ", remedy="")
    messages = error.value.message_dict
    assert set(messages) == {"reason_category", "text", "remedy"}
    assert "Chọn nguyên nhân" in messages["reason_category"][0]
    with pytest.raises(ValidationError) as error:
        write(asked, officer, text="x" * 5001)
    assert "5000" in error.value.message_dict["text"][0]
    asked.refresh_from_db()
    assert asked.status == S.REQUESTED and asked.events.count() == 1
    write(asked, officer)
    with pytest.raises(ValidationError) as error:
        run(
            at(2026, 4, 29, 14), services.explanation_return, explanation=asked, user=boss, note=" "
        )
    assert "Nêu rõ" in error.value.message_dict["note"][0]
    asked.refresh_from_db()
    assert asked.status == S.SUBMITTED


# --- who may do what -------------------------------------------------------------------------
def test_only_the_officer_or_a_leader_on_their_behalf_writes(asked, april, agency, desk, boss):
    other_specialist = staff(agency, Role.SPECIALIST)
    # Another officer does not even see it; a desk officer neither (not theirs).
    for stranger in (other_specialist, desk):
        with pytest.raises(ExplanationNotFound):
            write(asked, stranger)
    # A leader may write it on the officer's behalf: recorded as the author.
    write(asked, boss)
    asked.refresh_from_db()
    assert asked.submitted_by == boss
    event = asked.events.get(type=ExplanationEventType.SUBMITTED)
    assert event.actor == boss and event.data["new"]["on_behalf_of"] == asked.officer_id


def test_officers_cannot_review_and_leaders_do_not_review_their_own(april, agency, desk, boss):
    request_all()
    mine = explanation_of(april["not_handed_over"])  # desk's own
    write(mine, desk)
    with pytest.raises(PermissionDenied):
        run(at(2026, 4, 29, 10), services.explanation_accept, explanation=mine, user=desk)
    specialist_task = explanation_of(april["overdue"])
    write(specialist_task, specialist_task.officer)
    with pytest.raises(PermissionDenied):
        run(
            at(2026, 4, 29, 10),
            services.explanation_return,
            explanation=specialist_task,
            user=specialist_task.officer,
            note="Tự trả lại",
        )
    # The leader's own explanation needs another leader.
    DossierExplanation.objects.filter(pk=mine.pk).update(officer=boss)
    with pytest.raises(ApplicationError, match="lãnh đạo khác"):
        run(at(2026, 4, 29, 10), services.explanation_accept, explanation=mine, user=boss)
    second_leader = staff(agency, Role.LEADER)
    run(at(2026, 4, 29, 10), services.explanation_accept, explanation=mine, user=second_leader)


def test_visibility_officers_their_own_leaders_their_agency(april, agency, desk, officer, boss):
    request_all()
    other_agency = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    other_leader = staff(other_agency, Role.LEADER)
    all_ids = set(DossierExplanation.objects.values_list("pk", flat=True))
    assert set(visible_explanations(boss).values_list("pk", flat=True)) == all_ids
    assert set(visible_explanations(officer).values_list("officer", flat=True)) == {officer.pk}
    assert list(visible_explanations(desk).values_list("dossier", flat=True)) == [
        april["not_handed_over"].pk
    ]
    assert not visible_explanations(other_leader).exists()
    with pytest.raises(ExplanationNotFound):
        write(explanation_of(april["overdue"]), other_leader)


# --- selectors -------------------------------------------------------------------------------
def test_explanations_by_dossier_in_one_query(april, django_assert_num_queries):
    request_all()
    ids = [d.pk for d in april.values()]
    with django_assert_num_queries(1):
        found = selectors.explanations_by_dossier(dossier_ids=ids)
        officers = {pk: str(e.officer) for pk, e in found.items()}
    assert set(found) == {
        april[n].pk for n in ("overdue", "not_handed_over", "finished_late", "two_supplements")
    }
    assert officers[april["overdue"].pk]
    assert selectors.explanations_by_dossier(dossier_ids=[]) == {}


def test_counts_for_the_badge(asked, april, officer, boss):
    with time_machine.travel(at(2026, 5, 6, 8), tick=False):  # after the deadline
        counts = selectors.explanation_counts(user=officer)
    assert counts["to_write"] == 3 and counts["to_write_late"] == 3 and counts["badge"] == 3
    write(asked, officer)
    counts = selectors.explanation_counts(user=boss, now=MORNING)
    assert counts["to_review"] == 1 and counts["to_write"] == 0 and counts["badge"] == 1
    assert counts["total"] == 4 and counts["submitted"] == 1 and counts["open"] == 3


# --- emails ----------------------------------------------------------------------------------
def test_officers_are_emailed_once_per_run_and_when_returned(
    april, officer, boss, mailoutbox, django_capture_on_commit_callbacks
):
    officer.email = "chuyenvien@example.gov.vn"
    officer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        request_all()
    assert len(mailoutbox) == 1  # three dossiers for this officer, one email; the desk has none
    mail = mailoutbox[0]
    assert mail.to == ["chuyenvien@example.gov.vn"]
    assert "3 hồ sơ trễ hạn" in mail.subject
    assert april["overdue"].code in mail.body and "05/05/2026 17:00" in mail.body
    assert "/can-bo/giai-trinh/" in mail.body

    asked = explanation_of(april["overdue"])
    write(asked, officer)
    with django_capture_on_commit_callbacks(execute=True):
        run(
            at(2026, 4, 29, 14),
            services.explanation_return,
            explanation=asked,
            user=boss,
            note="Bổ sung số công văn.",
        )
    assert len(mailoutbox) == 2
    assert april["overdue"].code in mailoutbox[1].subject
    assert "Bổ sung số công văn." in mailoutbox[1].body
    # Switched off: the services queue nothing.
    write(asked, officer, at(2026, 4, 30, 9), text="Bổ sung số Công văn 12/VHTT.")
    with (
        override_settings(EXPLANATION_EMAIL_OFFICERS=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run(
            at(2026, 5, 4, 9),
            services.explanation_return,
            explanation=asked,
            user=boss,
            note="Ghi rõ ngày nhận ý kiến.",
        )
    assert len(mailoutbox) == 2
    asked.refresh_from_db()
    subject, body = build_officer_email(kind="returned", officer=officer, explanations=[asked])
    assert subject == mailoutbox[1].subject and "Ghi rõ ngày nhận ý kiến." in body


# Every (state, move) pair: the new state, "same" (a repeat: nothing happens) or an error.
MOVES = {
    (S.REQUESTED, "submit"): S.SUBMITTED,
    (S.RETURNED, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "submit"): ApplicationError,  # a different text while it waits for review
    (S.ACCEPTED, "submit"): ApplicationError,
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.ACCEPTED, "accept"): "same",
    (S.REQUESTED, "accept"): ApplicationError,
    (S.RETURNED, "accept"): ApplicationError,
    (S.SUBMITTED, "return"): S.RETURNED,
    (S.RETURNED, "return"): "same",
    (S.REQUESTED, "return"): ApplicationError,
    (S.ACCEPTED, "return"): ApplicationError,
}


def _put_in(explanation, status, *, officer, boss):
    """Move the row straight into `status` with the fields its constraints require."""
    fields = {"status": status}
    if status != S.REQUESTED:
        fields.update(
            reason_category=ExplanationReason.OTHER,
            text="Nội dung cũ",
            remedy="Biện pháp cũ",
            submitted_at=WRITTEN,
            submitted_by=officer,
            submission_count=1,
        )
    if status in (S.ACCEPTED, S.RETURNED):
        fields.update(reviewed_by=boss, reviewed_at=WRITTEN, review_note="Ý kiến cũ")
    DossierExplanation.objects.filter(pk=explanation.pk).update(**fields)


@pytest.mark.parametrize(("status", "move"), sorted(MOVES))
def test_every_state_and_move(asked, officer, boss, status, move):
    _put_in(asked, status, officer=officer, boss=boss)
    events_before = asked.events.count()
    moment = at(2026, 4, 29, 11)

    def call():
        if move == "submit":
            return write(asked, officer, moment, text="Nội dung mới")
        if move == "accept":
            return run(moment, services.explanation_accept, explanation=asked, user=boss)
        return run(
            moment, services.explanation_return, explanation=asked, user=boss, note="Sửa lại"
        )

    expected = MOVES[(status, move)]
    if expected is ApplicationError:
        with pytest.raises(ApplicationError):
            call()
        asked.refresh_from_db()
        assert asked.status == status and asked.events.count() == events_before
    elif expected == "same":
        call()
        asked.refresh_from_db()
        assert asked.status == status and asked.events.count() == events_before
    else:
        call()
        asked.refresh_from_db()
        assert asked.status == expected and asked.events.count() == events_before + 1
        event = asked.events.latest("id")
        assert (event.from_status, event.to_status) == (status, expected)
        assert event.at == moment

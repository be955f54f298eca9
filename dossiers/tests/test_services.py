"""Intake and transitions through the services, with fixed dates (Asia/Ho_Chi_Minh)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from core.exceptions import ApplicationError
from dossiers import services
from dossiers.constants import DossierStatus, EventType, Timeliness
from dossiers.models import DossierEvent
from dossiers.permissions import DossierNotFound
from dossiers.rules import RuleProfileCode
from dossiers.tests.factories import applicant, published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return datetime(*args, tzinfo=VN)


# --- intake ----------------------------------------------------------------------------------
def test_register_gives_code_due_date_profile_and_history(procedure, desk):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 12, 9))
    assert dossier.code == f"{procedure.agency.code}-260212-0001"
    assert dossier.status == DossierStatus.ACCEPTED
    # 5 working days from Thu 12/2/2026, Tết 16-20/2 skipped -> Thu 26/2 at closing time.
    assert dossier.due_at == at(2026, 2, 26, 17, 0)
    assert dossier.original_due_at == dossier.due_at
    assert dossier.rule_profile == RuleProfileCode.ND118_2025
    assert dossier.applicant_phone == "+84905123456"
    assert dossier.phone_last4 == "3456"
    assert dossier.documents.count() == 2
    event = dossier.events.get()
    assert (event.type, event.to_status, event.actor) == (EventType.ACCEPTED, "2", desk)


def test_codes_follow_the_daily_sequence_per_agency(procedure, desk):
    first = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 8))
    second = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    next_day = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 3, 9))
    assert [first.code[-11:], second.code[-11:], next_day.code[-11:]] == [
        "260302-0001",
        "260302-0002",
        "260303-0001",
    ]
    other_agency = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    other = register_dossier(
        procedure=published_procedure(other_agency),
        user=staff(other_agency, Role.DESK_OFFICER),
        received_at=at(2026, 3, 2, 10),
    )
    assert other.code == "000.00.21.H32-260302-0001"


def test_dossier_received_before_july_2025_keeps_the_old_rule_profile(procedure, desk):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2025, 6, 30, 9))
    assert dossier.rule_profile == RuleProfileCode.ND61_2018
    assert dossier.profile.form("apology").title.startswith("PHIẾU XIN LỖI")


def test_after_cutoff_counts_from_the_next_working_day(procedure, desk):
    # Fri 24/4/2026 16:00 (after 15:00): counts from Tue 28/4 (27/4 observed Hùng Kings);
    # 3 working days per DOMAIN.md §3.6 -> 5/5/2026.
    procedure.processing_time_amount = 3
    procedure.save()
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 4, 24, 16))
    assert dossier.due_at == at(2026, 5, 5, 17, 0)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "applicant_phone"),
        ({"phone": ""}, "applicant_phone"),
        ({"id_number": "05609000123"}, "applicant_id_number"),
        ({"id_number": "999090001234"}, "applicant_id_number"),
        ({"name": "  "}, "applicant_name"),
        ({"address": ""}, "applicant_address"),
        ({"consent_email": True, "email": ""}, "applicant_email"),
    ],
)
def test_bad_applicant_data_is_refused_and_nothing_is_saved(procedure, desk, overrides, field):
    with pytest.raises(ValidationError) as error:
        register_dossier(procedure=procedure, user=desk, **overrides)
    assert field in error.value.message_dict
    assert procedure.dossiers.count() == 0


def test_a_specialist_cannot_register(procedure, officer):
    with pytest.raises(DossierNotFound):
        register_dossier(procedure=procedure, user=officer)


def test_refusal_at_intake_records_reasons_without_due_date(procedure, desk):
    dossier = services.dossier_refuse_at_intake(
        procedure=procedure, applicant=applicant(), reason="Không thuộc thẩm quyền", user=desk
    )
    assert dossier.status == DossierStatus.REFUSED
    assert dossier.due_at is None
    assert dossier.refusal_reason == "Không thuộc thẩm quyền"


def test_guidance_slip_needs_items_and_accepts_nothing(procedure, desk):
    with pytest.raises(ValidationError):
        services.intake_guidance_issue(
            procedure=procedure, applicant_name="Bà B", items=[" "], reason="Thiếu", user=desk
        )
    guidance = services.intake_guidance_issue(
        procedure=procedure,
        applicant_name="Bà B",
        items=["Bản sao GCN PCCC", "Đơn theo Mẫu 01"],
        reason="Hồ sơ chưa đủ thành phần",
        user=desk,
    )
    assert guidance.items == ["Bản sao GCN PCCC", "Đơn theo Mẫu 01"]
    assert procedure.dossiers.count() == 0


# --- clock -----------------------------------------------------------------------------------
def test_supplement_pause_pushes_the_due_date_by_the_paused_working_time(
    procedure, desk, officer, boss
):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    assert dossier.due_at == at(2026, 3, 9, 17, 0)
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 4, 9, 0), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Bản sao GCN ANTT"], reason="Thiếu giấy tờ"
        )
    with time_machine.travel(at(2026, 3, 6, 9, 0), tick=False):  # two full working days later
        dossier = services.dossier_resume(dossier=dossier, user=desk)
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.paused_minutes == 2 * 8 * 60
    assert dossier.due_at == at(2026, 3, 11, 17, 0)
    assert dossier.original_due_at == at(2026, 3, 9, 17, 0)
    pause = dossier.pauses.get()
    assert pause.working_minutes == 960 and pause.ended_by == desk


def test_more_than_one_supplement_request_makes_the_dossier_late(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    for day in (3, 4):
        with time_machine.travel(at(2026, 3, day, 9), tick=False):
            services.dossier_request_supplement(
                dossier=dossier, user=officer, items=["Giấy tờ"], reason="Thiếu"
            )
        with time_machine.travel(at(2026, 3, day, 10), tick=False):
            services.dossier_resume(dossier=dossier, user=desk)
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):  # well before the due date
        dossier = services.dossier_resolve(dossier=dossier, user=officer)
    assert dossier.has_multiple_supplements
    assert dossier.timeliness == Timeliness.LATE


@pytest.mark.parametrize(
    ("resolved_at", "expected"),
    [
        (at(2026, 3, 6, 10), Timeliness.EARLY),
        (at(2026, 3, 9, 16, 59), Timeliness.ON_TIME),
        (at(2026, 3, 10, 8), Timeliness.LATE),
    ],
)
def test_timeliness_against_the_due_date(procedure, desk, officer, resolved_at, expected):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(resolved_at, tick=False):
        dossier = services.dossier_resolve(dossier=dossier, user=officer, result_summary="GP số 1")
    assert dossier.timeliness == expected
    assert dossier.transfers.get().outcome != ""


# --- apology and reschedule ------------------------------------------------------------------
def test_reschedule_once_and_lateness_still_uses_the_original_date(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):  # Thu; due Mon 9/3
        apology = services.dossier_reschedule(
            dossier=dossier,
            user=officer,
            reason="Chờ xác minh thực tế",
            new_due_at=at(2026, 3, 13, 17),
        )
        assert apology.previous_due_at == at(2026, 3, 9, 17)
        with pytest.raises(ApplicationError, match="một lần"):
            services.dossier_reschedule(
                dossier=dossier, user=officer, reason="Lần hai", new_due_at=at(2026, 3, 16, 17)
            )
    with time_machine.travel(at(2026, 3, 12, 9), tick=False):  # before the new date
        dossier = services.dossier_resolve(dossier=dossier, user=officer)
    assert dossier.rescheduled_due_at == at(2026, 3, 13, 17)
    assert dossier.timeliness == Timeliness.LATE


def test_reschedule_less_than_one_working_day_before_due_is_refused(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with (
        time_machine.travel(at(2026, 3, 9, 8), tick=False),
        pytest.raises(ApplicationError, match="Đã quá"),
    ):
        services.dossier_reschedule(
            dossier=dossier, user=officer, reason="Trễ", new_due_at=at(2026, 3, 12, 17)
        )
    assert dossier.apologies.count() == 0


def test_reschedule_needs_a_later_working_day(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        with pytest.raises(ValidationError):
            services.dossier_reschedule(
                dossier=dossier, user=officer, reason="x", new_due_at=at(2026, 3, 8, 17)
            )
        with pytest.raises(ValidationError):  # Sunday
            services.dossier_reschedule(
                dossier=dossier, user=officer, reason="x", new_due_at=at(2026, 3, 15, 17)
            )


# --- results and endings ---------------------------------------------------------------------
def test_full_lifecycle_appends_one_event_per_change(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk)
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    services.dossier_resolve(dossier=dossier, user=officer, result_summary="Giấy phép số 12")
    services.dossier_record_paper_result(dossier=dossier, user=desk)
    dossier = services.dossier_return_result(dossier=dossier, user=desk)
    assert dossier.status == DossierStatus.RETURNED
    assert list(dossier.events.values_list("type", flat=True)) == [
        EventType.ACCEPTED,
        EventType.ASSIGNED,
        EventType.RESOLVED,
        EventType.PAPER_RESULT_RECEIVED,
        EventType.RETURNED,
    ]
    # Repeating a finished action changes nothing.
    services.dossier_return_result(dossier=dossier, user=desk)
    assert dossier.events.count() == 5


def test_an_action_not_in_the_table_is_refused_in_plain_words(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk)
    with pytest.raises(ApplicationError, match="Không thể thực hiện"):
        services.dossier_return_result(dossier=dossier, user=desk)


def test_stop_closes_an_open_pause(procedure, desk, officer, boss):
    dossier = register_dossier(procedure=procedure, user=desk)
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    services.dossier_request_supplement(dossier=dossier, user=officer, items=["A"], reason="B")
    dossier = services.dossier_stop(dossier=dossier, user=boss, reason="Không đủ điều kiện")
    assert dossier.status == DossierStatus.STOPPED
    assert dossier.pauses.get().ended_at is not None


def test_staff_of_another_agency_cannot_act(procedure, desk):
    dossier = register_dossier(procedure=procedure, user=desk)
    stranger = staff(AgencyFactory(code="000.00.22.H32", name="Khác"), Role.LEADER)
    with pytest.raises(DossierNotFound):
        services.dossier_withdraw(dossier=dossier, user=stranger, reason="x")


def test_a_specialist_acts_only_on_dossiers_they_handle(procedure, desk, officer, agency):
    dossier = register_dossier(procedure=procedure, user=desk)
    other = staff(agency, Role.SPECIALIST)
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with pytest.raises(DossierNotFound):
        services.dossier_resolve(dossier=dossier, user=other)


def test_events_are_append_only(procedure, desk):
    event = register_dossier(procedure=procedure, user=desk).events.get()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert DossierEvent.objects.count() == 1


def test_a_paused_dossier_is_not_counted_overdue_while_the_clock_is_stopped(
    procedure, desk, officer
):
    from dossiers.models import Dossier

    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    after_due = at(2026, 3, 12, 9)
    assert Dossier.objects.overdue(after_due).filter(pk=dossier.pk).exists()
    services.dossier_request_supplement(dossier=dossier, user=officer, items=["A"], reason="B")
    assert not Dossier.objects.overdue(after_due).filter(pk=dossier.pk).exists()


@pytest.mark.parametrize("text", ["pham thi", "PHẠM THỊ", "Phạm Thị Hồng", "hong"])
def test_staff_search_finds_names_with_or_without_diacritics(procedure, desk, text):
    from dossiers.models import Dossier

    wanted = register_dossier(procedure=procedure, user=desk, name="Phạm Thị Hồng")
    register_dossier(procedure=procedure, user=desk, name="Trần Văn Bình")
    assert list(Dossier.objects.search(text)) == [wanted]

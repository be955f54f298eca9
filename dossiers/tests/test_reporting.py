"""Period figures (dossiers.reporting): the timeliness rules of DOMAIN.md §3.8 as a table.

The period is the week of Monday 27 April 2026 (Nha Trang time), which has three days off:
Monday 27/4 (Hùng Kings, observed), Thursday 30/4 and Friday 1/5. Its working days are only
Tuesday 28/4 and Wednesday 29/4. Every dossier below is for a 3-working-day procedure:

- received Mon 20/4 09:00 -> due Thu 23/4 17:00
- received Wed 22/4 09:00 -> due Tue 28/4 17:00 (27/4 off)
- received Thu 23/4 09:00 -> due Wed 29/4 17:00
- received Fri 24/4 09:00 -> due Mon 4/5 17:00 (27/4, 30/4, 1/5 off)
- received Tue 28/4 09:00 -> due Tue 5/5 17:00

Each dossier lives its life through the real services at fixed moments (time_machine); the
figures are read afterwards, on Friday 15 May 2026, long after the week ended, so every case
also checks that the state is reconstructed at the period's end, not read from today's status.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers import reporting, services
from dossiers.constants import PauseKind
from dossiers.reporting import BUCKETS, PeriodFigures
from dossiers.tests.factories import published_procedure, staff
from procedures.constants import ProcedureStatus, SubmissionChannel
from procedures.models import Procedure

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 4, 27, tzinfo=VN)
END = datetime(2026, 5, 4, tzinfo=VN)
LATER = datetime(2026, 5, 15, 16, 0, tzinfo=VN)
PDF = b"%PDF-1.4 test result"


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def office(agency):
    procedure = published_procedure(agency, processing_time_amount=Decimal("3"))
    return {
        "procedure": procedure,
        "desk": staff(agency, Role.DESK_OFFICER),
        "officer": staff(agency, Role.SPECIALIST),
        "boss": staff(agency, Role.LEADER),
    }


def live(office, received_at, *steps, channel=SubmissionChannel.IN_PERSON, name="Nguyễn Văn An"):
    """Receive a dossier at `received_at`, then run (moment, action, kwargs) steps in order."""
    with time_machine.travel(received_at, tick=False):
        dossier = services.dossier_register(
            procedure=office["procedure"],
            applicant=services.ApplicantData(
                name=name, phone="0905 123 456", address="12 Lê Thánh Tôn, Nha Trang"
            ),
            documents=[services.DocumentData(name="Đơn đề nghị")],
            user=office["desk"],
            received_at=received_at,
            channel=channel,
        )
    for moment, action, *rest in steps:
        kwargs = rest[0] if rest else {}
        with time_machine.travel(moment, tick=False):
            ACTIONS[action](office, dossier, **kwargs)
        dossier.refresh_from_db()
    return dossier


def _assign(office, dossier):
    services.dossier_assign(dossier=dossier, handler=office["officer"], user=office["desk"])


def _supplement(office, dossier, kind=PauseKind.SUPPLEMENT):
    services.dossier_request_supplement(
        dossier=dossier,
        user=office["officer"],
        items=["Bản sao giấy phép"],
        reason="Thiếu giấy tờ",
        kind=kind,
    )


def _resume(office, dossier):
    services.dossier_resume(dossier=dossier, user=office["desk"])


def _reschedule(office, dossier, new_due_at):
    services.dossier_reschedule(
        dossier=dossier,
        user=office["officer"],
        reason="Cần xác minh thực tế",
        new_due_at=new_due_at,
    )


def _resolve(office, dossier, e_result=False):
    services.dossier_resolve(
        dossier=dossier,
        user=office["officer"],
        result_summary="Đã cấp giấy phép",
        result_file=ContentFile(PDF, name="ket-qua.pdf") if e_result else None,
    )


def _return(office, dossier):
    services.dossier_return_result(dossier=dossier, user=office["desk"])


def _withdraw(office, dossier):
    services.dossier_withdraw(dossier=dossier, user=office["desk"], reason="Công dân xin rút")


def _scan(office, dossier):
    services.dossier_attach(
        dossier=dossier,
        user=office["desk"],
        uploaded_file=ContentFile(b"%PDF-1.4 scan", name="scan.pdf"),
    )


ACTIONS = {
    "assign": _assign,
    "supplement": _supplement,
    "payment": lambda office, dossier: _supplement(office, dossier, kind=PauseKind.PAYMENT),
    "resume": _resume,
    "reschedule": _reschedule,
    "resolve": _resolve,
    "return": _return,
    "withdraw": _withdraw,
    "scan": _scan,
}


def figures(**kwargs):
    return PeriodFigures(**kwargs)


def resolved(early=0, on_time=0, late=0, **kwargs):
    return figures(
        resolved_early=early,
        resolved_on_time=on_time,
        resolved_late=late,
        finished=early + on_time + late,
        **kwargs,
    )


# (case, received_at, steps, expected figures of the week 27/4-3/5)
CASES = [
    (
        "early: resolved on a day before the due day",
        at(2026, 4, 23, 9),
        [(at(2026, 4, 23, 14), "assign"), (at(2026, 4, 28, 10), "resolve")],
        resolved(early=1),
    ),
    (
        "on time: resolved on the due day before closing (holiday 27/4 skipped)",
        at(2026, 4, 23, 9),
        [(at(2026, 4, 23, 14), "assign"), (at(2026, 4, 29, 16, 30), "resolve")],
        resolved(on_time=1),
    ),
    (
        "late: resolved on a holiday after the due day",
        at(2026, 4, 23, 9),
        [(at(2026, 4, 23, 14), "assign"), (at(2026, 4, 30, 9), "resolve")],
        resolved(late=1),
    ),
    (
        "received in the week, open at its end, due Tue 5/5: Monday is the last day to apologise",
        at(2026, 4, 28, 9),
        [(at(2026, 4, 28, 10), "assign"), (at(2026, 5, 5, 9), "resolve")],
        figures(received=1, open_on_time=1, due_soon_without_apology=1),
    ),
    (
        "received online in the week",
        at(2026, 4, 29, 9),
        [],
        figures(received=1, received_online=1, open_on_time=1),
    ),
    (
        "still open at the period's end and past due: overdue, although resolved later",
        at(2026, 4, 20, 9),
        [(at(2026, 4, 20, 10), "assign"), (at(2026, 5, 6, 9), "resolve")],
        figures(open_overdue=1),
    ),
    (
        "due Monday 4/5 (the next working day): due soon, no apology",
        at(2026, 4, 24, 9),
        [(at(2026, 4, 24, 10), "assign")],
        figures(open_on_time=1, due_soon_without_apology=1),
    ),
    (
        "paused at the end: the request time is the end time, before the due date: on time",
        at(2026, 4, 22, 9),
        [(at(2026, 4, 22, 10), "assign"), (at(2026, 4, 24, 10), "supplement")],
        figures(open_on_time=1),
    ),
    (
        "paused after the due date: the request time is past due: overdue",
        at(2026, 4, 20, 9),
        [(at(2026, 4, 20, 10), "assign"), (at(2026, 4, 28, 10), "supplement")],
        figures(open_overdue=1),
    ),
    (
        "paused at the end, resumed after it (due date moved later): judged at the request",
        at(2026, 4, 22, 9),
        [
            (at(2026, 4, 22, 10), "assign"),
            (at(2026, 4, 24, 10), "supplement"),
            (at(2026, 5, 6, 9), "resume"),
        ],
        figures(open_on_time=1),
    ),
    (
        "overdue at the end; a pause after the end moved the due date past it: still overdue",
        at(2026, 4, 20, 9),
        [
            (at(2026, 4, 20, 10), "assign"),
            (at(2026, 5, 5, 9), "supplement"),
            (at(2026, 5, 14, 9), "resume"),
        ],
        figures(open_overdue=1),
    ),
    (
        "a fee pause before the end moves the due date from Mon 4/5 to Wed 6/5: not due soon",
        at(2026, 4, 24, 9),
        [
            (at(2026, 4, 24, 9, 30), "assign"),
            (at(2026, 4, 24, 10), "payment"),
            (at(2026, 4, 29, 10), "resume"),
        ],
        figures(open_on_time=1),
    ),
    (
        "a pause before the end extends the due date: resolved on time instead of late",
        at(2026, 4, 20, 9),
        [
            (at(2026, 4, 20, 10), "assign"),
            (at(2026, 4, 21, 9), "supplement"),
            (at(2026, 4, 24, 9), "resume"),
            (at(2026, 4, 29, 9), "resolve"),
        ],
        resolved(on_time=1),
    ),
    (
        "two supplement requests: late although resolved early",
        at(2026, 4, 23, 9),
        [
            (at(2026, 4, 23, 10), "assign"),
            (at(2026, 4, 23, 11), "supplement"),
            (at(2026, 4, 23, 14), "resume"),
            (at(2026, 4, 24, 9), "supplement"),
            (at(2026, 4, 24, 10), "resume"),
            (at(2026, 4, 28, 9), "resolve"),
        ],
        resolved(late=1),
    ),
    (
        "two supplement requests by the end: open and late, although within its due date",
        at(2026, 4, 24, 9),
        [
            (at(2026, 4, 24, 10), "assign"),
            (at(2026, 4, 24, 11), "supplement"),
            (at(2026, 4, 24, 14), "resume"),
            (at(2026, 4, 28, 9), "supplement"),
            (at(2026, 4, 28, 10), "resume"),
        ],
        figures(open_overdue=1),
    ),
    (
        "the second supplement request came after the end: on time at the end",
        at(2026, 4, 28, 9),
        [
            (at(2026, 4, 28, 10), "assign"),
            (at(2026, 4, 28, 11), "supplement"),
            (at(2026, 4, 28, 14), "resume"),
            (at(2026, 5, 5, 9), "supplement"),
        ],
        figures(received=1, open_on_time=1),
    ),
    (
        "rescheduled before the week, still open: late against the due date, not the new date",
        at(2026, 4, 20, 9),
        [
            (at(2026, 4, 20, 10), "assign"),
            (at(2026, 4, 22, 10), "reschedule", {"new_due_at": at(2026, 5, 8, 17)}),
        ],
        figures(open_overdue=1),
    ),
    (
        "rescheduled then resolved before the new date: late all the same",
        at(2026, 4, 20, 9),
        [
            (at(2026, 4, 20, 10), "assign"),
            (at(2026, 4, 22, 10), "reschedule", {"new_due_at": at(2026, 5, 8, 17)}),
            (at(2026, 4, 29, 10), "resolve"),
        ],
        resolved(late=1),
    ),
    (
        "apology issued in the week: counted, and no longer 'due soon without apology'",
        at(2026, 4, 24, 9),
        [
            (at(2026, 4, 24, 10), "assign"),
            (at(2026, 4, 28, 10), "reschedule", {"new_due_at": at(2026, 5, 8, 17)}),
        ],
        figures(open_on_time=1, apologies_issued=1),
    ),
    (
        "apology issued after the week: still 'due soon without apology' at its end",
        at(2026, 4, 28, 9),
        [
            (at(2026, 4, 28, 10), "assign"),
            (at(2026, 5, 4, 8), "reschedule", {"new_due_at": at(2026, 5, 8, 17)}),
        ],
        figures(received=1, open_on_time=1, due_soon_without_apology=1),
    ),
    (
        "withdrawn in the week while waiting for documents: ends on time",
        at(2026, 4, 23, 9),
        [
            (at(2026, 4, 23, 10), "assign"),
            (at(2026, 4, 24, 10), "supplement"),
            (at(2026, 4, 28, 10), "withdraw"),
        ],
        resolved(early=1),
    ),
    (
        "withdrawn after the week while waiting for documents: open, on time at the request",
        at(2026, 4, 20, 9),
        [
            (at(2026, 4, 20, 10), "assign"),
            (at(2026, 4, 22, 10), "supplement"),
            (at(2026, 5, 6, 10), "withdraw"),
        ],
        figures(open_on_time=1),
    ),
    (
        "electronic result and scans: digitised (766 4.1, 4.2)",
        at(2026, 4, 23, 9),
        [
            (at(2026, 4, 23, 9, 30), "scan"),
            (at(2026, 4, 23, 10), "assign"),
            (at(2026, 4, 28, 10), "resolve", {"e_result": True}),
        ],
        resolved(early=1, finished_with_e_result=1, digitised=1),
    ),
    (
        "electronic result without scans: e-result only",
        at(2026, 4, 23, 9),
        [(at(2026, 4, 23, 10), "assign"), (at(2026, 4, 28, 10), "resolve", {"e_result": True})],
        resolved(early=1, finished_with_e_result=1),
    ),
    (
        "resolved and returned before the week: not counted",
        at(2026, 4, 20, 9),
        [(at(2026, 4, 20, 10), "assign"), (at(2026, 4, 22, 10), "resolve")],
        figures(),
    ),
    (
        "received after the week: not counted",
        at(2026, 5, 4, 9),
        [],
        figures(),
    ),
]


@pytest.mark.parametrize(
    ("received_at", "steps", "expected"),
    [pytest.param(c[1], c[2], c[3], id=c[0]) for c in CASES],
)
def test_timeliness_table(office, received_at, steps, expected):
    channel = SubmissionChannel.ONLINE if expected.received_online else SubmissionChannel.IN_PERSON
    dossier = live(office, received_at, *steps, channel=channel)
    with time_machine.travel(LATER, tick=False):
        got = reporting.period_figures(
            agency_id=office["procedure"].agency_id, start=START, end=END
        )
        assert got == expected
        # The rows behind each figure are exactly this dossier where the figure is 1.
        for bucket in BUCKETS:
            rows = list(
                reporting.period_dossiers(
                    agency_id=dossier.agency_id, start=START, end=END, bucket=bucket
                ).values_list("pk", flat=True)
            )
            count = getattr(expected, bucket)
            assert rows == ([dossier.pk] * min(count, 1)), bucket
        # The weekly report's late list (the counts and the list in one statement) lists it
        # exactly when it is counted late, as the list on its own does.
        breakdown = reporting.period_breakdown(
            agency_id=dossier.agency_id, start=START, end=END, with_late_list=True
        )
        alone = reporting.late_dossiers(agency_id=dossier.agency_id, start=START, end=END)
    assert breakdown.totals == expected
    late = [dict(zip(breakdown.late.columns, row, strict=True)) for row in breakdown.late.rows]
    assert [row["dossier_id"] for row in late] == [row.dossier_id for row in alone]
    assert len(late) == expected.open_overdue + expected.resolved_late
    if late:
        (row,) = late
        assert row["is_open"] == bool(expected.open_overdue) == alone[0].is_open
        assert row["working_days_late"] == alone[0].working_days_late >= 0
        assert reporting.parse_timestamp(row["due_at"]) == alone[0].due_at


def test_refused_at_intake_is_not_received(office):
    with time_machine.travel(at(2026, 4, 28, 9), tick=False):
        services.dossier_refuse_at_intake(
            procedure=office["procedure"],
            applicant=services.ApplicantData(
                name="Ngô Từ", phone="0905 123 456", address="Nha Trang"
            ),
            reason="Sai thẩm quyền",
            user=office["desk"],
        )
    got = reporting.period_figures(agency_id=office["procedure"].agency_id, start=START, end=END)
    assert got == PeriodFigures()


# --- the same week read at different times ---------------------------------------------------
@pytest.fixture
def week(office):
    """A small week: one of each fate, built in time order up to Monday 4/5 07:00."""
    return {
        "early": live(
            office,
            at(2026, 4, 23, 9),
            (at(2026, 4, 23, 10), "assign"),
            (at(2026, 4, 28, 10), "resolve"),
        ),
        "late_open": live(office, at(2026, 4, 20, 9), (at(2026, 4, 20, 10), "assign")),
        "paused": live(
            office,
            at(2026, 4, 22, 9),
            (at(2026, 4, 22, 10), "assign"),
            (at(2026, 4, 24, 10), "supplement"),
        ),
        "soon": live(office, at(2026, 4, 24, 9), (at(2026, 4, 24, 10), "assign")),
        "new": live(office, at(2026, 4, 29, 9), channel=SubmissionChannel.ONLINE),
    }


def test_rebuilding_an_old_week_gives_the_same_figures(office, week):
    agency_id = office["procedure"].agency_id
    with time_machine.travel(at(2026, 5, 4, 7), tick=False):
        monday = reporting.period_figures(agency_id=agency_id, start=START, end=END)
    assert monday == PeriodFigures(
        received=1,
        received_online=1,
        resolved_early=1,
        finished=1,
        open_on_time=3,
        open_overdue=1,
        due_soon_without_apology=1,
    )
    # Life goes on: everything open is resumed, apologised for, resolved, returned.
    steps = [
        (at(2026, 5, 4, 7, 30), week["new"], "assign", {}),
        (at(2026, 5, 4, 8), week["new"], "reschedule", {"new_due_at": at(2026, 5, 11, 17)}),
        (at(2026, 5, 4, 9), week["soon"], "resolve", {}),
        (at(2026, 5, 5, 9), week["paused"], "resume", {}),
        (at(2026, 5, 5, 10), week["late_open"], "resolve", {}),
        (at(2026, 5, 6, 10), week["new"], "supplement", {}),
        (at(2026, 5, 7, 9), week["new"], "resume", {}),
        (at(2026, 5, 8, 9), week["paused"], "resolve", {}),
        (at(2026, 5, 8, 10), week["early"], "return", {}),
    ]
    for moment, dossier, action, kwargs in steps:
        dossier.refresh_from_db()
        with time_machine.travel(moment, tick=False):
            ACTIONS[action](office, dossier, **kwargs)
    with time_machine.travel(LATER, tick=False):
        assert reporting.period_figures(agency_id=agency_id, start=START, end=END) == monday


def test_ratios(office, week):
    got = reporting.period_figures(agency_id=office["procedure"].agency_id, start=START, end=END)
    assert got.counted == 5  # 1 finished + 4 open
    assert got.on_time == 4
    assert got.late == 1
    assert got.on_time_rate == pytest.approx(0.8)
    assert got.online_share == 1.0
    assert got.e_result_share == 0.0
    assert PeriodFigures().on_time_rate is None  # N/A, never a division by zero
    assert PeriodFigures().online_share is None
    assert PeriodFigures.from_dict(got.as_dict()) == got


def test_other_agencies_and_filters(office, week, agency):
    other = AgencyFactory(code="000.00.21.H32", name="Phòng Văn hóa và Thông tin thị xã Ninh Hòa")
    other_office = {
        "procedure": published_procedure(other, processing_time_amount=Decimal("3")),
        "desk": staff(other, Role.DESK_OFFICER),
        "officer": staff(other, Role.SPECIALIST),
    }
    live(other_office, at(2026, 4, 28, 9))
    assert reporting.period_figures(agency_id=other.pk, start=START, end=END).received == 1
    mine = reporting.period_figures(agency_id=agency.pk, start=START, end=END)
    assert mine.received == 1

    # Officer: the handler, else the desk officer who received it ("new" is not assigned).
    officer = reporting.period_figures(
        agency_id=agency.pk, start=START, end=END, officer_id=office["officer"].pk
    )
    assert (officer.counted, officer.open_overdue, officer.received) == (4, 1, 0)
    desk = reporting.period_figures(
        agency_id=agency.pk, start=START, end=END, officer_id=office["desk"].pk
    )
    assert (desk.counted, desk.received) == (1, 1)


def test_a_procedure_counts_all_its_versions(office, week, agency):
    procedure = office["procedure"]
    Procedure.objects.filter(pk=procedure.pk).update(status=ProcedureStatus.RETIRED)
    newer = published_procedure(
        agency, code=procedure.code, version=2, processing_time_amount=Decimal("3")
    )
    other = published_procedure(agency, processing_time_amount=Decimal("3"))
    live({**office, "procedure": newer}, at(2026, 4, 28, 9))
    live({**office, "procedure": other}, at(2026, 4, 28, 9))
    got = reporting.period_figures(agency_id=agency.pk, start=START, end=END, procedure_id=newer.pk)
    assert got.counted == 6  # five of version 1, one of version 2
    groups = reporting.period_figures_by(agency_id=agency.pk, start=START, end=END, by="procedure")
    assert {g.key_id: g.figures.counted for g in groups} == {newer.pk: 6, other.pk: 1}
    assert [g.label for g in groups] == sorted([newer.name, other.name], key=str.casefold)


def test_by_officer_and_the_combined_grouping(office, week, agency, django_assert_num_queries):
    with django_assert_num_queries(3):  # planner switch, the grouped counts, officers' names
        groups = reporting.period_figures_by(
            agency_id=agency.pk, start=START, end=END, by="officer"
        )
    by_id = {g.key_id: g for g in groups}
    assert by_id[office["officer"].pk].figures.counted == 4
    assert by_id[office["desk"].pk].figures.received == 1
    assert by_id[office["officer"].pk].label == str(office["officer"])
    with django_assert_num_queries(4):  # planner switch, counts, procedures, officers
        breakdown = reporting.period_breakdown(agency_id=agency.pk, start=START, end=END)
    totals = breakdown.totals
    assert totals == reporting.period_figures(agency_id=agency.pk, start=START, end=END)
    assert sum((g.figures for g in breakdown.by_procedure), PeriodFigures()) == totals
    assert sum((g.figures for g in breakdown.by_officer), PeriodFigures()) == totals
    assert sum((cell[2] for cell in breakdown.cells), PeriodFigures()) == totals
    (procedure_key, officer_id, cell), *others = breakdown.cells
    assert procedure_key == office["procedure"].pk
    assert {officer_id, *(o for _p, o, _f in others)} == {office["officer"].pk, office["desk"].pk}


def test_period_figures_is_one_query(office, week, agency, django_assert_num_queries):
    with django_assert_num_queries(2):  # the planner switch, the grouped counts
        reporting.period_figures(agency_id=agency.pk, start=START, end=END)


def test_weekly_series(office, week, agency):
    with time_machine.travel(at(2026, 5, 6, 10), tick=False):
        series = reporting.weekly_series(agency_id=agency.pk, weeks=3, until=at(2026, 5, 6, 10))
    assert [monday for monday, _f in series] == [
        at(2026, 4, 20).date(),
        at(2026, 4, 27).date(),
        at(2026, 5, 4).date(),
    ]
    assert series[1][1] == reporting.period_figures(agency_id=agency.pk, start=START, end=END)
    # The current week ends at `until`: the dossier due Mon 4/5 is overdue by Wednesday.
    assert series[2][1].open_overdue == 2
    assert series[0][1].received == 4


def test_the_breakdown_with_its_late_list_in_one_statement(
    office, week, agency, django_assert_num_queries
):
    with time_machine.travel(LATER, tick=False):
        # The planner switch, the counts with the late list, procedures, officers.
        with django_assert_num_queries(4):
            breakdown = reporting.period_breakdown(
                agency_id=agency.pk, start=START, end=END, with_late_list=True
            )
        plain = reporting.period_breakdown(agency_id=agency.pk, start=START, end=END)
        alone = reporting.late_dossiers(agency_id=agency.pk, start=START, end=END)
    assert breakdown.totals == plain.totals
    assert breakdown.by_procedure == plain.by_procedure
    assert breakdown.by_officer == plain.by_officer
    assert sorted(breakdown.cells, key=repr) == sorted(plain.cells, key=repr)
    assert [row[0] for row in breakdown.late.rows] == [row.dossier_id for row in alone]
    (row,) = breakdown.late.rows
    late = dict(zip(breakdown.late.columns, row, strict=True))
    assert late["code"] == week["late_open"].code
    assert (late["is_open"], late["is_paused"], late["multiple_supplements"]) == (
        True,
        False,
        False,
    )
    assert late["working_days_late"] == 4
    assert late["officer_id"] == office["officer"].pk
    assert late["explanation_status"] is None  # not requested yet
    assert breakdown.late.procedures == {office["procedure"].pk: office["procedure"].name}
    assert reporting.parse_timestamp(late["received_at"]) == at(2026, 4, 20, 9)
    assert reporting.parse_timestamp("2026-04-20 02:00:00") == at(2026, 4, 20, 9)  # naive: UTC
    assert plain.late is None


def test_late_dossiers_list(office, week, agency):
    late_resolved = live(
        office,
        at(2026, 4, 20, 9),
        (at(2026, 4, 20, 10), "assign"),
        (at(2026, 4, 21, 9), "reschedule", {"new_due_at": at(2026, 5, 8, 17)}),
        (at(2026, 4, 30, 9), "resolve"),
    )
    with time_machine.travel(LATER, tick=False):
        rows = reporting.late_dossiers(agency_id=agency.pk, start=START, end=END)
    assert [row.dossier_id for row in rows] == [week["late_open"].pk, late_resolved.pk]
    open_row, resolved_row = rows
    assert open_row.is_open and not resolved_row.is_open
    # Due Thu 23/4, the week ends Mon 4/5: Fri 24, Tue 28, Wed 29 and Mon 4/5 are working days.
    assert open_row.working_days_late == 4
    assert open_row.apology_at is None
    # Resolved Thu 30/4 (a holiday): Fri 24, Tue 28, Wed 29.
    assert resolved_row.working_days_late == 3
    assert resolved_row.apology_at == at(2026, 4, 21, 9)
    assert resolved_row.rescheduled_due_at == at(2026, 5, 8, 17)
    assert resolved_row.finished_at == at(2026, 4, 30, 9) and open_row.finished_at is None
    assert open_row.officer_id == office["officer"].pk
    assert open_row.code == week["late_open"].code


def test_unknown_bucket_and_bad_periods(agency):
    with pytest.raises(KeyError):
        reporting.period_dossiers(agency_id=agency.pk, start=START, end=END, bucket="nope")
    with pytest.raises(ValueError):
        reporting.period_figures(agency_id=agency.pk, start=END, end=START)
    with pytest.raises(ValueError):
        reporting.period_figures(
            agency_id=agency.pk, start=START.replace(tzinfo=None), end=END.replace(tzinfo=None)
        )
    assert all(hasattr(PeriodFigures(), bucket) for bucket in BUCKETS)
    assert reporting.week_start_of(at(2026, 5, 3, 23, 59)) == START.date()
    assert reporting.week_bounds(START.date()) == (START, END)
    assert timedelta(days=7) == END - START

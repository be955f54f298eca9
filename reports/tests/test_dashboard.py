"""reports.dashboard: periods, scopes and every figure of the dashboard on a known desk.

The desk is reports.tests.dashboard_data (its docstring lists each dossier's life); "now" is
Wednesday 4 March 2026, 10:00 in Nha Trang.
"""

from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth.models import Permission

from accounts.tests.factories import UserFactory
from reports.dashboard import (
    PeriodError,
    Scope,
    dashboard,
    dashboard_scope,
    procedure_choices,
    resolve_period,
)
from reports.tests.dashboard_data import NOW, VN, at, build_desk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(agency):
    return build_desk(agency)


def agency_scope(desk):
    return Scope(desk["boss"].department.agency_id, officer_id=None, handler_filter_exact=True)


def own_scope(user, *, exact):
    return Scope(user.department.agency_id, officer_id=user.pk, handler_filter_exact=exact)


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- periods -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "first", "last", "end"),
    [
        ("this_week", date(2026, 3, 2), date(2026, 3, 4), NOW),
        ("last_week", date(2026, 2, 23), date(2026, 3, 1), at(2026, 3, 2)),
        ("this_month", date(2026, 3, 1), date(2026, 3, 4), NOW),
        ("last_30_days", date(2026, 2, 3), date(2026, 3, 4), NOW),
    ],
)
def test_preset_periods_are_local_days_cut_at_now(kind, first, last, end):
    period = resolve_period(kind, now=NOW)
    assert (period.first_day, period.last_day) == (first, last)
    assert period.start == datetime.combine(first, datetime.min.time(), tzinfo=VN)
    assert period.end == end
    assert period.link_params() == {
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
    }


def test_custom_period_covers_whole_days():
    period = resolve_period(
        "custom", first_day=date(2026, 2, 1), last_day=date(2026, 2, 28), now=NOW
    )
    assert period.start == at(2026, 2, 1)
    assert period.end == at(2026, 3, 1)


def test_a_period_starting_at_midnight_today_is_never_empty():
    midnight = at(2026, 3, 4)
    day = date(2026, 3, 4)
    period = resolve_period("custom", first_day=day, last_day=day, now=midnight)
    assert period.end > period.start


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (None, date(2026, 3, 1), "Hãy chọn cả ngày đầu và ngày cuối của kỳ."),
        (date(2026, 3, 2), date(2026, 3, 1), "Ngày cuối của kỳ ở trước ngày đầu."),
        (date(2026, 3, 1), date(2026, 3, 5), "Kỳ báo cáo không thể kết thúc sau hôm nay."),
        (date(1999, 12, 1), date(2000, 1, 2), "Kỳ báo cáo không thể bắt đầu trước năm 2000."),
        (
            date(2024, 1, 1),
            date(2026, 3, 1),
            "Kỳ báo cáo quá dài: hãy chọn tối đa 366 ngày.",
        ),
    ],
)
def test_bad_custom_periods_are_explained_in_vietnamese(first, last, message):
    with pytest.raises(PeriodError) as error:
        resolve_period("custom", first_day=first, last_day=last, now=NOW)
    assert str(error.value) == message


# --- who sees what -------------------------------------------------------------------------
def test_scope_follows_permissions_not_roles(desk, agency):
    boss, clerk, officer = desk["boss"], desk["desk"], desk["officer"]
    assert dashboard_scope(boss) == Scope(agency.pk, None, True)
    assert dashboard_scope(clerk) == Scope(agency.pk, clerk.pk, False)
    assert dashboard_scope(officer) == Scope(agency.pk, officer.pk, True)
    # Anyone given the permission directly sees the agency; nobody without a dossier right.
    helper = UserFactory(department__agency=agency)
    assert dashboard_scope(helper) is None
    helper.user_permissions.add(
        Permission.objects.get(content_type__app_label="reports", codename="view_agency_figures")
    )
    helper = type(helper).objects.get(pk=helper.pk)  # fresh permission cache
    assert dashboard_scope(helper) == Scope(agency.pk, None, True)


def test_procedure_choices_are_the_agencys_newest_versions(desk):
    choices = procedure_choices(agency_scope(desk))
    assert [pk for pk, _label in choices] == [desk["karaoke"].pk, desk["festival"].pk]
    assert desk["other_procedure"].pk not in [pk for pk, _label in choices]


# --- the figures ---------------------------------------------------------------------------
def test_agency_figures_of_this_week(desk):
    data = dashboard(scope=agency_scope(desk), period=resolve_period("this_week", now=NOW))
    today = {figure.key: figure.value for figure in data.today}
    # F received today; G finished today; A overdue; B C E F H I open on time; I due today.
    assert today == {
        "received": 1,
        "finished": 1,
        "open_on_time": 6,
        "open_overdue": 1,
        "due_today": 1,
    }
    figures = data.period_figures
    assert (figures.received, figures.received_online, figures.finished) == (3, 1, 2)
    assert (figures.on_time, figures.counted) == (8, 9)

    estimates = {e.code: e for e in data.estimates}
    assert list(estimates) == ["2.1", "3.3", "4.1", "4.2", "5.2", "5.3", "5.4"]
    assert (estimates["2.1"].numerator, estimates["2.1"].denominator) == (8, 9)
    assert estimates["2.1"].percent == 88.89
    assert (estimates["3.3"].numerator, estimates["3.3"].denominator) == (1, 3)
    assert (estimates["4.1"].numerator, estimates["4.1"].denominator) == (1, 2)
    assert (estimates["4.2"].numerator, estimates["4.2"].denominator) == (0, 2)
    # No feedback in the period: N/A, never 0% or a division error.
    assert estimates["5.2"].denominator == 0 and estimates["5.2"].rate is None
    # No PAKN and no survey response: 5.4 only loses the late dossier A (8 of 9).
    assert (estimates["5.4"].numerator, estimates["5.4"].denominator) == (8, 9)
    # The parts of each side add up to it, each with its own list.
    for estimate in estimates.values():
        if len(estimate.numerator_parts) > 1:
            assert sum(p.value for p in estimate.numerator_parts) == estimate.numerator
        assert sum(p.value for p in estimate.denominator_parts) == estimate.denominator

    by_officer = {row.label: (row.figures.on_time, row.figures.counted) for row in data.by_officer}
    assert by_officer == {"Lê Văn Bình": (3, 4), "Phạm Thị Cúc": (3, 3), "Trần Thị Lan": (2, 2)}
    by_procedure = {row.label: row.figures.received for row in data.by_procedure}
    assert by_procedure == {
        "Cấp giấy phép kinh doanh dịch vụ karaoke": 2,
        "Đăng ký tổ chức lễ hội": 1,
    }

    # At risk: due within 3 working days (by the end of Mon 9/3), soonest first, not overdue.
    assert [row.dossier for row in data.at_risk] == [desk["I"], desk["B"], desk["H"]]
    assert [row.working_days_left for row in data.at_risk] == [0, 1, 1]
    assert data.at_risk_count == 3
    # Paused: E, waiting for documents since Tue 3/3 09:00 (1 working day and 1 hour).
    assert [row.pause.dossier for row in data.paused_rows] == [desk["E"]]
    paused = data.paused_rows[0]
    assert paused.pause.reason == "Thiếu văn bản chấp thuận của UBND phường"
    assert (paused.working_days, paused.calendar_days) == (1.1, 1)
    assert {figure.key: figure.value for figure in data.paused} == {"supplement": 1, "payment": 0}


def test_the_trend_has_twelve_weeks_ending_now(desk):
    data = dashboard(scope=agency_scope(desk), period=resolve_period("this_week", now=NOW))
    assert len(data.trend) == 12
    assert data.trend[0].week_start == date(2025, 12, 15)
    last_week, this_week = data.trend[-2:]
    assert (last_week.week_start, last_week.last_day) == (date(2026, 2, 23), date(2026, 3, 1))
    assert (this_week.week_start, this_week.last_day) == (date(2026, 3, 2), date(2026, 3, 4))
    # Last week: A B D G H I received; all open and on time on Sunday night.
    assert (last_week.figures.received, last_week.figures.on_time_rate) == (6, 1.0)
    assert this_week.figures.on_time_rate == pytest.approx(8 / 9)
    assert query(this_week.links["received"]) == {
        "bucket": "received",
        "period_start": "2026-03-02",
        "period_end": "2026-03-04",
    }


def test_a_desk_officer_sees_the_dossiers_they_are_responsible_for(desk):
    clerk = desk["desk"]
    data = dashboard(
        scope=own_scope(clerk, exact=False), period=resolve_period("this_week", now=NOW)
    )
    # C and F: received by the clerk and not assigned yet.
    today = {figure.key: figure.value for figure in data.today}
    assert today == {
        "received": 1,
        "finished": 0,
        "open_on_time": 2,
        "open_overdue": 0,
        "due_today": 0,
    }
    assert data.by_officer is None and data.feedback is None
    assert [e.code for e in data.estimates] == ["2.1", "3.3", "4.1", "4.2"]
    assert data.at_risk == [] and data.paused_rows == []
    # Bucket links name the officer; the work queue cannot, so these stay on the page.
    received = next(f for f in data.today if f.key == "received")
    assert query(received.url)["handler"] == str(clerk.pk)
    assert next(f for f in data.today if f.key == "due_today").url == "#at-risk"
    assert data.at_risk_url is None


def test_a_specialist_sees_their_own_queue_with_list_links(desk):
    officer = desk["officer"]
    data = dashboard(
        scope=own_scope(officer, exact=True), period=resolve_period("this_week", now=NOW)
    )
    assert [row.dossier for row in data.at_risk] == [desk["I"], desk["B"]]
    due_today = next(f for f in data.today if f.key == "due_today")
    assert due_today.value == 1
    assert query(due_today.url) == {"due_within": "0", "handler": str(officer.pk)}
    assert query(data.at_risk_url) == {"due_within": "3", "handler": str(officer.pk)}
    # A and B and G and I are Bình's: 3 of 4 on time this week.
    rate = data.estimates[0]
    assert (rate.numerator, rate.denominator) == (3, 4)


def test_one_procedure_only(desk):
    data = dashboard(
        scope=agency_scope(desk),
        period=resolve_period("this_week", now=NOW),
        procedure=desk["karaoke"],
    )
    # Karaoke: A (overdue), C, D (finished on time), F, H.
    assert (data.period_figures.received, data.period_figures.counted) == (2, 5)
    assert [row.dossier for row in data.at_risk] == [desk["H"]]
    assert data.paused_rows == []
    # Feedback is not counted per procedure: left out rather than shown for the whole agency.
    assert data.feedback is None
    assert query(data.at_risk_url) == {"due_within": "3", "procedure": desk["karaoke"].code}
    received = next(f for f in data.today if f.key == "received")
    assert query(received.url)["procedure"] == str(desk["karaoke"].pk)


def test_another_agency_is_never_counted(desk):
    data = dashboard(scope=agency_scope(desk), period=resolve_period("last_30_days", now=NOW))
    assert desk["X"].code not in {row.dossier.code for row in data.at_risk}
    assert "Thủ tục của cơ quan khác" not in {row.label for row in data.by_procedure}
    assert next(f for f in data.today if f.key == "received").value == 1


def test_warming_the_trend_cache_computes_each_closed_week_once(desk):
    from reports.dashboard import trend_cache_warm

    agency_id = desk["boss"].department.agency_id
    assert trend_cache_warm(agency_id=agency_id, now=NOW) == 11
    assert trend_cache_warm(agency_id=agency_id, now=NOW) == 0
    # The leader's default page then reads the eleven closed weeks from the cache: the same
    # figures as computing them.
    data = dashboard(scope=agency_scope(desk), period=resolve_period("this_week", now=NOW))
    last_week = data.trend[-2]
    assert (last_week.week_start, last_week.figures.received) == (date(2026, 2, 23), 6)
    assert data.trend[-1].figures == data.period_figures

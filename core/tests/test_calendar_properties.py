"""Invariants of the working-day calendar, over random dates, amounts and overrides.

A plain `WorkingCalendar` (no database, no cache) keeps this fast; dates stay in 2024-2030.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import DEFAULT_OFFICE_HOURS, TimeUnit, WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, LAST = date(2024, 1, 1), date(2030, 12, 31)
WD, CD, WH = TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS, TimeUnit.WORKING_HOURS

CALENDAR_SETTINGS = settings(
    max_examples=100,
    deadline=None,  # the first example of a year builds python-holidays' data
    database=None,  # write nothing into the shared working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # conftest's cache clearing
)

days = st.dates(min_value=FIRST, max_value=LAST)
counts = st.integers(min_value=0, max_value=80)
amounts = st.one_of(
    counts,
    st.decimals(min_value=0, max_value=80, places=1, allow_nan=False, allow_infinity=False),
)
# Moments stored in any zone, including one with DST: only the instant matters.
received_moments = st.builds(
    lambda d, seconds, zone: (
        datetime.combine(d, time.min, tzinfo=VN) + timedelta(seconds=seconds)
    ).astimezone(zone),
    days,
    st.integers(min_value=0, max_value=24 * 3600 - 1),
    st.sampled_from([VN, UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]),
)


@st.composite
def calendars(draw):
    """The package calendar plus a few random administrator overrides (never both kinds on one
    day, as the unique `day` column guarantees)."""
    chosen = draw(st.lists(days, max_size=12, unique=True))
    split = draw(st.integers(min_value=0, max_value=len(chosen)))
    return WorkingCalendar(
        extra_days_off=dict.fromkeys(chosen[:split], "off"),
        extra_working_days=dict.fromkeys(chosen[split:], "on"),
        # A procedure's cut-off may even be later than closing time.
        cutoff=draw(st.sampled_from([time(15, 0), time(11, 0), time(16, 30), time(18, 0)])),
    )


@CALENDAR_SETTINGS
@given(calendars(), days, st.integers(min_value=1, max_value=80))
def test_adding_working_days_lands_on_a_working_day(calendar, day, n):
    assert calendar.is_working_day(calendar.add_working_days(day, n))


@CALENDAR_SETTINGS
@given(calendars(), days, counts)
def test_counting_back_gives_the_number_added(calendar, day, n):
    later = calendar.add_working_days(day, n)
    assert calendar.working_days_between(day, later) == n
    assert calendar.working_days_between(later, day) == -n


@CALENDAR_SETTINGS
@given(calendars(), days, counts)
def test_one_more_working_day_is_the_next_working_day(calendar, day, n):
    this, following = calendar.add_working_days(day, n), calendar.add_working_days(day, n + 1)
    assert this < following
    between = [this + timedelta(days=k) for k in range(1, (following - this).days)]
    assert not any(calendar.is_working_day(d) for d in between)


@CALENDAR_SETTINGS
@given(calendars(), days, days, days)
def test_counts_between_dates_add_up(calendar, a, b, c):
    assert calendar.working_days_between(a, b) + calendar.working_days_between(
        b, c
    ) == calendar.working_days_between(a, c)


@CALENDAR_SETTINGS
@given(calendars(), days)
def test_overrides_win(calendar, day):
    if day in calendar.extra_working_days:
        assert calendar.is_working_day(day)
    elif day in calendar.extra_days_off:
        assert not calendar.is_working_day(day)
    else:
        plain = WorkingCalendar()
        assert calendar.is_working_day(day) == plain.is_working_day(day)


@CALENDAR_SETTINGS
@given(calendars(), days)
def test_the_year_view_agrees_with_the_arithmetic(calendar, day):
    assert calendar.day_info(day).is_working_day == calendar.is_working_day(day)


@CALENDAR_SETTINGS
@given(calendars(), received_moments, amounts, st.sampled_from([WD, CD]))
def test_day_periods_end_at_closing_time_of_a_working_day_after_receipt(
    calendar, received_at, amount, unit
):
    due = calendar.due_at(received_at, amount, unit)
    assert due >= received_at
    assert due.tzinfo == VN
    assert due.time() == time(17, 0)
    assert calendar.is_working_day(due.date())


@CALENDAR_SETTINGS
@given(calendars(), received_moments, counts)
def test_working_days_count_from_the_effective_receipt_day(calendar, received_at, n):
    due = calendar.due_at(received_at, n, WD)
    start = calendar.effective_receipt_day(received_at)
    assert calendar.is_working_day(start)
    assert start >= received_at.astimezone(VN).date()
    assert calendar.working_days_between(start, due.date()) == n


@CALENDAR_SETTINGS
@given(calendars(), received_moments, counts)
def test_calendar_days_never_end_later_than_as_many_working_days(calendar, received_at, n):
    assert calendar.due_at(received_at, n, CD) <= calendar.due_at(received_at, n, WD)


@CALENDAR_SETTINGS
@given(calendars(), received_moments, counts)
def test_n_working_days_of_hours_end_no_later_than_n_working_days(calendar, received_at, n):
    hours = n * calendar.minutes_per_working_day // 60
    assert calendar.minutes_per_working_day == 480  # default office hours
    assert calendar.due_at(received_at, hours, WH) <= calendar.due_at(received_at, n, WD)


@CALENDAR_SETTINGS
@given(calendars(), received_moments, amounts, amounts, st.sampled_from(list(TimeUnit)))
def test_a_longer_period_never_ends_earlier(calendar, received_at, a, b, unit):
    short, long = sorted([Decimal(a), Decimal(b)])
    assert calendar.due_at(received_at, short, unit) <= calendar.due_at(received_at, long, unit)


@CALENDAR_SETTINGS
@given(
    calendars(),
    received_moments,
    st.integers(min_value=0, max_value=3 * 24 * 3600),
    amounts,
    st.sampled_from(list(TimeUnit)),
)
def test_a_later_receipt_never_ends_earlier(calendar, received_at, delay, amount, unit):
    later = received_at.astimezone(UTC) + timedelta(seconds=delay)  # no wall-clock DST jumps
    assert calendar.due_at(received_at, amount, unit) <= calendar.due_at(later, amount, unit)


@CALENDAR_SETTINGS
@given(calendars(), received_moments, amounts, st.sampled_from(list(TimeUnit)))
def test_only_the_instant_of_receipt_matters_not_its_zone(calendar, received_at, amount, unit):
    assert calendar.due_at(received_at, amount, unit) == calendar.due_at(
        received_at.astimezone(UTC), amount, unit
    )


@CALENDAR_SETTINGS
@given(calendars(), received_moments, st.integers(min_value=0, max_value=5000))
def test_working_minutes_are_counted_inside_office_hours(calendar, received_at, minutes):
    end = calendar.add_working_minutes(received_at, minutes)
    assert end >= received_at
    assert calendar.working_minutes_between(received_at, end) == minutes
    local = end.astimezone(VN)
    assert calendar.is_working_day(local.date())
    assert any(opens <= local.time() <= closes for opens, closes in DEFAULT_OFFICE_HOURS)

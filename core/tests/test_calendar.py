"""The working-day calendar against fixed dates (DOMAIN.md §3.6, §11), with the real database.

Holiday facts are those of python-holidays 0.109 (Vietnam), checked by hand against the
Government's notices cited in the package.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.calendar import (
    CalendarRangeError,
    TimeUnit,
    WorkingCalendar,
    add_working_days,
    due_at,
    get_calendar,
    holidays_of_year,
    is_working_day,
    working_days_between,
)
from core.models import CalendarOverride

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WD, CD, WH = TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS, TimeUnit.WORKING_HOURS


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def closing(y, m, d):
    return datetime(y, m, d, 17, 0, tzinfo=VN)


# -- which days are worked --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "name_part"),
    [
        # Tết 2026: Giao thừa Monday 16/2 to Mùng bốn Friday 20/2.
        (date(2026, 2, 16), "Giao thừa"),
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2026, 2, 20), "Mùng bốn"),
        # Tết 2027: 29 Tết Thursday 4/2 to Mùng năm Wednesday 10/2.
        (date(2027, 2, 4), "29 Tết"),
        (date(2027, 2, 5), "Giao thừa"),
        (date(2027, 2, 8), "Mùng ba"),
        (date(2027, 2, 10), "Mùng năm"),
        # Hùng Kings 2026 falls on Sunday 26/4, observed Monday 27/4; 2027 on Friday 16/4.
        (date(2026, 4, 27), "Hùng Vương (nghỉ bù)"),
        (date(2027, 4, 16), "Hùng Vương"),
        (date(2026, 4, 30), "Chiến thắng"),
        (date(2026, 5, 1), "Lao động"),
        # 1/5/2027 is a Saturday: observed Monday 3/5.
        (date(2027, 5, 3), "Lao động (nghỉ bù)"),
        # National Day 2026: 1-2/9, plus Monday 31/8 swapped for Saturday 22/8.
        (date(2026, 8, 31), "thay cho ngày 22/08/2026"),
        (date(2026, 9, 1), "Quốc khánh"),
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2025, 9, 1), "Quốc khánh"),
        (date(2027, 9, 3), "Quốc khánh"),
        # Vietnam Culture Day, a paid holiday from 2026.
        (date(2026, 11, 24), "Văn hóa Việt Nam"),
        (date(2027, 11, 24), "Văn hóa Việt Nam"),
        # The 2025 swap: Friday 2/5/2025 off for Saturday 26/4/2025 worked.
        (date(2025, 5, 2), "thay cho ngày 26/04/2025"),
    ],
)
def test_public_holidays_are_not_working_days(day, name_part):
    assert day.weekday() < 5
    assert is_working_day(day) is False
    assert name_part in get_calendar().holiday_name(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 13),  # Friday before Tết 2026
        date(2026, 2, 23),  # Monday after
        date(2027, 2, 11),  # Thursday after Tết 2027
        date(2026, 4, 28),  # Tuesday after the observed Hùng Kings day
        date(2026, 9, 3),  # 2026's adjacent National Day off is 31/8, not 3/9
        date(2025, 11, 24),  # Culture Day is not a holiday before 2026
        date(2025, 4, 26),  # Saturday worked in exchange for 2/5/2025 (in the package)
        date(2026, 8, 22),  # Saturday worked in exchange for 31/8/2026 (in the package)
    ],
)
def test_days_worked_around_holidays(day):
    assert is_working_day(day) is True


def test_an_ordinary_weekend_is_not_worked():
    assert is_working_day(date(2026, 4, 25)) is False  # Saturday
    assert is_working_day(date(2026, 3, 8)) is False  # Sunday


# -- due dates in working days ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("received_at", "amount", "expected"),
    [
        # DOMAIN.md §3.6 examples.
        (at(2026, 2, 12, 9), 5, closing(2026, 2, 26)),
        (at(2026, 4, 24, 16), 3, closing(2026, 5, 5)),
        # Tết 2027: after Wednesday 3/2, the first working day is Thursday 11/2.
        (at(2027, 2, 3, 10), 2, closing(2027, 2, 12)),
        # Hùng Kings 2027 on Friday 16/4.
        (at(2027, 4, 15), 1, closing(2027, 4, 19)),
        # 30/4 and 1/5/2027 (Saturday, observed Monday 3/5).
        (at(2027, 4, 29), 1, closing(2027, 5, 4)),
        # National Day 2026: 31/8, 1/9, 2/9 off.
        (at(2026, 8, 28), 1, closing(2026, 9, 3)),
        (at(2025, 8, 29), 1, closing(2025, 9, 3)),
        # Culture Day 2026.
        (at(2026, 11, 23), 1, closing(2026, 11, 25)),
        # The package's swapped Saturdays count as working days.
        (at(2025, 4, 25), 1, closing(2025, 4, 26)),
        (at(2026, 8, 21), 1, closing(2026, 8, 22)),
        (at(2025, 4, 29), 1, closing(2025, 5, 5)),
    ],
)
def test_due_in_working_days(received_at, amount, expected):
    assert due_at(received_at, amount, WD) == expected


@pytest.mark.parametrize(
    ("received_at", "kwargs", "expected"),
    [
        # Monday 2/3/2026: before 15:00 the period starts on Tuesday, from 15:00 on Wednesday.
        (at(2026, 3, 2, 14, 59), {}, closing(2026, 3, 3)),
        (at(2026, 3, 2, 15, 0), {}, closing(2026, 3, 4)),
        # A procedure's own cut-off.
        (at(2026, 3, 2, 15, 30), {"cutoff": time(16, 0)}, closing(2026, 3, 3)),
        (at(2026, 3, 2, 14, 30), {"cutoff": time(14, 0)}, closing(2026, 3, 4)),
        (at(2026, 3, 2, 15, 30), {"cutoff": "16:00"}, closing(2026, 3, 3)),
        # The cut-off applies to local time, whatever zone the moment was stored in.
        (datetime(2026, 3, 2, 7, 59, tzinfo=UTC), {}, closing(2026, 3, 3)),
        (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), {}, closing(2026, 3, 4)),
    ],
)
def test_receipt_cutoff(received_at, kwargs, expected):
    assert due_at(received_at, 1, WD, **kwargs) == expected


def test_receipt_cutoff_comes_from_settings(settings):
    settings.RECEIPT_CUTOFF = "11:30"
    assert due_at(at(2026, 3, 2, 11, 29), 1) == closing(2026, 3, 3)
    assert due_at(at(2026, 3, 2, 12, 0), 1) == closing(2026, 3, 4)


def test_a_cutoff_later_than_closing_does_not_make_a_deadline_precede_receipt():
    received = at(2026, 3, 2, 18, 0)
    assert due_at(received, 0, WD, cutoff=time(20, 0)) == closing(2026, 3, 3)


@pytest.mark.parametrize(
    ("received_at", "amount", "expected"),
    [
        # Saturday 7/3/2026 counts as Monday 9/3.
        (at(2026, 3, 7, 9), 1, closing(2026, 3, 10)),
        # Tết: Tuesday 17/2/2026 counts as Monday 23/2.
        (at(2026, 2, 17, 10), 1, closing(2026, 2, 24)),
        # Observed Hùng Kings day 27/4/2026 counts as Tuesday 28/4.
        (at(2026, 4, 27, 8), 2, closing(2026, 5, 4)),
        # Saturday 26/4/2025 was worked, so it is the receipt day itself.
        (at(2025, 4, 26, 9), 1, closing(2025, 4, 28)),
    ],
)
def test_receipt_on_a_non_working_day(received_at, amount, expected):
    assert due_at(received_at, amount, WD) == expected


@pytest.mark.parametrize(
    ("received_at", "amount", "expected"),
    [
        # Amount 0: closing time of the (effective) receipt day.
        (at(2026, 3, 2, 10), 0, closing(2026, 3, 2)),
        (at(2026, 3, 2, 15, 30), 0, closing(2026, 3, 3)),
        # Fractions are rounded up: the appointment is a day.
        (at(2026, 3, 2, 10), Decimal("0.5"), closing(2026, 3, 3)),
        (at(2026, 3, 2, 10), Decimal("2.5"), closing(2026, 3, 5)),
        (at(2026, 3, 2, 10), Decimal("2.0"), closing(2026, 3, 4)),
        # Float noise (0.1 * 30 == 3.0000000000000004) must not add a day.
        (at(2026, 3, 2, 10), 0.1 * 30, closing(2026, 3, 5)),
    ],
)
def test_zero_and_fractional_working_days(received_at, amount, expected):
    assert due_at(received_at, amount, WD) == expected


def test_due_time_is_closing_time_in_vietnam_whatever_the_active_time_zone():
    with timezone.override("UTC"):
        due = due_at(at(2026, 3, 2, 9), 1)
    assert due == closing(2026, 3, 3)
    assert due.utcoffset().total_seconds() == 7 * 3600


# -- calendar days ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("received_at", "amount", "expected"),
    [
        (at(2026, 3, 2), 4, closing(2026, 3, 6)),  # ends on Friday
        (at(2026, 3, 2), 5, closing(2026, 3, 9)),  # Saturday -> Monday
        (at(2026, 3, 2), 6, closing(2026, 3, 9)),  # Sunday -> Monday
        (at(2026, 2, 12), 10, closing(2026, 2, 23)),  # Sunday 22/2 -> Monday 23/2
        (at(2026, 2, 5), 10, closing(2026, 2, 23)),  # 15/2 Sunday, then Tết 16-20/2
        (at(2026, 4, 16), 15, closing(2026, 5, 4)),  # 1/5 holiday, weekend -> Monday 4/5
        (at(2026, 3, 7), 3, closing(2026, 3, 12)),  # received Saturday: counts from Monday 9/3
    ],
)
def test_due_in_calendar_days(received_at, amount, expected):
    assert due_at(received_at, amount, CD) == expected


# -- working hours ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("received_at", "hours", "expected"),
    [
        (at(2026, 3, 2, 10), 4, at(2026, 3, 2, 16)),  # across lunch
        (at(2026, 3, 2, 7), Decimal("4.5"), at(2026, 3, 2, 11, 30)),  # ends when lunch starts
        (at(2026, 3, 2, 12), 1, at(2026, 3, 2, 14, 30)),  # received during lunch
        (at(2026, 3, 2, 6), 1, at(2026, 3, 2, 8)),  # received before opening
        (at(2026, 3, 2, 16), 3, at(2026, 3, 3, 9)),  # overnight; the cut-off does not apply
        (at(2026, 3, 2, 16), Decimal("0.5"), at(2026, 3, 2, 16, 30)),
        (at(2026, 3, 2, 9), 8, at(2026, 3, 3, 9)),  # 8 h = one working day
        (at(2026, 3, 7, 9), 8, at(2026, 3, 9, 17)),  # received Saturday: from Monday 07:00
        (at(2026, 4, 24, 16), 2, at(2026, 4, 28, 8)),  # weekend and observed Hùng Kings day
        (at(2026, 2, 13, 16, 30), 1, at(2026, 2, 23, 7, 30)),  # across Tết
        (at(2026, 3, 2, 10), Decimal("0.25"), at(2026, 3, 2, 10, 15)),
        (at(2026, 3, 2, 12), 0, at(2026, 3, 2, 13, 30)),  # 0 h: first office moment
    ],
)
def test_due_in_working_hours(received_at, hours, expected):
    assert due_at(received_at, hours, WH) == expected


def test_working_minutes_between_skips_lunch_nights_and_holidays():
    calendar = get_calendar()
    assert calendar.working_minutes_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 60
    assert calendar.working_minutes_between(at(2026, 4, 24, 16), at(2026, 4, 28, 8)) == 120
    assert calendar.working_minutes_between(at(2026, 3, 3), at(2026, 3, 2)) == 0


# -- counting days ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 2, 12), date(2026, 2, 26), 5),
        (date(2026, 2, 26), date(2026, 2, 12), -5),
        (date(2026, 2, 13), date(2026, 2, 23), 1),  # Tết in between
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2025, 4, 25), date(2025, 4, 28), 2),  # Saturday 26/4/2025 was worked
        # The whole of 2026: 261 weekdays - 13 weekday holidays + Saturday 22/8.
        (date(2025, 12, 31), date(2026, 12, 31), 249),
        (date(2026, 12, 31), date(2025, 12, 31), -249),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 23)),
        (date(2026, 2, 12), 0, date(2026, 2, 12)),
        (date(2026, 2, 14), 0, date(2026, 2, 14)),  # n == 0 is the day itself, even a Saturday
        (date(2026, 4, 24), 2, date(2026, 4, 29)),
    ],
)
def test_add_working_days(day, n, expected):
    assert add_working_days(day, n) == expected


# -- refused input --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((datetime(2026, 3, 2, 9), 1, WD), ValueError),  # naive
        ((at(2026, 3, 2), -1, WD), ValueError),
        ((at(2026, 3, 2), Decimal("NaN"), WD), ValueError),
        ((at(2026, 3, 2), float("inf"), WH), ValueError),
        ((at(2026, 3, 2), "5", WD), TypeError),
        ((at(2026, 3, 2), True, WD), TypeError),
        ((at(2026, 3, 2), 1, "weeks"), ValueError),
        ((at(2100, 12, 30), 5, WD), CalendarRangeError),  # the package stops at 2100
    ],
)
def test_due_at_refuses_bad_input(args, error):
    with pytest.raises(error):
        due_at(*args)


def test_add_working_days_refuses_fractions_and_negatives():
    with pytest.raises(TypeError):
        add_working_days(date(2026, 3, 2), 1.5)
    with pytest.raises(ValueError, match=">= 0"):
        add_working_days(date(2026, 3, 2), -1)


def test_office_hours_must_be_ordered():
    with pytest.raises(ValueError, match="office_hours"):
        WorkingCalendar(office_hours=((time(13, 30), time(17)), (time(7), time(11, 30))))


# -- administrator overrides ------------------------------------------------------------------
def test_an_extra_day_off_moves_the_due_date_and_deleting_it_restores_it():
    received = at(2026, 3, 2, 9)
    assert due_at(received, 1) == closing(2026, 3, 3)  # also fills the cache

    override = CalendarOverride.objects.create(
        day=date(2026, 3, 3), kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ bù"
    )
    assert due_at(received, 1) == closing(2026, 3, 4)
    assert get_calendar().holiday_name(date(2026, 3, 3)) == "Nghỉ bù"

    override.delete()
    assert due_at(received, 1) == closing(2026, 3, 3)


def test_a_make_up_saturday_counts_as_a_working_day():
    saturday = date(2026, 3, 7)
    assert due_at(at(2026, 3, 6, 9), 1) == closing(2026, 3, 9)
    CalendarOverride.objects.create(
        day=saturday, kind=CalendarOverride.Kind.WORKING_DAY, name="Làm bù cho ngày 2/1"
    )
    assert is_working_day(saturday) is True
    assert due_at(at(2026, 3, 6, 9), 1) == closing(2026, 3, 7)
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 2


def test_overrides_win_over_the_holidays_package():
    CalendarOverride.objects.create(
        day=date(2026, 11, 24), kind=CalendarOverride.Kind.WORKING_DAY, name="Làm việc"
    )
    CalendarOverride.objects.create(
        day=date(2025, 4, 26), kind=CalendarOverride.Kind.DAY_OFF, name="Không làm bù"
    )
    assert is_working_day(date(2026, 11, 24)) is True
    assert is_working_day(date(2025, 4, 26)) is False
    assert due_at(at(2026, 11, 23), 1) == closing(2026, 11, 24)


def test_admin_bulk_delete_restores_the_calendar(admin_client):
    override = CalendarOverride.objects.create(
        day=date(2026, 3, 3), kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ thêm"
    )
    assert is_working_day(date(2026, 3, 3)) is False  # cached now

    response = admin_client.post(
        reverse("admin:core_calendaroverride_changelist"),
        {"action": "delete_selected", "_selected_action": [override.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert is_working_day(date(2026, 3, 3)) is True


def test_admin_lists_overrides_by_year_with_what_the_package_says(admin_client):
    CalendarOverride.objects.create(
        day=date(2026, 11, 24), kind=CalendarOverride.Kind.WORKING_DAY, name="Trực cả ngày"
    )
    CalendarOverride.objects.create(
        day=date(2025, 12, 31), kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ cuối năm"
    )
    url = reverse("admin:core_calendaroverride_changelist")

    html = admin_client.get(url, {"year": "2026"}).content.decode()

    assert "Trực cả ngày" in html
    assert "Ngày Văn hóa Việt Nam" in html  # what the override replaces
    assert "Nghỉ cuối năm" not in html


# -- the staff year page ------------------------------------------------------------------------
def test_year_overview_counts_working_days_per_month():
    overview = holidays_of_year(2026)
    counts = [month.working_day_count for month in overview.months]
    assert counts[1] == 15  # February: 20 weekdays - Tết 16-20/2
    assert counts[7] == 21  # August: 21 weekdays - Monday 31/8 + Saturday 22/8
    assert overview.working_day_count == sum(counts) == 249
    assert [len(week) for week in overview.months[1].weeks] == [7] * len(overview.months[1].weeks)


def test_year_page_requires_login(client):
    url = reverse("core:calendar-year")
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_year_page_is_forbidden_without_the_permission(client, agency):
    client.force_login(UserFactory(department__agency=agency))
    assert client.get(reverse("core:calendar-year")).status_code == 403


@pytest.mark.parametrize("persona", ["desk_officer", "specialist", "leader", "administrator"])
def test_staff_see_the_holidays_of_the_year(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("core:calendar-year"), {"year": "2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Giao thừa Tết Nguyên Đán" in html
    assert "Mùng bốn Tết Nguyên Đán" in html
    assert "Ngày Văn hóa Việt Nam" in html
    assert "thay cho ngày 22/08/2026" in html
    assert "249" in html


def test_year_page_shows_overrides(client, desk_officer):
    CalendarOverride.objects.create(
        day=date(2026, 3, 3), kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ bão Kalmaegi"
    )
    CalendarOverride.objects.create(
        day=date(2026, 11, 24), kind=CalendarOverride.Kind.WORKING_DAY, name="Trực Ngày Văn hóa"
    )
    client.force_login(desk_officer)
    response = client.get(reverse("core:calendar-year"), {"year": "2026"})
    html = response.content.decode()
    assert "Nghỉ bão Kalmaegi" in html
    assert "Trực Ngày Văn hóa" in html
    months = response.context["overview"].months
    assert months[2].working_day_count == 21  # March: 22 weekdays - the storm day
    assert months[10].working_day_count == 21  # November: 21 weekdays, 24/11 worked after all


@pytest.mark.parametrize("raw", ["abc", "", "99999", "2101", "-5", "2026.5", "1e3"])
def test_year_page_falls_back_to_the_current_year(client, desk_officer, raw):
    client.force_login(desk_officer)
    response = client.get(reverse("core:calendar-year"), {"year": raw})
    assert response.status_code == 200
    assert response.context["overview"].year == timezone.localdate().year


def test_year_page_query_count(client, desk_officer, django_assert_max_num_queries):
    for day in (3, 4, 5, 6):
        CalendarOverride.objects.create(
            day=date(2026, 3, day), kind=CalendarOverride.Kind.DAY_OFF, name=f"Nghỉ {day}"
        )
    client.force_login(desk_officer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("core:calendar-year"), {"year": "2026"})
    assert response.status_code == 200


# -- the process copy of the overrides (core.calendar._overrides) ------------------------------
@pytest.fixture
def process_copy():
    from core import calendar

    calendar._overrides_memo = None
    yield calendar
    calendar._overrides_memo = None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overrides_are_read_once_per_process_copy(process_copy, django_assert_num_queries):
    with django_assert_num_queries(1):
        get_calendar()
    with django_assert_num_queries(0):
        get_calendar()
        process_copy.overrides_stamp()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_override_counts_at_once_in_the_same_process(process_copy):
    stamp = process_copy.overrides_stamp()
    assert is_working_day(date(2026, 3, 3)) is True
    CalendarOverride.objects.create(
        day=date(2026, 3, 3), kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ thêm"
    )
    assert is_working_day(date(2026, 3, 3)) is False
    assert process_copy.overrides_stamp() != stamp


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writes_inside_a_transaction_do_not_use_the_process_copy(process_copy):
    from django.core.cache import cache
    from django.db import transaction

    assert is_working_day(date(2026, 3, 3)) is True  # the process copy now says "working"
    # Another process adds a day off: the shared cache is invalidated, this copy is not.
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(day=date(2026, 3, 3), kind=CalendarOverride.Kind.DAY_OFF, name="x")]
    )
    cache.delete(process_copy.OVERRIDES_CACHE_KEY)
    assert is_working_day(date(2026, 3, 3)) is True  # display: up to OVERRIDES_MEMO_SECONDS
    with transaction.atomic():
        assert is_working_day(date(2026, 3, 3)) is False  # a due date being stored

"""The working-day calendar: the only module in the portal that counts days.

Rules (DOMAIN.md §3.6, §11):
- A working day is Monday-Friday, minus the public holidays of python-holidays (Vietnam, with the
  Government's yearly swaps), plus the weekend days the package lists as swapped working days
  (`weekend_workdays`, e.g. Saturday 26/4/2025 worked for Friday 2/5/2025 off), minus the extra
  days off an administrator adds, plus the make-up working days (ngày làm bù) an administrator
  adds. Overrides win over everything else.
- A period in days starts the day *after* receipt (Civil Code 2015 Art. 147). A dossier received
  after the cut-off (default 15:00, configurable per procedure) or on a non-working day counts as
  received on the next working day (Decree 61/2018 transfer rule, [U], hence configurable). A
  dossier received after the office has closed counts as received on the next working day even if
  a procedure's cut-off is later than closing time.
- A period that ends on a non-working day ends on the next working day (Civil Code Art. 148).
  Day-based periods end when the office closes on the last day.
- A period in working hours starts at the moment of receipt (Art. 147(1)) and counts only the
  office hours of working days (8 h = 1 working day with the default office hours).
- All wall-clock reasoning happens in the calendar's own time zone (Asia/Ho_Chi_Minh, no DST since
  1975), never in the request's active time zone; naive datetimes are refused.

`get_calendar()` returns a `WorkingCalendar` holding the current overrides; callers that count
many dates (lists, reports) take one calendar and reuse it.
"""

from __future__ import annotations

import hashlib
import logging
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from time import monotonic
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

OVERRIDES_CACHE_KEY = "core:calendar:overrides:v1"
OVERRIDES_CACHE_SECONDS = 300
# Each process also keeps the overrides this long, in front of the shared cache: a public
# look-up counts days on every request and a Redis round trip costs more than the counting.
OVERRIDES_MEMO_SECONDS = 30
_overrides_memo: tuple | None = None  # (valid until, overrides, stamp), this process only

DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
DEFAULT_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# Amounts are rounded to this before use, so float noise (0.1 * 30 == 3.0000000000000004)
# never adds a whole day.
_AMOUNT_QUANTUM = Decimal("0.000001")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("days")
    WORKING_HOURS = "working_hours", _("working hours")


class DayKind(models.TextChoices):
    """Why a day is (not) worked, for the year view and explanations."""

    ORDINARY = "ordinary", _("Working day")
    WEEKEND = "weekend", _("Weekend")
    PUBLIC_HOLIDAY = "public_holiday", _("Public holiday")
    SWAPPED_WORKING_DAY = "swapped_working_day", _("Swapped working day (Government notice)")
    EXTRA_DAY_OFF = "extra_day_off", _("Extra day off")
    EXTRA_WORKING_DAY = "extra_working_day", _("Make-up working day")


class CalendarRangeError(ValueError):
    """The holidays package has no data for this year, so no deadline can be trusted."""


def _parse_time(value: str | time) -> time:
    """`time` or "HH:MM" / "HH:MM:SS" (settings, env variables) -> `time`."""
    if isinstance(value, time):
        return value
    parts = [int(part) for part in value.strip().split(":")]
    if len(parts) not in (2, 3):
        raise ValueError(f"not a time of day: {value!r}")
    return time(*parts)


def _as_amount(amount: int | Decimal | float) -> Decimal:
    """A period length as a finite, non-negative Decimal (bools and strings are refused)."""
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise TypeError(f"amount must be a number, not {type(amount).__name__}")
    value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    if not value.is_finite():
        raise ValueError("amount must be finite")
    if value < 0:
        raise ValueError("amount must be >= 0")
    try:
        return value.quantize(_AMOUNT_QUANTUM)
    except InvalidOperation as exc:
        raise ValueError("amount is too large") from exc


@dataclass(frozen=True)
class _PackageYear:
    holidays: dict[date, str]
    weekend_workdays: frozenset[date]


@lru_cache(maxsize=16)
def _supported_years(country: str) -> range:
    entity = type(holidays.country_holidays(country))
    return range(entity.start_year, entity.end_year + 1)


@lru_cache(maxsize=128)
def _package_year(country: str, language: str, year: int) -> _PackageYear:
    """The package's holidays and swapped weekend working days that fall in `year`.

    The neighbouring years are populated too: a swap can cross New Year (31/12/2018 off for
    Saturday 5/1/2019 worked), and `weekend_workdays` is filled while populating the year of the
    day off.
    """
    if year not in _supported_years(country):
        raise CalendarRangeError(f"python-holidays has no {country} holidays for {year}")
    entity = holidays.country_holidays(country, years=range(year - 1, year + 2), language=language)
    return _PackageYear(
        holidays={day: name for day, name in entity.items() if day.year == year},
        weekend_workdays=frozenset(day for day in entity.weekend_workdays if day.year == year),
    )


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: str
    name: str  # the holiday's or the override's name ("" if none)
    public_holiday_name: str  # what the holidays package says, even when an override wins

    @property
    def is_working_day(self) -> bool:
        return self.kind in (
            DayKind.ORDINARY,
            DayKind.SWAPPED_WORKING_DAY,
            DayKind.EXTRA_WORKING_DAY,
        )

    @property
    def is_special(self) -> bool:
        return self.kind not in (DayKind.ORDINARY, DayKind.WEEKEND)

    @property
    def is_override(self) -> bool:
        return self.kind in (DayKind.EXTRA_DAY_OFF, DayKind.EXTRA_WORKING_DAY)

    @property
    def kind_label(self) -> str:
        return DayKind(self.kind).label


@dataclass(frozen=True)
class MonthOverview:
    first_day: date
    weeks: list[list[DayInfo | None]]  # Monday-first rows; None pads days of other months
    working_day_count: int
    special_days: list[DayInfo]


@dataclass(frozen=True)
class YearOverview:
    year: int
    months: list[MonthOverview]
    working_day_count: int
    special_days: list[DayInfo]


@dataclass(frozen=True)
class WorkingCalendar:
    """Working-day arithmetic over public holidays plus explicit overrides.

    A plain value: it reads no settings and no database, so tests and batch jobs can build one
    directly. `get_calendar()` builds the one configured for the portal.
    """

    extra_days_off: Mapping[date, str] = field(default_factory=dict)
    extra_working_days: Mapping[date, str] = field(default_factory=dict)
    office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS
    cutoff: time = time(15, 0)
    country: str = "VN"
    language: str = "vi"
    tz: tzinfo = DEFAULT_TIME_ZONE

    def __post_init__(self):
        if not self.office_hours:
            raise ValueError("office_hours must not be empty")
        previous_close = time.min
        for opens, closes in self.office_hours:
            if not opens < closes or opens < previous_close:
                raise ValueError("office_hours must be ordered, non-overlapping (opens, closes)")
            previous_close = closes
        if both := set(self.extra_days_off) & set(self.extra_working_days):
            raise ValueError(f"days both off and worked: {sorted(both)}")

    # -- days --------------------------------------------------------------------------------
    def _package(self, year: int) -> _PackageYear:
        return _package_year(self.country, self.language, year)

    def public_holiday_name(self, day: date) -> str | None:
        """The holidays package's name for `day`, ignoring overrides."""
        return self._package(day.year).holidays.get(day)

    def holiday_name(self, day: date) -> str | None:
        """Why `day` is not worked although it is a weekday, or None."""
        if day in self.extra_working_days:
            return None
        if day in self.extra_days_off:
            return self.extra_days_off[day]
        return self.public_holiday_name(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        package = self._package(day.year)
        if day in package.holidays:
            return False
        return day.weekday() < 5 or day in package.weekend_workdays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n >= 0); n == 0 returns `day` itself."""
        n = operator.index(n)  # 1.5 working days is a due_at() question, not a date question
        if n < 0:
            raise ValueError("n must be >= 0")
        for _i in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days d satisfy start < d <= end (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count

    def non_working_days_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Weekdays in (start, end] that are not worked, with the reason (for explanations)."""
        out = []
        day = start + timedelta(days=1)
        while day <= end:
            if not self.is_working_day(day) and day.weekday() < 5:
                out.append((day, self.holiday_name(day) or ""))
            day += timedelta(days=1)
        return out

    def day_info(self, day: date) -> DayInfo:
        """What the calendar says about `day`, and why (overrides first, as in is_working_day)."""
        package = self._package(day.year)
        public_name = package.holidays.get(day, "")
        if day in self.extra_working_days:
            return DayInfo(
                day, DayKind.EXTRA_WORKING_DAY, self.extra_working_days[day], public_name
            )
        if day in self.extra_days_off:
            return DayInfo(day, DayKind.EXTRA_DAY_OFF, self.extra_days_off[day], public_name)
        if public_name:
            return DayInfo(day, DayKind.PUBLIC_HOLIDAY, public_name, public_name)
        if day in package.weekend_workdays:  # the package names the day off, not this one
            return DayInfo(day, DayKind.SWAPPED_WORKING_DAY, "", "")
        kind = DayKind.ORDINARY if day.weekday() < 5 else DayKind.WEEKEND
        return DayInfo(day, kind, "", "")

    def year_overview(self, year: int) -> YearOverview:
        """Every day of `year` by month, with the special days and working-day counts.

        For staff to check the calendar against the Government's notices (core.calendar_views).
        Raises CalendarRangeError for a year the holidays package does not cover.
        """
        months = []
        for month in range(1, 13):
            first = date(year, month, 1)
            days = []
            day = first
            while day.month == month:
                days.append(self.day_info(day))
                day += timedelta(days=1)
            cells: list[DayInfo | None] = [None] * first.weekday() + days
            cells += [None] * (-len(cells) % 7)
            months.append(
                MonthOverview(
                    first_day=first,
                    weeks=[cells[i : i + 7] for i in range(0, len(cells), 7)],
                    working_day_count=sum(info.is_working_day for info in days),
                    special_days=[info for info in days if info.is_special],
                )
            )
        return YearOverview(
            year=year,
            months=months,
            working_day_count=sum(m.working_day_count for m in months),
            special_days=[info for m in months for info in m.special_days],
        )

    # -- moments -----------------------------------------------------------------------------
    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("datetimes must be timezone-aware")
        return moment.astimezone(self.tz)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz)

    def closing_time(self) -> time:
        return self.office_hours[-1][1]

    def end_of_day(self, day: date) -> datetime:
        """Aware datetime when the office closes on `day`."""
        return self._at(day, self.closing_time())

    def effective_receipt_day(
        self, received_at: datetime, cutoff: time | str | None = None
    ) -> date:
        """The day a dossier counts as received: the next working day if it came in at or after
        the cut-off (or after closing time, whichever is earlier) or on a non-working day
        (DOMAIN.md §3.3, §3.6)."""
        local = self._local(received_at)
        limit = min(self.cutoff if cutoff is None else _parse_time(cutoff), self.closing_time())
        day = local.date()
        if not self.is_working_day(day) or local.time() >= limit:
            return self.next_working_day(day)
        return day

    def due_at(
        self,
        received_at: datetime,
        amount: int | Decimal | float,
        unit: str = TimeUnit.WORKING_DAYS,
        *,
        cutoff: time | str | None = None,
    ) -> datetime:
        """When a period of `amount` `unit` that starts with `received_at` ends (aware, in the
        calendar's time zone).

        Day units: the period starts the day after the effective receipt day and ends at closing
        time of its last day (Civil Code Art. 147, 148); a fractional amount is rounded *up* to
        whole days, because the appointment is a day. Amount 0 is due at closing time of the
        effective receipt day. Working hours: counted from the moment of receipt, inside office
        hours only, to the minute; the cut-off does not apply.

        Examples (DOMAIN.md §3.6): 5 working days from 2026-02-12 09:00 end on 2026-02-26 at
        17:00 (Tết 16-20/2/2026 skipped); 3 working days from 2026-04-24 16:00 end on 2026-05-05
        (after the cut-off; 27/4 observed Hùng Kings; 30/4, 1/5).
        """
        local = self._local(received_at)
        value = _as_amount(amount)
        if unit not in TimeUnit.values:
            raise ValueError(f"unknown unit {unit!r}")
        if unit == TimeUnit.WORKING_HOURS:
            minutes = int((value * 60).to_integral_value(rounding=ROUND_HALF_UP))
            return self.add_working_minutes(local, minutes)
        start = self.effective_receipt_day(local, cutoff)
        whole_days = int(value.to_integral_value(rounding=ROUND_CEILING))
        if unit == TimeUnit.WORKING_DAYS:
            return self.end_of_day(self.add_working_days(start, whole_days))
        last = start + timedelta(days=whole_days)
        return self.end_of_day(self.working_day_on_or_after(last))

    def _windows(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if not self.is_working_day(day):
            return ()
        return tuple(
            (self._at(day, opens), self._at(day, closes)) for opens, closes in self.office_hours
        )

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment when `minutes` of office time have passed since `start` (minutes >= 0).

        With 0 minutes this is the first office moment at or after `start`; a period that ends
        exactly at a closing time (lunch or evening) ends then, not at the next opening.
        """
        minutes = operator.index(minutes)
        if minutes < 0:
            raise ValueError("minutes must be >= 0")
        remaining = timedelta(minutes=minutes)
        moment = self._local(start)
        day = moment.date()
        while True:
            for opens, closes in self._windows(day):
                begin = max(opens, moment)
                if begin >= closes:
                    continue
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
            moment = self._at(day, time.min)

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole office minutes between two moments (0 if end <= start). Used to measure pauses."""
        start, end = self._local(start), self._local(end)
        if end <= start:
            return 0
        total = timedelta()
        day = start.date()
        while day <= end.date():
            for opens, closes in self._windows(day):
                lo, hi = max(opens, start), min(closes, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)

    @property
    def minutes_per_working_day(self) -> int:
        return sum(
            (datetime.combine(date.min, c) - datetime.combine(date.min, o)).seconds // 60
            for o, c in self.office_hours
        )

    @property
    def supported_years(self) -> range:
        """Years the holidays package covers; day counting outside them raises."""
        return _supported_years(self.country)


def _load_overrides() -> tuple[dict[date, str], dict[date, str]]:
    """The administrator's overrides (days off, make-up working days): from this process's copy
    (OVERRIDES_MEMO_SECONDS), else the shared cache (OVERRIDES_CACHE_SECONDS), else the database.

    Inside a transaction the process copy is skipped, so writes that store a due date count with
    the overrides as the shared cache has them (invalidated on every change), never with a copy
    up to half a minute old. Reads for display (the public look-up) accept that delay.
    """
    return _overrides()[0]


def _overrides() -> tuple[tuple[dict[date, str], dict[date, str]], str]:
    """(overrides, stamp); the stamp changes whenever the overrides do (see overrides_stamp)."""
    global _overrides_memo
    memo = _overrides_memo
    in_transaction = transaction.get_connection().in_atomic_block
    if memo is not None and not in_transaction and memo[0] > monotonic():
        return memo[1], memo[2]
    overrides = _shared_overrides()
    stamp = hashlib.blake2b(
        repr([sorted(part.items()) for part in overrides]).encode(), digest_size=8
    ).hexdigest()
    if not in_transaction:
        _overrides_memo = (monotonic() + OVERRIDES_MEMO_SECONDS, overrides, stamp)
    return overrides, stamp


def _shared_overrides() -> tuple[dict[date, str], dict[date, str]]:
    from .models import CalendarOverride  # the calendar is imported by models modules

    try:
        cached = cache.get(OVERRIDES_CACHE_KEY)
    except Exception:  # a cache outage must not stop deadlines (health check reports it)
        logger.warning("calendar: cache unavailable, reading overrides from the database")
        cached = None
    if cached is None:
        off, on = {}, {}
        for row in CalendarOverride.objects.only("day", "kind", "name"):
            (on if row.kind == CalendarOverride.Kind.WORKING_DAY else off)[row.day] = row.name
        cached = (off, on)
        try:
            cache.set(OVERRIDES_CACHE_KEY, cached, OVERRIDES_CACHE_SECONDS)
        except Exception:
            logger.warning("calendar: cache unavailable, overrides not cached")
    return cached


def overrides_stamp() -> str:
    """A short digest of the overrides get_calendar() uses now: part of the cache key of pages
    that show days counted with them (the public look-up's explanation of a due date)."""
    return _overrides()[1]


def _delete_cached_overrides() -> None:
    global _overrides_memo
    _overrides_memo = None
    try:
        cache.delete(OVERRIDES_CACHE_KEY)
    except Exception:
        logger.warning("calendar: cache unavailable, overrides may be stale for a while")


def invalidate_overrides() -> None:
    """Forget the cached overrides, now and again when the current transaction commits.

    Called by CalendarOverride.save()/delete() and by the admin's bulk delete. The second delete
    stops a reader that ran between the write and the commit from caching the old rows. Other
    processes drop their own copy within OVERRIDES_MEMO_SECONDS.
    """
    _delete_cached_overrides()
    transaction.on_commit(_delete_cached_overrides)


def _configured_calendar(
    extra_days_off: Mapping[date, str], extra_working_days: Mapping[date, str]
) -> WorkingCalendar:
    return WorkingCalendar(
        extra_days_off=extra_days_off,
        extra_working_days=extra_working_days,
        office_hours=tuple((_parse_time(a), _parse_time(b)) for a, b in settings.OFFICE_HOURS),
        cutoff=_parse_time(settings.RECEIPT_CUTOFF),
        country=settings.HOLIDAYS_COUNTRY,
        language=settings.HOLIDAYS_LANGUAGE,
        tz=ZoneInfo(settings.TIME_ZONE),
    )


def get_calendar() -> WorkingCalendar:
    """The calendar with the overrides currently stored (cached; invalidated on every change)."""
    off, on = _load_overrides()
    return _configured_calendar(off, on)


def package_calendar() -> WorkingCalendar:
    """The configured calendar without any override: what the holidays package alone says.
    The admin shows it next to each override."""
    return _configured_calendar({}, {})


# Module-level shortcuts for one-off calls.
def is_working_day(day: date) -> bool:
    return get_calendar().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    return get_calendar().add_working_days(day, n)


def working_days_between(start: date, end: date) -> int:
    return get_calendar().working_days_between(start, end)


def due_at(
    received_at: datetime,
    amount: int | Decimal | float,
    unit: str = TimeUnit.WORKING_DAYS,
    *,
    cutoff: time | str | None = None,
) -> datetime:
    return get_calendar().due_at(received_at, amount, unit, cutoff=cutoff)


def holidays_of_year(year: int) -> YearOverview:
    """The portal calendar's view of `year`: holidays, swaps and overrides, working days per
    month. Read by the staff calendar page (core.calendar_views.calendar_year)."""
    return get_calendar().year_overview(year)

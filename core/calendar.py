"""The working-day calendar: the only module in the portal that counts days.

Rules (DOMAIN.md §3.6, §11):
- A working day is Monday-Friday, minus the public holidays of python-holidays (Vietnam, with the
  Government's yearly swaps), minus the extra days off an administrator adds, plus the make-up
  working days (ngày làm bù) an administrator adds. Overrides win over everything else.
- A period in days starts the day *after* receipt (Civil Code 2015 Art. 147). A dossier received
  after the cut-off (default 15:00, configurable per procedure) or on a non-working day counts as
  received on the next working day (Decree 61/2018 transfer rule, [U], hence configurable).
- A period that ends on a non-working day ends on the next working day (Civil Code Art. 148).
  Day-based periods end when the office closes on the last day.
- A period in working hours starts at the moment of receipt (Art. 147(1)) and counts only the
  office hours of working days (8 h = 1 working day with the default office hours).

`get_calendar()` returns a `WorkingCalendar` holding the current overrides; callers that count
many dates (lists, reports) take one calendar and reuse it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OVERRIDES_CACHE_KEY = "core:calendar:overrides:v1"
OVERRIDES_CACHE_SECONDS = 300


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("days")
    WORKING_HOURS = "working_hours", _("working hours")


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    return dict(
        holidays.country_holidays(
            settings.HOLIDAYS_COUNTRY, years=year, language=settings.HOLIDAYS_LANGUAGE
        )
    )


@dataclass(frozen=True)
class WorkingCalendar:
    """Working-day arithmetic over public holidays plus explicit overrides."""

    extra_days_off: dict[date, str] = field(default_factory=dict)
    extra_working_days: dict[date, str] = field(default_factory=dict)
    office_hours: tuple[tuple[time, time], ...] = (
        (time(7, 0), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )
    cutoff: time = time(15, 0)

    # -- days --------------------------------------------------------------------------------
    def holiday_name(self, day: date) -> str | None:
        """Why `day` is not worked although it is a weekday, or None."""
        if day in self.extra_working_days:
            return None
        if day in self.extra_days_off:
            return self.extra_days_off[day]
        return _public_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return day.weekday() < 5 and day not in _public_holidays(day.year)

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

    # -- moments -----------------------------------------------------------------------------
    def closing_time(self) -> time:
        return self.office_hours[-1][1]

    def end_of_day(self, day: date) -> datetime:
        """Aware datetime when the office closes on `day`."""
        return timezone.make_aware(datetime.combine(day, self.closing_time()))

    def effective_receipt_day(self, received_at: datetime, cutoff: time | None = None) -> date:
        """The day a dossier counts as received: the next working day if it came in after the
        cut-off or on a non-working day (DOMAIN.md §3.3, §3.6)."""
        local = timezone.localtime(received_at)
        day = local.date()
        if not self.is_working_day(day) or local.time() >= (cutoff or self.cutoff):
            return self.next_working_day(day)
        return day

    def due_at(
        self,
        received_at: datetime,
        amount: int | Decimal | float,
        unit: str = TimeUnit.WORKING_DAYS,
        *,
        cutoff: time | None = None,
    ) -> datetime:
        """When a period of `amount` `unit` that starts with `received_at` ends (aware).

        Example: 5 working days from 2026-02-12 09:00 end on 2026-02-26 at closing time
        (Tết 16-20/2/2026 is skipped).
        """
        if timezone.is_naive(received_at):
            raise ValueError("received_at must be timezone-aware")
        if amount < 0:
            raise ValueError("amount must be >= 0")
        if unit == TimeUnit.WORKING_HOURS:
            return self.add_working_minutes(received_at, int(round(Decimal(str(amount)) * 60)))
        start = self.effective_receipt_day(received_at, cutoff)
        whole_days = int(Decimal(str(amount)).to_integral_value(rounding="ROUND_CEILING"))
        if unit == TimeUnit.WORKING_DAYS:
            return self.end_of_day(self.add_working_days(start, whole_days))
        if unit == TimeUnit.CALENDAR_DAYS:
            last = start + timedelta(days=whole_days)
            return self.end_of_day(self.working_day_on_or_after(last))
        raise ValueError(f"unknown unit {unit!r}")

    def _windows(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return ()
        return tuple(
            (
                timezone.make_aware(datetime.combine(day, opens)),
                timezone.make_aware(datetime.combine(day, closes)),
            )
            for opens, closes in self.office_hours
        )

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment when `minutes` of office time have passed since `start`."""
        remaining = timedelta(minutes=minutes)
        moment = timezone.localtime(start)
        day = moment.date()
        while True:
            for opens, closes in self._windows(day):
                begin = max(opens, moment)
                if begin >= closes:
                    continue
                available = closes - begin
                if remaining <= available:
                    return begin + remaining if remaining else begin
                remaining -= available
            day += timedelta(days=1)
            moment = timezone.make_aware(datetime.combine(day, time.min))

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Office minutes between two moments (0 if end <= start). Used to measure pauses."""
        if end <= start:
            return 0
        total = timedelta()
        day = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        while day <= last:
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


def _load_overrides() -> tuple[dict[date, str], dict[date, str]]:
    from .models import CalendarOverride  # the calendar is imported by models modules

    cached = cache.get(OVERRIDES_CACHE_KEY)
    if cached is None:
        off, on = {}, {}
        for row in CalendarOverride.objects.only("day", "kind", "name"):
            (on if row.kind == CalendarOverride.Kind.WORKING_DAY else off)[row.day] = row.name
        cached = (off, on)
        cache.set(OVERRIDES_CACHE_KEY, cached, OVERRIDES_CACHE_SECONDS)
    return cached


def invalidate_overrides() -> None:
    cache.delete(OVERRIDES_CACHE_KEY)


def get_calendar() -> WorkingCalendar:
    """The calendar with the overrides currently stored (cached; invalidated on every change)."""
    off, on = _load_overrides()
    return WorkingCalendar(
        extra_days_off=off,
        extra_working_days=on,
        office_hours=tuple((_parse_time(a), _parse_time(b)) for a, b in settings.OFFICE_HOURS),
        cutoff=_parse_time(settings.RECEIPT_CUTOFF),
    )


# Module-level shortcuts for one-off calls.
def is_working_day(day: date) -> bool:
    return get_calendar().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    return get_calendar().add_working_days(day, n)


def working_days_between(start: date, end: date) -> int:
    return get_calendar().working_days_between(start, end)


def due_at(received_at: datetime, amount, unit: str = TimeUnit.WORKING_DAYS, *, cutoff=None):
    return get_calendar().due_at(received_at, amount, unit, cutoff=cutoff)

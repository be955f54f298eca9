"""The office-minute clock: working days as indexes, moments as minutes of office time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .plan import Plan


class Clock:
    """Working days as indexes, moments as office minutes: `index * W + minute`.

    Actions never happen on minute 0 of a day, so "minute W of day d" (closing time, when
    day-based due dates end) and "minute 0 of day d + 1" never meet, and `finished > due` is
    an integer comparison (rows._later handles the lunch break), as in dossiers.clock.timeliness_of.
    """

    def __init__(self, plan: Plan):
        cal = self.cal = plan.calendar
        self.tz = cal.tz
        W = self.W = cal.minutes_per_working_day
        local_now = timezone.localtime(plan.now, cal.tz)
        today = local_now.date()
        self.days: list[date] = []
        day = plan.first_day
        while day <= today + timedelta(days=240):  # room for due dates after "now"
            if cal.is_working_day(day):
                self.days.append(day)
            day += timedelta(days=1)
        self.index = {d: i for i, d in enumerate(self.days)}
        # Wall-clock "Thh:mm:ss" of each office minute 0..W. An action at the end of a window
        # happens when the next one opens (13:30, not 11:30); a due moment there ends the
        # window, as in WorkingCalendar.add_working_minutes.
        clock, self.window_ends = [], {}
        for minute in range(W + 1):
            remaining = minute
            for position, (opens, closes) in enumerate(cal.office_hours):
                length = minutes_of(closes) - minutes_of(opens)
                last_window = position == len(cal.office_hours) - 1
                if remaining < length or (remaining == length and last_window):
                    hour, minute_of_hour = divmod(minutes_of(opens) + remaining, 60)
                    clock.append(f"T{hour:02d}:{minute_of_hour:02d}:00")
                    break
                if remaining == length:
                    self.window_ends[minute] = f"T{closes:%H:%M}:00"
                remaining -= length
        # Every action moment as ISO text, formatted once; `closing[i]` ends day i.
        self.moments: list[str] = []
        self.closing: list[str] = []
        for day in self.days:
            offset = datetime(day.year, day.month, day.day, 12, tzinfo=self.tz).isoformat()[-6:]
            iso = day.isoformat()
            self.moments.extend(f"{iso}{hhmm}{offset}" for hhmm in clock[:W])
            self.closing.append(f"{iso}{clock[W]}{offset}")
        # "now": the office minutes that have passed.
        if today in self.index:
            self.now = self.index[today] * W + self.office_minutes(local_now.time())
        else:
            self.now = max(i for i, d in enumerate(self.days) if d < today) * W + W
        self.last_index = (self.now - 1) // W

    def office_minutes(self, clock: time) -> int:
        """Office minutes of a working day before `clock`."""
        now = minutes_of(clock)
        return sum(
            max(0, min(now, minutes_of(closes)) - minutes_of(opens))
            for opens, closes in self.cal.office_hours
        )

    def due_text(self, ordinal: int) -> str:
        """ISO text of a due moment: the end of a window (W: closing) belongs to its day."""
        index, minute = divmod(ordinal, self.W)
        if not minute:
            return self.closing[index - 1]
        end = self.window_ends.get(minute)
        if end is None:
            return self.moments[ordinal]
        return self.moments[ordinal][:10] + end + self.moments[ordinal][-6:]

    def from_datetime(self, moment: datetime) -> int:
        """A due moment computed by core.calendar, in office minutes."""
        local = moment.astimezone(self.tz)
        return self.index[local.date()] * self.W + self.office_minutes(local.time())


def minutes_of(clock: time) -> int:
    return clock.hour * 60 + clock.minute

"""The dossier clock: timeliness and the plain-words explanation of a due date.

All day counting is delegated to core.calendar; this module only applies the rules of
DOMAIN.md §3.6 and §3.8 to a dossier's recorded times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from core.calendar import TimeUnit, WorkingCalendar

from .constants import Timeliness


def timeliness_of(*, finished_at: datetime, due_at: datetime, multiple_supplements: bool) -> str:
    """Early / on time / late for a dossier whose processing ended at `finished_at`.

    - More than one supplement request after acceptance counts as late (766 rules, §3.4).
    - Early: finished on a day before the due day. On time: finished by the due time.
    - Measured against the due date extended by pauses, never against a rescheduled date.
    """
    if multiple_supplements or finished_at > due_at:
        return Timeliness.LATE
    if timezone.localtime(finished_at).date() < timezone.localtime(due_at).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


@dataclass(frozen=True)
class ClockSummary:
    working_days_used: int
    working_days_left: int  # negative when overdue
    paused_working_days: float
    is_overdue: bool
    is_paused: bool


def clock_summary(dossier, *, calendar: WorkingCalendar, now: datetime) -> ClockSummary | None:
    """Working days used and left for an accepted dossier, as shown on the dossier page."""
    if dossier.due_at is None:
        return None
    end = dossier.finished_at or now
    start_day = calendar.effective_receipt_day(dossier.received_at)
    end_day = timezone.localtime(end).date()
    due_day = timezone.localtime(dossier.due_at).date()
    per_day = calendar.minutes_per_working_day or 480
    paused_days = dossier.paused_minutes / per_day
    used = max(0, calendar.working_days_between(start_day, end_day) - int(paused_days))
    left = calendar.working_days_between(end_day, due_day)
    return ClockSummary(
        working_days_used=used,
        working_days_left=left,
        paused_working_days=round(paused_days, 1),
        is_overdue=dossier.finished_at is None and now > dossier.due_at,
        is_paused=dossier.is_paused,
    )


@dataclass(frozen=True)
class DueDateExplanation:
    received_day: date
    counted_from: date
    moved_by_cutoff: bool
    amount: str
    unit: str
    holidays: list[tuple[date, str]]
    paused_working_days: float
    original_due_at: datetime
    due_at: datetime
    rescheduled_due_at: datetime | None


def explain_due_date(dossier, *, calendar: WorkingCalendar) -> DueDateExplanation | None:
    """Why the due date is what it is: N units from which day, holidays skipped, pauses."""
    if dossier.original_due_at is None:
        return None
    received_day = timezone.localtime(dossier.received_at).date()
    counted_from = calendar.effective_receipt_day(
        dossier.received_at, dossier.procedure.receipt_cutoff
    )
    due_day = timezone.localtime(dossier.due_at).date()
    amount = dossier.processing_time_amount
    amount_text = f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount}"
    per_day = calendar.minutes_per_working_day or 480
    return DueDateExplanation(
        received_day=received_day,
        counted_from=counted_from,
        moved_by_cutoff=counted_from != received_day,
        amount=amount_text,
        unit=TimeUnit(dossier.processing_time_unit).label,
        holidays=calendar.non_working_days_between(counted_from, due_day),
        paused_working_days=round(dossier.paused_minutes / per_day, 1),
        original_due_at=dossier.original_due_at,
        due_at=dossier.due_at,
        rescheduled_due_at=dossier.rescheduled_due_at,
    )

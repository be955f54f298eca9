"""Period figures of the one-stop desk: received, early / on time / late, open, overdue, the
766 ratios (DOMAIN.md §3.8, §8.2), and the dossiers behind each figure.

Read by the weekly late-dossier report (reports.services), the leaders' dashboard and the
satisfaction 5.4 estimate; the staff dossier list drills down into a figure with
`period_dossiers` (dossiers.filters, `?bucket=`).

The state of every dossier is reconstructed AT the period's end from recorded times, never
from its current status, so building the figures of an old week again gives the same numbers:

- Population: accepted dossiers (they have a due date; refused-at-intake and not-yet-accepted
  online submissions have none), received before `end` and not finished before `start`.
- Received: `received_at` in [start, end). Online: channel 2 (§3.2).
- Resolved early / on time / late: processing ended (`finished_at`: resolved, else stopped or
  withdrawn, §3.8) in [start, end), with the timeliness decided when it ended
  (dossiers.clock.timeliness_of: against the due date extended by pauses, never against the
  rescheduled date; more than one supplement request after acceptance is late).
- Open at `end`: not finished before `end`. Its processing "ends" at `end`, or, if it was
  waiting for the applicant (a pause open at `end`), at the time of that request (§3.8). It is
  overdue when that moment is past the due date as it stood at `end` (the due date before any
  later resumption moved it: the RESUMED history row keeps the old value), or when it had more
  than one supplement request by `end`.
- Due soon without an apology: open at `end`, clock running, not overdue, due by the end of the
  next working day (the last moment to apologise, §3.5; as the staff list's amber light), and
  no apology issued before `end`.
- Apologies issued: apology slips issued in [start, end).
- E-result (766 4.1): finished in the period with an electronic result file; digitised (4.2):
  that, and scans attached before `end`.

Every figure of a period comes from ONE grouped query (a handful of rows, summed here);
`period_figures_by` is the same query grouped by procedure and responsible officer;
`period_breakdown(with_late_list=True)` also lists the late dossiers from the same
classification in the same statement (the weekly report). Day counting is core.calendar's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.calendar import WorkingCalendar, get_calendar
from procedures.constants import SubmissionChannel
from procedures.models import Procedure

from .constants import DossierStatus, EventType, PauseKind, Timeliness
from .models import Dossier, DossierApology, DossierAttachment, DossierEvent, DossierPause

# --- figures -------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    """part / whole, None when there is nothing to divide by (shown as "N/A", §8.2)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class PeriodFigures:
    received: int = 0  # received (accepted, code issued) in [start, end)
    received_online: int = 0  # of which channel 2 (online)
    resolved_early: int = 0  # processing ended in [start, end): early
    resolved_on_time: int = 0  # ... on time
    resolved_late: int = 0  # ... late
    open_on_time: int = 0  # still open at `end` (paused: request time as end), not late
    open_overdue: int = 0  # still open at `end` and late
    due_soon_without_apology: int = 0  # open, due within 1 working day after `end`, no apology
    apologies_issued: int = 0  # apology slips issued in [start, end)
    finished: int = 0  # resolved_early + resolved_on_time + resolved_late
    finished_with_e_result: int = 0  # finished with an electronic result file (766 4.1)
    digitised: int = 0  # finished with scans AND an e-result (766 4.2)

    @property
    def counted(self) -> int:
        """Denominator of the on-time rate (766 2.1): finished in the period or open at end."""
        return self.finished + self.open_on_time + self.open_overdue

    @property
    def on_time(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.open_on_time

    @property
    def late(self) -> int:
        return self.resolved_late + self.open_overdue

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.counted)

    @property
    def online_share(self) -> float | None:
        return _share(self.received_online, self.received)

    @property
    def e_result_share(self) -> float | None:
        return _share(self.finished_with_e_result, self.finished)

    @property
    def digitised_share(self) -> float | None:
        return _share(self.digitised, self.finished)

    def as_dict(self) -> dict[str, int]:
        """The counts as plain JSON (snapshots); the ratios are derived again on reading."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> PeriodFigures:
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in (data or {}).items() if k in names})

    def __add__(self, other: PeriodFigures) -> PeriodFigures:
        return PeriodFigures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class GroupFigures:
    key_id: int | None
    label: str
    figures: PeriodFigures


# Bucket name -> what the figure is called (headings of the drill-down list, reports).
BUCKETS: dict[str, str] = {
    "received": _("Received in the period"),
    "received_online": _("Received online in the period"),
    "resolved_early": _("Resolved early in the period"),
    "resolved_on_time": _("Resolved on time in the period"),
    "resolved_late": _("Resolved late in the period"),
    "open_on_time": _("Open at the end of the period, on time"),
    "open_overdue": _("Open at the end of the period, overdue"),
    "due_soon_without_apology": _("Due within 1 working day, no apology issued"),
    "apologies_issued": _("Apology issued in the period"),
    "finished": _("Processing ended in the period"),
    "finished_with_e_result": _("Ended in the period with an electronic result"),
    "digitised": _("Ended in the period, digitised (scans and electronic result)"),
}

# --- the per-dossier classification ------------------------------------------------------------
# Key values of the grouped query (one small integer or text per dossier and dimension).
_RECEIVED_NO, _RECEIVED_OTHER, _RECEIVED_ONLINE = 0, 1, 2
_OPEN_NO, _OPEN_ON_TIME, _OPEN_OVERDUE, _OPEN_DUE_SOON = 0, 1, 2, 3
_E_NO, _E_RESULT, _E_DIGITISED = 0, 1, 2

# Statuses in which a dossier may have had a pause although no paused time was added to its
# due date: paused now, or ended (stopped, withdrawn) while paused (services._end).
_MAY_HAVE_OPEN_PAUSE = [
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.AWAITING_PAYMENT,
    DossierStatus.STOPPED,
    DossierStatus.WITHDRAWN,
]


def responsible_officer():
    """The officer a dossier is counted for: its handler, else the desk officer who received
    it (the same rule as the explanations of late dossiers)."""
    return Coalesce(F("handler_id"), F("received_by_id"))


def _apology_deadline(end: datetime, calendar: WorkingCalendar) -> datetime:
    """End of the office day one working day after `end`'s day: a dossier due by then must
    have its apology now (DOMAIN.md §3.5); as dossiers.filters.due_within_threshold(days=1)."""
    today = end.astimezone(calendar.tz).date()
    return calendar.end_of_day(calendar.add_working_days(today, 1))


def _scope(
    *,
    agency_id: int | None,
    start: datetime,
    end: datetime,
    procedure_id: int | None = None,
    officer_id: int | None = None,
) -> QuerySet[Dossier]:
    """Accepted dossiers alive during [start, end): received before `end`, not finished before
    `start` (the union of received, finished in, and open at the end of the period)."""
    queryset = Dossier.objects.filter(due_at__isnull=False, received_at__lt=end).filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=start)
    )
    if agency_id is not None:
        queryset = queryset.filter(agency_id=agency_id)
    if procedure_id is not None:
        # Every version of the procedure: a dossier keeps the version it was received under.
        same_code = Procedure.objects.filter(pk=procedure_id).values("code")[:1]
        queryset = queryset.filter(
            procedure_id__in=Procedure.objects.filter(code=Subquery(same_code)).values("pk")
        )
    if officer_id is not None:
        queryset = queryset.filter(
            Q(handler_id=officer_id) | Q(handler__isnull=True, received_by_id=officer_id)
        )
    return queryset.order_by()


def _state_at_end(queryset: QuerySet[Dossier], *, end) -> QuerySet[Dossier]:
    """Alias the state of each dossier at `end` (see the module docstring) on `queryset`:
    `paused_since` (the start of a pause open at `end`, else NULL), `clock_end` (that, else
    `end`), `due_then` (the due date as it stood at `end`) and `supplements_then` (supplement
    requests by `end`).

    The correlated sub-queries (pauses, history) sit behind CASE guards on the row's own
    columns, so PostgreSQL runs them only for the few dossiers that need them.
    """
    pause_open_at_end = (
        DossierPause.objects.filter(dossier_id=OuterRef("pk"), started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    supplements_by_end = (
        DossierPause.objects.filter(
            dossier_id=OuterRef("pk"), kind=PauseKind.SUPPLEMENT, started_at__lt=end
        )
        .order_by()
        .values("dossier_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The due date before the first resumption at or after `end` (services.dossier_resume
    # records it as data.old.due_at): the due date as it stood at `end`.
    due_before_later_resume = (
        DossierEvent.objects.filter(dossier_id=OuterRef("pk"), type=EventType.RESUMED, at__gte=end)
        .order_by("at", "id")
        .annotate(old_due=Cast(KT("data__old__due_at"), DateTimeField()))
        .values("old_due")[:1]
    )
    may_have_paused = (
        Q(paused_minutes__gt=0)
        | Q(supplement_request_count__gt=0)
        | Q(status__in=_MAY_HAVE_OPEN_PAUSE)
    )
    return queryset.alias(
        paused_since=Case(
            When(may_have_paused, then=Subquery(pause_open_at_end)),
            default=Value(None),
            output_field=DateTimeField(),
        ),
        clock_end=Coalesce(F("paused_since"), Value(end, output_field=DateTimeField())),
        due_then=Case(
            When(paused_minutes=0, then=F("due_at")),
            default=Coalesce(Subquery(due_before_later_resume), F("due_at")),
            output_field=DateTimeField(),
        ),
        supplements_then=Case(
            When(
                supplement_request_count__gte=2,
                then=Coalesce(Subquery(supplements_by_end), Value(0)),
            ),
            default=F("supplement_request_count"),
            output_field=IntegerField(),
        ),
    )


def _classified(queryset: QuerySet[Dossier], *, start, end, calendar) -> QuerySet[Dossier]:
    """Alias the keys of the classification (see the module docstring) on `queryset`, on top
    of its state at `end` (`_state_at_end`). Apologies and scans are looked up behind CASE
    guards too."""
    in_period_finish = Q(finished_at__gte=start, finished_at__lt=end)
    open_at_end = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    apologies_in_period = (
        DossierApology.objects.filter(
            dossier_id=OuterRef("pk"), issued_at__gte=start, issued_at__lt=end
        )
        .order_by()
        .values("dossier_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    apology_before_end = DossierApology.objects.filter(dossier_id=OuterRef("pk"), issued_at__lt=end)
    scans_before_end = DossierAttachment.objects.filter(
        dossier_id=OuterRef("pk"), created_at__lt=end
    )
    threshold = _apology_deadline(end, calendar)
    return _state_at_end(queryset, end=end).alias(
        received_key=Case(
            When(received_at__gte=start, channel=SubmissionChannel.ONLINE, then=_RECEIVED_ONLINE),
            When(received_at__gte=start, then=_RECEIVED_OTHER),
            default=_RECEIVED_NO,
            output_field=IntegerField(),
        ),
        finished_key=Case(
            When(in_period_finish, then=F("timeliness")),
            default=Value(""),
            output_field=CharField(),
        ),
        open_key=Case(
            When(~open_at_end, then=_OPEN_NO),
            When(supplements_then__gte=2, then=_OPEN_OVERDUE),
            When(clock_end__gt=F("due_then"), then=_OPEN_OVERDUE),
            When(
                Q(paused_since__isnull=True, due_then__lte=threshold)
                & ~(Q(rescheduled_due_at__isnull=False) & Exists(apology_before_end)),
                then=_OPEN_DUE_SOON,
            ),
            default=_OPEN_ON_TIME,
            output_field=IntegerField(),
        ),
        e_key=Case(
            When(
                in_period_finish & ~Q(result_file=""),
                then=Case(
                    When(Exists(scans_before_end), then=_E_DIGITISED),
                    default=_E_RESULT,
                    output_field=IntegerField(),
                ),
            ),
            default=_E_NO,
            output_field=IntegerField(),
        ),
        # Apologies move the appointment, so a dossier without a new date has none (§3.5).
        apology_count=Case(
            When(rescheduled_due_at__isnull=False, then=Subquery(apologies_in_period)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


# Periods up to this long are classified without parallel workers (see _serial).
SERIAL_MAX_PERIOD = timedelta(days=31)


@contextmanager
def _serial(start: datetime, end: datetime) -> Iterator[None]:
    """Run the enclosed classification queries of [start, end) without parallel workers when
    the period is at most SERIAL_MAX_PERIOD (this transaction only).

    The classification's correlated sub-queries are parallel-restricted: with workers, the
    workers only read the rows and hand them over to the leader, which classifies them all
    alone. For a week or a month the reading is a small index range and the hand-over costs
    more than it saves (at 1,000,000 dossiers: a week 190 -> 155 ms, 30 days 575 -> 420 ms, the
    12-week trend 4.6 -> 3.5 s); for a quarter the workers' share of the reading pays off (91
    days: 1.4 s with them, 2.4 s without). One extra statement; nothing on SQLite.
    PostgreSQL's JIT is off for the whole connection (settings: it compiled this query for
    ~1.5 s).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False):
        if end - start <= SERIAL_MAX_PERIOD:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


_KEYS = ("received_key", "finished_key", "open_key", "e_key")
# Column names of the keys in the grouped rows (an alias cannot be selected under its name).
_KEY_COLUMNS = {f"k_{key}": F(key) for key in _KEYS}
# What a grouped row is counted by (period_breakdown's grouping).
_GROUP_NAMES = ("procedure_id", "officer", *_KEY_COLUMNS)


def _figures_of(rows: Iterable[dict]) -> PeriodFigures:
    """Sum grouped rows (keys + `n` + `apologies`) into figures."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        n = row["n"]
        received, finished, opened, e = (row[k] for k in _KEY_COLUMNS)
        if received:
            counts["received"] += n
            if received == _RECEIVED_ONLINE:
                counts["received_online"] += n
        if finished in (Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE):
            counts[f"resolved_{finished}"] += n
            counts["finished"] += n
        if opened == _OPEN_OVERDUE:
            counts["open_overdue"] += n
        elif opened in (_OPEN_ON_TIME, _OPEN_DUE_SOON):
            counts["open_on_time"] += n
            if opened == _OPEN_DUE_SOON:
                counts["due_soon_without_apology"] += n
        if e:
            counts["finished_with_e_result"] += n
            if e == _E_DIGITISED:
                counts["digitised"] += n
        counts["apologies_issued"] += row["apologies"] or 0
    return PeriodFigures(**counts)


def _grouped_rows(
    *,
    agency_id,
    start,
    end,
    procedure_id=None,
    officer_id=None,
    group_by: tuple[str, ...] = (),
    calendar: WorkingCalendar | None = None,
) -> list[dict]:
    """ONE query: the period's dossiers counted per combination of keys (and `group_by`).
    Run it in `_serial(start, end)`."""
    _check_period(start, end)
    calendar = calendar or get_calendar()
    queryset = _classified(
        _scope(
            agency_id=agency_id,
            start=start,
            end=end,
            procedure_id=procedure_id,
            officer_id=officer_id,
        ),
        start=start,
        end=end,
        calendar=calendar,
    )
    extra = {"officer": responsible_officer()} if "officer" in group_by else {}
    columns = [name for name in group_by if name != "officer"]
    grouped = queryset.values(*columns, **_KEY_COLUMNS, **extra).annotate(
        n=Count("pk"), apologies=Sum("apology_count")
    )
    return list(grouped)


def _check_period(start: datetime, end: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("period bounds must be timezone-aware")
    if end <= start:
        raise ValueError("the period must end after it starts")


def period_figures(
    *,
    agency_id: int,
    start: datetime,
    end: datetime,
    procedure_id: int | None = None,
    officer_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> PeriodFigures:
    """Figures of [start, end) for an agency, optionally one procedure (every version) or one
    responsible officer (handler, else receiver). One query. See the module docstring."""
    _check_period(start, end)  # before the transaction: an error in it would spoil the caller's
    with _serial(start, end):
        rows = _grouped_rows(
            agency_id=agency_id,
            start=start,
            end=end,
            procedure_id=procedure_id,
            officer_id=officer_id,
            calendar=calendar,
        )
    return _figures_of(rows)


def period_figures_by(
    *,
    agency_id: int,
    start: datetime,
    end: datetime,
    by: Literal["procedure", "officer"],
    procedure_id: int | None = None,
    officer_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[GroupFigures]:
    """The same figures per procedure (versions merged by national code; key = the latest
    version's id) or per responsible officer, sorted by label. Two queries: the grouped one and
    the labels."""
    if by not in ("procedure", "officer"):
        raise ValueError(f"cannot group by {by!r}")
    _check_period(start, end)
    with _serial(start, end):
        rows = _grouped_rows(
            agency_id=agency_id,
            start=start,
            end=end,
            procedure_id=procedure_id,
            officer_id=officer_id,
            group_by=("procedure_id",) if by == "procedure" else ("officer",),
            calendar=calendar,
        )
    if by == "procedure":
        return _by_procedure(rows)
    return _by_officer(rows)


@dataclass(frozen=True)
class Breakdown:
    """One period's figures, whole and by procedure and officer (see period_breakdown)."""

    totals: PeriodFigures
    by_procedure: list[GroupFigures]
    by_officer: list[GroupFigures]
    # (procedure key id, officer id, figures) for every pair with dossiers: an officer's own
    # figures per procedure, without another query.
    cells: list[tuple[int | None, int, PeriodFigures]]
    # With `with_late_list`: the late dossiers as plain values, else None.
    late: LateList | None = None


def period_breakdown(
    *,
    agency_id: int,
    start: datetime,
    end: datetime,
    officer_id: int | None = None,
    calendar: WorkingCalendar | None = None,
    with_late_list: bool = False,
) -> Breakdown:
    """Totals, per procedure and per responsible officer of one period from ONE grouped query
    (plus the labels): what the weekly report needs. Counts add up, so the totals and both
    groupings are sums of the (procedure, officer) cells.

    `with_late_list`: also the late dossiers with their explanations (`Breakdown.late`, a
    LateList: the dossiers of `late_dossiers`, in its order), from the same classification
    and in the same statement (`_grouped_rows_and_late_list`).
    """
    _check_period(start, end)
    calendar = calendar or get_calendar()
    with _serial(start, end):
        if with_late_list:
            rows, late_rows = _grouped_rows_and_late_list(
                agency_id=agency_id, start=start, end=end, officer_id=officer_id, calendar=calendar
            )
        else:
            rows = _grouped_rows(
                agency_id=agency_id,
                start=start,
                end=end,
                officer_id=officer_id,
                group_by=("procedure_id", "officer"),
                calendar=calendar,
            )
    procedures, key_of, version_names = _procedure_groups(rows)
    pairs: dict[tuple[int | None, int], list[dict]] = defaultdict(list)
    for row in rows:
        pairs[(key_of.get(row["procedure_id"]), row["officer"])].append(row)
    late = None
    if with_late_list:
        used = {row[_PROCEDURE_COLUMN] for row in late_rows}
        late = LateList(rows=late_rows, procedures={pk: version_names[pk] for pk in used})
    return Breakdown(
        totals=_figures_of(rows),
        by_procedure=procedures,
        by_officer=_by_officer(rows),
        cells=[(key, officer, _figures_of(cell)) for (key, officer), cell in pairs.items()],
        late=late,
    )


def _grouped_rows_and_late_list(
    *, agency_id, start, end, officer_id=None, calendar: WorkingCalendar
) -> tuple[list[dict], list[list]]:
    """ONE statement for the weekly report: the rows of `_grouped_rows` grouped by procedure
    and officer, and the LATE_COLUMNS rows of the late dossiers, from one classification of
    the period's dossiers. Run it in `_serial(start, end)`.

    The classification is the ORM's (`_classified`, compiled to SQL), materialized once as the
    CTE `c` and read twice: grouped for the counts, and for the ids of the late dossiers,
    which `_late_queryset` (compiled too) reads. Plain SQL only glues them together, so the
    rules stay in one place. Two queries would classify the dossiers or send their ids twice
    (at 1,000,000 dossiers: 3,779 late ones, ~150 ms more; bench/README.md). `AS MATERIALIZED`
    needs PostgreSQL 12+ or SQLite 3.35+.
    """
    _check_period(start, end)
    per_dossier = _classified(
        _scope(agency_id=agency_id, start=start, end=end, officer_id=officer_id),
        start=start,
        end=end,
        calendar=calendar,
    ).values(
        "pk",
        "procedure_id",
        officer=responsible_officer(),
        apologies_in_period=F("apology_count"),
        **_KEY_COLUMNS,
    )
    late_ids = RawSQL(
        'SELECT "pk" FROM c WHERE "k_open_key" = %s OR "k_finished_key" = %s',
        (_OPEN_OVERDUE, Timeliness.LATE),
    )
    late = _late_queryset(Dossier.objects.filter(pk__in=late_ids), end=end, calendar=calendar)
    per_sql, per_params = per_dossier.query.sql_with_params()
    late_sql, late_params = late.query.sql_with_params()
    keys = ", ".join(connection.ops.quote_name(name) for name in _GROUP_NAMES)
    padding = ", ".join(["NULL"] * (len(LATE_COLUMNS) + 1))  # + the two days - working days
    # Only ORM-compiled SQL, quoted names and constants; the values are parameters.
    sql = (
        f"WITH c AS MATERIALIZED ({per_sql}) "  # noqa: S608
        f'SELECT 0, {keys}, COUNT(*), CAST(SUM("apologies_in_period") AS BIGINT), {padding} '
        f"FROM c GROUP BY {keys} "
        f"UNION ALL SELECT 1, {', '.join(['NULL'] * (len(_GROUP_NAMES) + 2))}, late.* "
        f"FROM ({late_sql}) late"
    )
    grouped, late_rows = [], []
    names = (*_GROUP_NAMES, "n", "apologies")
    with connection.cursor() as cursor:
        cursor.execute(sql, (*per_params, *late_params))
        for part, *values in cursor.fetchall():
            if part == 0:
                grouped.append(dict(zip(names, values[: len(names)], strict=True)))
            else:
                late_rows.append(values[len(names) :])
    return grouped, _late_values(late_rows, calendar=calendar)


def _by_procedure(rows: list[dict]) -> list[GroupFigures]:
    return _procedure_groups(rows)[0]


def _procedure_groups(
    rows: list[dict],
) -> tuple[list[GroupFigures], dict[int, int], dict[int, str]]:
    """Groups per national code (the key is the latest version's id), and for each procedure
    version id seen, the key of its group and the version's own name."""
    ids = {row["procedure_id"] for row in rows}
    versions = Procedure.objects.filter(pk__in=ids).values_list("pk", "code", "version", "name")
    # National code -> (latest version's id, its version, its name); version id -> code.
    latest: dict[str, tuple[int, int, str]] = {}
    code_of: dict[int, str] = {}
    name_of: dict[int, str] = {}
    for pk, code, version, name in versions:
        code_of[pk] = code
        name_of[pk] = name
        if code not in latest or version > latest[code][1]:
            latest[code] = (pk, version, name)
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[code_of.get(row["procedure_id"], "")].append(row)
    out = [
        GroupFigures(
            key_id=latest[code][0] if code in latest else None,
            label=latest[code][2] if code in latest else "—",
            figures=_figures_of(code_rows),
        )
        for code, code_rows in grouped.items()
    ]
    key_of = {pk: latest[code][0] for pk, code in code_of.items()}
    groups = sorted(out, key=lambda group: (group.label.casefold(), group.key_id or 0))
    return groups, key_of, name_of


def _by_officer(rows: list[dict]) -> list[GroupFigures]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row["officer"]].append(row)
    users = (
        get_user_model()
        .objects.filter(pk__in=grouped)
        .only("pk", "username", "first_name", "last_name")
    )
    names = {user.pk: str(user) for user in users}
    out = [
        GroupFigures(key_id=pk, label=names.get(pk, "—"), figures=_figures_of(officer_rows))
        for pk, officer_rows in grouped.items()
    ]
    return sorted(out, key=lambda group: (group.label.casefold(), group.key_id or 0))


# --- weeks ---------------------------------------------------------------------------------


def week_start_of(moment: datetime | date, calendar: WorkingCalendar | None = None) -> date:
    """The Monday of the ISO week containing `moment` (local time)."""
    calendar = calendar or get_calendar()
    day = moment.astimezone(calendar.tz).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def week_bounds(
    week_start: date, calendar: WorkingCalendar | None = None
) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of the week starting `week_start`, local time."""
    calendar = calendar or get_calendar()
    start = datetime.combine(week_start, time.min, tzinfo=calendar.tz)
    return start, datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=calendar.tz)


def weekly_series(
    *,
    agency_id: int,
    weeks: int,
    until: datetime,
    procedure_id: int | None = None,
    officer_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[tuple[date, PeriodFigures]]:
    """The `weeks` ISO weeks ending with the week containing `until`, oldest first, as
    (Monday, figures); the current week ends at `until`. One query per week."""
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    calendar = calendar or get_calendar()
    last = week_start_of(until, calendar)
    series = []
    for back in range(weeks - 1, -1, -1):
        monday = last - timedelta(days=7 * back)
        start, end = week_bounds(monday, calendar)
        end = min(end, until)
        if end <= start:  # `until` is Monday 00:00 exactly: that week has not begun
            end = start + timedelta(microseconds=1)
        figures = period_figures(
            agency_id=agency_id,
            start=start,
            end=end,
            procedure_id=procedure_id,
            officer_id=officer_id,
            calendar=calendar,
        )
        series.append((monday, figures))
    return series


# --- the dossiers behind a figure ----------------------------------------------------------


def _bucket_parts(
    bucket: str, *, start: datetime, end: datetime, threshold: datetime
) -> tuple[Q, Q | None]:
    """The filter of one figure as (condition on the row's own columns, condition on the
    classification keys or None). The first narrows the rows before any sub-query runs (the
    keys' definitions imply it); most figures need no second part."""
    received = Q(received_at__gte=start)  # and before `end`: the scope
    finished = Q(finished_at__gte=start, finished_at__lt=end)
    e_result = finished & ~Q(result_file="")
    open_at_end = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    # The due date at `end` is never before the original one, and the clock ends at `end` at
    # the latest: only these can be late at `end`.
    may_be_late = Q(original_due_at__lt=end) | Q(supplement_request_count__gte=2)
    parts: dict[str, tuple[Q, Q | None]] = {
        "received": (received, None),
        "received_online": (received & Q(channel=SubmissionChannel.ONLINE), None),
        "resolved_early": (finished & Q(timeliness=Timeliness.EARLY), None),
        "resolved_on_time": (finished & Q(timeliness=Timeliness.ON_TIME), None),
        "resolved_late": (finished & Q(timeliness=Timeliness.LATE), None),
        "open_on_time": (open_at_end, Q(open_key__in=[_OPEN_ON_TIME, _OPEN_DUE_SOON])),
        "open_overdue": (open_at_end & may_be_late, Q(open_key=_OPEN_OVERDUE)),
        "due_soon_without_apology": (
            open_at_end & Q(original_due_at__lte=threshold),
            Q(open_key=_OPEN_DUE_SOON),
        ),
        "apologies_issued": (Q(rescheduled_due_at__isnull=False), Q(apology_count__gt=0)),
        "finished": (finished & Q(timeliness__in=Timeliness.values), None),
        "finished_with_e_result": (e_result, None),
        "digitised": (e_result, Q(e_key=_E_DIGITISED)),
    }
    return parts[bucket]


def _bucket_condition(bucket: str, *, start: datetime, end: datetime, threshold: datetime) -> Q:
    """The filter of one figure on `_classified` rows (both parts of `_bucket_parts`)."""
    cheap, keyed = _bucket_parts(bucket, start=start, end=end, threshold=threshold)
    return cheap if keyed is None else cheap & keyed


def period_dossiers(
    *,
    agency_id: int | None,
    start: datetime,
    end: datetime,
    bucket: str,
    procedure_id: int | None = None,
    officer_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> QuerySet[Dossier]:
    """The dossiers counted in one figure (`bucket`, a key of BUCKETS), by the same rules.

    `agency_id` None: every agency (a superuser without a department). Raises KeyError for an
    unknown bucket. The caller applies the row policy (dossiers.permissions).

    Figures read from the row's own columns (received, resolved...) are a lazy filter. Figures
    that need the state at `end` (open, due soon, apologies, digitised) are worked out here,
    once: their ids are selected in two steps (the candidates by the row's own columns, then
    the classification of those only) and the queryset is over those ids, so the staff list's
    count and page queries stay cheap (on 1,000,000 dossiers the lazy form classified the
    dossiers again in each of them, JIT-compiled: ~2 s a page).
    """
    if bucket not in BUCKETS:
        raise KeyError(bucket)
    _check_period(start, end)
    calendar = calendar or get_calendar()
    cheap, keyed = _bucket_parts(
        bucket, start=start, end=end, threshold=_apology_deadline(end, calendar)
    )
    scope = _scope(
        agency_id=agency_id,
        start=start,
        end=end,
        procedure_id=procedure_id,
        officer_id=officer_id,
    ).filter(cheap)
    if keyed is None:
        return scope
    with _serial(start, end):
        candidates = list(scope.values_list("pk", flat=True))
        ids = (
            list(
                _classified(
                    Dossier.objects.filter(pk__in=candidates),
                    start=start,
                    end=end,
                    calendar=calendar,
                )
                .filter(keyed)
                .order_by()
                .values_list("pk", flat=True)
            )
            if candidates
            else []
        )
    return Dossier.objects.filter(pk__in=ids)


# --- late dossiers of a period (the weekly report's list) ----------------------------------

# The late list as plain values, one row per dossier (LateList.rows), in this order. The
# timestamps are UTC text written by the database ("2026-05-04 00:00:00+00"; naive on
# SQLite, which stores UTC), which `datetime.fromisoformat` reads: the weekly report stores
# them as they are, and turning thousands of them into datetimes and back to text took longer
# than the query (bench/README.md).
LATE_COLUMNS = (
    "dossier_id",
    "code",
    "procedure_id",  # the version the dossier was received under (LateList.procedures)
    "received_at",
    "original_due_at",
    "due_at",  # the due date (extended by pauses) it was late against, as it stood at `end`
    "rescheduled_due_at",  # the apology's new date: shown, never measured against
    "finished_at",  # None while open at the period's end
    "is_open",  # still open at the period's end (else: resolved late in the period)
    "is_paused",  # waiting for the applicant at the period's end
    "multiple_supplements",  # late because of more than one supplement request (§3.4)
    "step",  # the current step, when the list is read
    "officer_id",  # responsible officer: the handler, else the desk officer who received it
    "apology_at",  # the first apology issued before the period's end
    "explanation_status",  # None: not requested (yet)
    "explanation_reason",
    "explanation_text",
    "explanation_remedy",
    "explanation_submitted_at",
    "explanation_explain_by",
    "applicant_name",
    "organisation_name",
    "working_days_late",  # working days after the due day up to the day processing ended
)
_PROCEDURE_COLUMN = LATE_COLUMNS.index("procedure_id")


@dataclass(frozen=True)
class LateList:
    """The late dossiers of a period as plain values: open ones first (they still need
    action), each part by due date. `rows` follow LATE_COLUMNS."""

    rows: list[list]
    procedures: dict[int, str]  # procedure version id -> its name

    columns = LATE_COLUMNS

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class LateExplanation:
    """The explanation (giải trình) of a late dossier as it stood when the list was read."""

    status: str
    reason_category: str
    text: str
    remedy: str
    submitted_at: datetime | None
    explain_by: datetime | None


@dataclass(frozen=True)
class LateDossier:
    """One late dossier of a period (a row of the LateList, with datetimes)."""

    dossier_id: int
    code: str
    procedure_id: int
    procedure_name: str  # the name of the version the dossier was received under
    applicant_name: str
    organisation_name: str
    received_at: datetime
    original_due_at: datetime | None
    rescheduled_due_at: datetime | None  # the apology's new date: shown, never measured against
    finished_at: datetime | None  # None while open at the period's end
    current_step: str  # now, when the list is read
    officer_id: int  # responsible officer: the handler, else the desk officer who received it
    is_open: bool  # still open at the period's end (else: resolved late in the period)
    due_at: datetime  # the due date (extended by pauses) it was late against
    working_days_late: int  # working days after the due day up to the day processing ended
    multiple_supplements: bool  # late because of more than one supplement request (§3.4)
    is_paused: bool  # waiting for the applicant at the period's end
    apology_at: datetime | None  # first apology issued before the period's end
    explanation: LateExplanation | None  # None: not requested (yet)


def parse_timestamp(value: str | None) -> datetime | None:
    """A timestamp of the LateList (UTC text; naive means UTC) as an aware datetime."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _late_candidates(*, start: datetime, end: datetime) -> Q:
    """The dossiers that may be in the late list, by the row's own columns: open at `end` with
    an original due date before it or more than one supplement request (the due date at `end`
    is never before the original one, and the clock ends at `end` at the latest), or resolved
    late in [start, end). The classification decides which of the open ones are late."""
    open_at_end = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    may_be_late = Q(original_due_at__lt=end) | Q(supplement_request_count__gte=2)
    resolved_late = Q(finished_at__gte=start, finished_at__lt=end, timeliness=Timeliness.LATE)
    return (open_at_end & may_be_late) | resolved_late


def _late_queryset(dossiers: QuerySet[Dossier], *, end: datetime, calendar: WorkingCalendar):
    """What the late list shows of `dossiers` (late at `end`: open and overdue, or resolved
    late in the period), as LATE_COLUMNS without the working days and with the local due day
    and end day last (`_late_values` counts the days between). Unordered. The state at `end`
    (due date, pause, supplements) is looked up for the open ones only."""
    open_at_end = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    due = Case(When(open_at_end, then=F("due_then")), default=F("due_at"))
    clock_end = Case(When(open_at_end, then=F("clock_end")), default=F("finished_at"))
    first_apology = (
        DossierApology.objects.filter(dossier_id=OuterRef("pk"), issued_at__lt=end)
        .order_by("issued_at")
        .values("issued_at")[:1]
    )

    def text(expression):  # UTC text (see LATE_COLUMNS)
        return Cast(expression, CharField())

    def boolean(condition):
        return ExpressionWrapper(condition, output_field=BooleanField())

    return (
        _state_at_end(dossiers, end=end)
        .order_by()
        .values_list(
            "pk",
            "code",
            "procedure_id",
            text("received_at"),
            text("original_due_at"),
            text(due),
            text("rescheduled_due_at"),
            text(Case(When(open_at_end, then=Value(None)), default=F("finished_at"))),
            boolean(open_at_end),
            boolean(open_at_end & Q(paused_since__isnull=False)),
            boolean(
                (open_at_end & Q(supplements_then__gt=1))
                | (~open_at_end & Q(supplement_request_count__gt=1))
            ),
            "current_step",
            responsible_officer(),
            text(
                Case(
                    When(rescheduled_due_at__isnull=False, then=Subquery(first_apology)),
                    output_field=DateTimeField(),
                )
            ),
            # At most one explanation per dossier (constraint dossiers_one_explanation).
            "explanations__status",
            "explanations__reason_category",
            "explanations__text",
            "explanations__remedy",
            text("explanations__submitted_at"),
            text("explanations__explain_by"),
            "applicant_name",
            "organisation_name",
            TruncDate(due, tzinfo=calendar.tz),
            TruncDate(clock_end, tzinfo=calendar.tz),
        )
    )


_IS_OPEN_COLUMN = LATE_COLUMNS.index("is_open")
_DUE_COLUMN = LATE_COLUMNS.index("due_at")
_BOOLEAN_COLUMNS = tuple(
    LATE_COLUMNS.index(name) for name in ("is_open", "is_paused", "multiple_supplements")
)


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _late_values(rows: Iterable[tuple], *, calendar: WorkingCalendar) -> list[list]:
    """`_late_queryset` rows -> LATE_COLUMNS rows (the working days late counted once per
    pair of days: a long list has few), in the list's order: open ones first (they still need
    action), each part by due date (UTC text in one format: sorts as time)."""
    days_between: dict[tuple, int] = {}
    out = []
    for *values, due_day, end_day in rows:
        days = days_between.get((due_day, end_day))
        if days is None:
            # Dates and booleans come as text and 0/1 from SQLite through a plain cursor.
            days = max(calendar.working_days_between(_day(due_day), _day(end_day)), 0)
            days_between[(due_day, end_day)] = days
        for column in _BOOLEAN_COLUMNS:
            values[column] = bool(values[column])
        values.append(days)
        out.append(values)
    out.sort(key=lambda row: (not row[_IS_OPEN_COLUMN], row[_DUE_COLUMN], row[0]))
    return out


def _late_rows(late_ids: list[int], *, end: datetime, calendar: WorkingCalendar) -> list[list]:
    """The LATE_COLUMNS rows of the dossiers `late_ids`, in the list's order. One query."""
    if not late_ids:
        return []
    queryset = _late_queryset(Dossier.objects.filter(pk__in=late_ids), end=end, calendar=calendar)
    return _late_values(queryset, calendar=calendar)


def _procedure_names(rows: list[list]) -> dict[int, str]:
    ids = {row[_PROCEDURE_COLUMN] for row in rows}
    return dict(Procedure.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def late_dossiers(
    *,
    agency_id: int | None,
    start: datetime,
    end: datetime,
    officer_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[LateDossier]:
    """Dossiers open and overdue at `end`, then those resolved late in [start, end), each part
    by due date, with their explanations: the rows behind open_overdue + resolved_late, by the
    rules of `period_figures`. The weekly report reads the same list with its counts
    (`period_breakdown(with_late_list=True)`); this is the list alone, as objects.

    Four queries (and the planner switch): the candidates by the row's own columns, the
    classification of those only (in one query PostgreSQL misjudges the classification's
    selectivity and intersects whole-table bitmaps: 0.3 s more on 1,000,000 dossiers), what
    the list shows of the late ones, the procedures' names.
    """
    _check_period(start, end)
    calendar = calendar or get_calendar()
    threshold = _apology_deadline(end, calendar)
    late = _bucket_condition(
        "open_overdue", start=start, end=end, threshold=threshold
    ) | _bucket_condition("resolved_late", start=start, end=end, threshold=threshold)
    scope = _scope(agency_id=agency_id, start=start, end=end, officer_id=officer_id)
    with _serial(start, end):
        candidates = list(
            scope.filter(_late_candidates(start=start, end=end)).values_list("pk", flat=True)
        )
        ids = (
            list(
                _classified(
                    Dossier.objects.filter(pk__in=candidates),
                    start=start,
                    end=end,
                    calendar=calendar,
                )
                .filter(late)
                .order_by()
                .values_list("pk", flat=True)
            )
            if candidates
            else []
        )
        rows = _late_rows(ids, end=end, calendar=calendar)
    names = _procedure_names(rows)
    out = []
    for values in rows:
        row = dict(zip(LATE_COLUMNS, values, strict=True))
        status = row["explanation_status"]
        out.append(
            LateDossier(
                dossier_id=row["dossier_id"],
                code=row["code"],
                procedure_id=row["procedure_id"],
                procedure_name=names.get(row["procedure_id"], ""),
                applicant_name=row["applicant_name"],
                organisation_name=row["organisation_name"],
                received_at=parse_timestamp(row["received_at"]),
                original_due_at=parse_timestamp(row["original_due_at"]),
                rescheduled_due_at=parse_timestamp(row["rescheduled_due_at"]),
                finished_at=parse_timestamp(row["finished_at"]),
                current_step=row["step"],
                officer_id=row["officer_id"],
                is_open=row["is_open"],
                due_at=parse_timestamp(row["due_at"]),
                working_days_late=row["working_days_late"],
                multiple_supplements=row["multiple_supplements"],
                is_paused=row["is_paused"],
                apology_at=parse_timestamp(row["apology_at"]),
                explanation=None
                if status is None
                else LateExplanation(
                    status=status,
                    reason_category=row["explanation_reason"],
                    text=row["explanation_text"],
                    remedy=row["explanation_remedy"],
                    submitted_at=parse_timestamp(row["explanation_submitted_at"]),
                    explain_by=parse_timestamp(row["explanation_explain_by"]),
                ),
            )
        )
    return out

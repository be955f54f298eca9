"""The leadership dashboard's reads: every figure of `/can-bo/dieu-hanh/` with the list behind it.

Called by reports.dashboard_views (page, CSV, Excel). Rules stay where they live: period
figures, buckets and weekly series in dossiers.reporting (DOMAIN.md §3.8, §8.2), the dossier
list's filters in dossiers.filters, feedback figures in feedback.selectors, day counting in
core.calendar. This module only chooses whose figures, over which period, and links each number
to the staff dossier list that shows exactly the dossiers behind it (CONTRACTS.md §A).

Who sees what (code checks permissions, never groups):
- `reports.view_agency_figures` (leaders, administrators): the whole agency.
- Other staff with `dossiers.view_dossier` (desk officers, specialists): their own figures, as
  the responsible officer (the handler, else the desk officer who received the dossier), and
  their own dossiers at risk or paused. Agency-wide figures (by officer, feedback) are left out.
- Nobody sees another agency: everything is filtered by the user's agency.

The number of queries is fixed, whatever the number of dossiers, procedures or officers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.selectors import primary_agency
from core.calendar import WorkingCalendar, get_calendar, overrides_stamp
from dossiers import reporting
from dossiers.constants import DossierStatus, PauseKind
from dossiers.filters import due_within_threshold
from dossiers.models import Dossier, DossierPause
from feedback.selectors import Figures as FeedbackFigures
from feedback.selectors import feedback_figures
from procedures.constants import ProcedureStatus
from procedures.models import Procedure
from satisfaction.selectors import tthc_satisfaction_estimate

AGENCY_PERMISSION = "reports.view_agency_figures"
OWN_PERMISSION = "dossiers.view_dossier"
# The custom period is capped so one page never aggregates years of dossiers by officer.
MAX_PERIOD_DAYS = 366
EARLIEST_DAY = dt.date(2000, 1, 1)


# --- who ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """Whose figures a user sees: the agency, and one officer or everyone."""

    agency_id: int
    # None: the whole agency. Else the user's own figures (responsible officer = this id).
    officer_id: int | None
    # Whether the staff list's `handler` filter expresses "this officer's dossiers" exactly (the
    # officer may process dossiers); a desk officer's own dossiers have no list filter, so their
    # at-risk and paused dossiers link to the rows on the dashboard itself.
    handler_filter_exact: bool

    @property
    def is_agency(self) -> bool:
        return self.officer_id is None


def dashboard_scope(user) -> Scope | None:
    """The scope of `user`, or None when they may not open the dashboard (403)."""
    if not user.is_authenticated or not user.is_active:
        return None
    department = getattr(user, "department", None)
    if department is not None:
        agency_id = department.agency_id
    elif user.is_superuser:
        agency = primary_agency()
        if agency is None:
            return None
        agency_id = agency.pk
    else:
        return None
    if user.has_perm(AGENCY_PERMISSION):
        return Scope(agency_id=agency_id, officer_id=None, handler_filter_exact=True)
    if user.has_perm(OWN_PERMISSION):
        return Scope(
            agency_id=agency_id,
            officer_id=user.pk,
            handler_filter_exact=user.has_perm("dossiers.process_dossier"),
        )
    return None


def responsible(queryset, officer_id: int | None):
    """Dossiers whose responsible officer is `officer_id`: the handler, else the desk officer
    who received it (the same rule as dossiers.reporting's "officer")."""
    if officer_id is None:
        return queryset
    return queryset.filter(
        Q(handler_id=officer_id) | Q(handler__isnull=True, received_by_id=officer_id)
    )


# --- when --------------------------------------------------------------------------------------
class PeriodError(ValueError):
    """A custom period that cannot be shown; the message is for the user."""


PERIOD_CHOICES = [
    ("this_week", _("This week")),
    ("last_week", _("Last week")),
    ("this_month", _("This month")),
    ("last_30_days", _("Last 30 days")),
    ("custom", _("Chosen dates")),
]
DEFAULT_PERIOD = "this_week"


@dataclass(frozen=True)
class DashboardPeriod:
    """Local days [first_day, last_day] and the moments [start, end) the figures cover.

    `end` is never later than now: figures of a running period are "so far", and "still open
    at the end" means open now.
    """

    kind: str
    first_day: dt.date
    last_day: dt.date
    start: dt.datetime
    end: dt.datetime

    @property
    def label(self) -> str:
        return str(dict(PERIOD_CHOICES)[self.kind])

    def link_params(self) -> dict[str, str]:
        return {
            "period_start": self.first_day.isoformat(),
            "period_end": self.last_day.isoformat(),
        }


def _midnight(day: dt.date, calendar: WorkingCalendar) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.tz)


def day_span(
    first_day: dt.date,
    last_day: dt.date,
    *,
    now: dt.datetime,
    calendar: WorkingCalendar,
    kind: str = "custom",
) -> DashboardPeriod:
    """The period of whole local days first_day..last_day, cut at `now`."""
    start = _midnight(first_day, calendar)
    end = min(_midnight(last_day + dt.timedelta(days=1), calendar), now)
    # At midnight sharp today has not begun: an instant, so the period is never empty.
    end = max(end, start + dt.timedelta(microseconds=1))
    return DashboardPeriod(kind=kind, first_day=first_day, last_day=last_day, start=start, end=end)


def resolve_period(
    kind: str,
    *,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> DashboardPeriod:
    """The period of a filter choice, in the calendar's time zone (weeks start on Monday).

    Raises PeriodError for a custom period without both dates, ending before it starts,
    ending in the future, before 2000 or longer than MAX_PERIOD_DAYS.
    """
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    today = now.astimezone(calendar.tz).date()
    monday = today - dt.timedelta(days=today.weekday())
    if kind == "this_week":
        first, last = monday, today
    elif kind == "last_week":
        first, last = monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    elif kind == "this_month":
        first, last = today.replace(day=1), today
    elif kind == "last_30_days":
        first, last = today - dt.timedelta(days=29), today
    elif kind == "custom":
        if first_day is None or last_day is None:
            raise PeriodError(_("Give both the first and the last day of the period."))
        if last_day < first_day:
            raise PeriodError(_("The last day of the period is before its first day."))
        if last_day > today:
            raise PeriodError(_("The period cannot end after today."))
        if first_day < EARLIEST_DAY:
            raise PeriodError(_("The period cannot start before 2000."))
        if (last_day - first_day).days + 1 > MAX_PERIOD_DAYS:
            raise PeriodError(
                _("The period is too long: choose at most %(days)d days.")
                % {"days": MAX_PERIOD_DAYS}
            )
        first, last = first_day, last_day
    else:
        raise PeriodError(_("Choose one of the periods offered."))
    return day_span(first, last, now=now, calendar=calendar, kind=kind)


# --- links -------------------------------------------------------------------------------------
def dossier_list_url(**params) -> str:
    """The staff dossier list with these query parameters (None values dropped)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    base = reverse("dossiers:dossier-list")
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters as the lists behind its figures need them."""

    scope: Scope
    period: DashboardPeriod
    procedure: Procedure | None

    @property
    def procedure_id(self) -> int | None:
        return self.procedure.pk if self.procedure else None

    def bucket_url(
        self,
        bucket: str,
        *,
        period: DashboardPeriod | None = None,
        procedure_id: int | None = None,
        officer_id: int | None = None,
    ) -> str:
        """The list of one bucket (CONTRACTS.md §A): `handler` is the responsible officer."""
        period = period or self.period
        return dossier_list_url(
            bucket=bucket,
            **period.link_params(),
            procedure=procedure_id or self.procedure_id,
            handler=officer_id or self.scope.officer_id,
        )

    def queue_url(self, **params) -> str | None:
        """The work queue with filters (the list's `procedure` is a procedure code); None when
        the list cannot show exactly this user's dossiers (see Scope.handler_filter_exact)."""
        if not self.scope.handler_filter_exact:
            return None
        return dossier_list_url(
            **params,
            procedure=self.procedure.code if self.procedure else None,
            handler=self.scope.officer_id,
        )


# --- figures -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One number on the dashboard and the list behind it (an on-page anchor or a URL)."""

    key: str
    label: str
    value: int
    url: str | None


@dataclass(frozen=True)
class TrendRow:
    week_start: dt.date
    last_day: dt.date  # Sunday, or today for the running week
    figures: reporting.PeriodFigures
    links: dict[str, str]


@dataclass(frozen=True)
class GroupRow:
    key_id: int | None
    label: str
    figures: reporting.PeriodFigures
    links: dict[str, str]


@dataclass(frozen=True)
class Estimate:
    """An internal estimate of one indicator of the national service index (766, §8.2).

    `numerator_parts` / `denominator_parts` are the figures that add up to each side, each
    with its own list (one part when a single bucket is the whole side)."""

    code: str
    label: str
    numerator: int
    denominator: int
    numerator_parts: list[Figure]
    denominator_parts: list[Figure]
    note: str = ""

    @property
    def anchor(self) -> str:
        """The id of the indicator's row on the page ("indicator-2-1")."""
        return "indicator-" + self.code.replace(".", "-")

    @property
    def rate(self) -> float | None:
        """numerator / denominator; None ("N/A") when nothing was counted (§8.2)."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        rate = self.rate
        return None if rate is None else round(rate * 100, 2)


@dataclass(frozen=True)
class AtRiskRow:
    dossier: Dossier
    working_days_left: int  # 0 = due today


@dataclass(frozen=True)
class PausedRow:
    pause: DossierPause
    working_days: float
    calendar_days: int


@dataclass
class Dashboard:
    filters: Filters
    now: dt.datetime
    today: list[Figure]
    period_figures: reporting.PeriodFigures
    trend: list[TrendRow]
    by_procedure: list[GroupRow]
    by_officer: list[GroupRow] | None  # None: not shown (own figures)
    at_risk_days: int
    at_risk_count: int
    at_risk_url: str | None
    at_risk: list[AtRiskRow]
    paused: list[Figure]
    paused_rows: list[PausedRow]
    estimates: list[Estimate]
    feedback: FeedbackFigures | None  # None: not shown (own figures)
    row_limit: int

    @property
    def scope(self) -> Scope:
        return self.filters.scope

    @property
    def period(self) -> DashboardPeriod:
        return self.filters.period

    @cached_property
    def paused_count(self) -> int:
        return sum(figure.value for figure in self.paused)


def procedure_choices(scope: Scope) -> list[tuple[int, str]]:
    """The agency's procedures a dashboard can filter on: the newest non-draft version of each
    code (a dossier keeps the version it was received under; see dossiers.reporting for how a
    procedure filter treats versions), by name. One query."""
    seen: dict[str, tuple[int, str]] = {}
    rows = (
        Procedure.objects.filter(agency_id=scope.agency_id)
        .exclude(status=ProcedureStatus.DRAFT)
        .order_by("code", "-version")
        .values_list("pk", "code", "name")
    )
    for pk, code, name in rows:
        seen.setdefault(code, (pk, f"{code} · {name}"))
    return sorted(seen.values(), key=lambda item: item[1])


def procedure_for(scope: Scope, procedure_id: int | None) -> Procedure | None:
    """The agency's procedure with this id, or None (another agency's id is simply unknown)."""
    if procedure_id is None:
        return None
    return (
        Procedure.objects.filter(agency_id=scope.agency_id, pk=procedure_id)
        .exclude(status=ProcedureStatus.DRAFT)
        .only("pk", "code", "name", "version")
        .first()
    )


def _scoped_dossiers(filters: Filters):
    queryset = Dossier.objects.filter(agency_id=filters.scope.agency_id)
    if filters.procedure is not None:
        # Every version of the procedure, as the staff list's procedure filter does.
        queryset = queryset.filter(procedure__code=filters.procedure.code)
    return responsible(queryset, filters.scope.officer_id)


def _today_figures(
    filters: Filters,
    *,
    open_now: reporting.PeriodFigures,
    due_today: int,
    now: dt.datetime,
    calendar: WorkingCalendar,
) -> list[Figure]:
    """Received and finished today (two bucket counts: the lists' own queries, on indexed
    columns), open on time / overdue now, due today.

    "Open at the end" of any period that ends now is "open now", so `open_now` is the figures
    of a period ending now that the page computes anyway (this week so far): the costly
    classification of every open dossier is not run once more for today.
    """
    scope = filters.scope
    today = now.astimezone(calendar.tz).date()
    span = day_span(today, today, now=now, calendar=calendar)
    common = {
        "agency_id": scope.agency_id,
        "start": span.start,
        "end": span.end,
        "procedure_id": filters.procedure_id,
        "officer_id": scope.officer_id,
        "calendar": calendar,
    }
    received = reporting.period_dossiers(bucket="received", **common).count()
    finished = reporting.period_dossiers(bucket="finished", **common).count()

    def bucket(key, label, value):
        return Figure(key, label, value, filters.bucket_url(key, period=span))

    return [
        bucket("received", _("Received today"), received),
        bucket("finished", _("Finished today"), finished),
        bucket("open_on_time", _("Open, on time"), open_now.open_on_time),
        bucket("open_overdue", _("Open, overdue"), open_now.open_overdue),
        Figure(
            "due_today", _("Due today"), due_today, filters.queue_url(due_within=0) or "#at-risk"
        ),
    ]


def _week_links(filters: Filters, span: DashboardPeriod) -> dict[str, str]:
    return {
        bucket: filters.bucket_url(bucket, period=span)
        for bucket in ("received", "finished", "resolved_late", "open_overdue")
    }


def _group_links(filters: Filters, *, procedure_id=None, officer_id=None) -> dict[str, str]:
    return {
        bucket: filters.bucket_url(bucket, procedure_id=procedure_id, officer_id=officer_id)
        for bucket in (
            "received",
            "finished",
            "resolved_early",
            "resolved_on_time",
            "resolved_late",
            "open_on_time",
            "open_overdue",
        )
    }


def _estimates(filters: Filters, figures: reporting.PeriodFigures) -> list[Estimate]:
    def part(key: str, label, value: int) -> Figure:
        return Figure(key, label, value, filters.bucket_url(key))

    finished = part("finished", _("finished"), figures.finished)
    return [
        Estimate(
            code="2.1",
            label=_("On-time rate"),
            numerator=figures.on_time,
            denominator=figures.counted,
            numerator_parts=[
                part("resolved_early", _("finished early"), figures.resolved_early),
                part("resolved_on_time", _("finished on time"), figures.resolved_on_time),
                part("open_on_time", _("open, on time"), figures.open_on_time),
            ],
            denominator_parts=[
                finished,
                part("open_on_time", _("open, on time"), figures.open_on_time),
                part("open_overdue", _("open, overdue"), figures.open_overdue),
            ],
            note=_("Dossiers finished early or on time, or still open and on time."),
        ),
        Estimate(
            code="3.3",
            label=_("Online share"),
            numerator=figures.received_online,
            denominator=figures.received,
            numerator_parts=[
                part("received_online", _("received online"), figures.received_online)
            ],
            denominator_parts=[part("received", _("received"), figures.received)],
            note=_("Without the national portal's sync rate."),
        ),
        Estimate(
            code="4.1",
            label=_("Electronic results"),
            numerator=figures.finished_with_e_result,
            denominator=figures.finished,
            numerator_parts=[
                part(
                    "finished_with_e_result",
                    _("finished with an electronic result"),
                    figures.finished_with_e_result,
                )
            ],
            denominator_parts=[finished],
        ),
        Estimate(
            code="4.2",
            label=_("Digitised dossiers"),
            numerator=figures.digitised,
            denominator=figures.finished,
            numerator_parts=[
                part("digitised", _("scanned and with an electronic result"), figures.digitised)
            ],
            denominator_parts=[finished],
        ),
    ]


def _satisfaction_estimate(
    filters: Filters, figures: reporting.PeriodFigures, *, calendar: WorkingCalendar
) -> Estimate:
    """766 indicator 5.4 (satisfaction.selectors.tthc_satisfaction_estimate) over the period's
    dossiers, reusing the period figures already computed: 100% − (late rate + rate of dossiers
    with a PAKN or a "dislike" survey response). Agency scope, every procedure (like 5.2, 5.3)."""
    estimate = tthc_satisfaction_estimate(
        agency_id=filters.scope.agency_id,
        start=filters.period.start,
        end=filters.period.end,
        figures=figures,
        calendar=calendar,
    )

    def part(key: str, label, value: int) -> Figure:
        return Figure(key, label, value, filters.bucket_url(key))

    return Estimate(
        code="5.4",
        label=_("Satisfaction with administrative procedures"),
        numerator=estimate.numerator,
        denominator=estimate.denominator,
        numerator_parts=[
            Figure(
                "tthc_satisfied",
                _("counted, less the late ones and those with feedback or a low rating"),
                estimate.numerator,
                None,
            )
        ],
        denominator_parts=[
            part("finished", _("finished"), figures.finished),
            part("open_on_time", _("open, on time"), figures.open_on_time),
            part("open_overdue", _("open, overdue"), figures.open_overdue),
        ],
        note=_(
            "100%% − (late rate + share of dossiers with feedback or a “dislike” rating): "
            "%(late)s late, %(complained)s with feedback or a rating below %(threshold)s."
        )
        % {
            "late": estimate.late_count,
            "complained": estimate.complained_count,
            "threshold": f"{settings.SATISFACTION_DISLIKE_MEAN_BELOW:g}",
        },
    )


def _feedback_estimates(feedback: FeedbackFigures) -> list[Estimate]:
    """5.2 and 5.3 from the feedback figures. The feedback register has no period filter, so
    these figures link to the register (all items, or the published answers), not to a list of
    exactly the items counted."""
    register = reverse("feedback:staff-register")
    published = f"{register}?status=published"
    return [
        Estimate(
            code="5.2",
            label=_("Feedback handled on time"),
            numerator=feedback.decided_on_time,
            denominator=feedback.decided,
            numerator_parts=[
                Figure("decided_on_time", _("decided on time"), feedback.decided_on_time, register)
            ],
            denominator_parts=[Figure("decided", _("decided"), feedback.decided, register)],
            note=_("Feedback received in the period, decided within its time limit."),
        ),
        Estimate(
            code="5.3",
            label=_("Satisfaction with feedback answers"),
            numerator=feedback.satisfied_items,
            denominator=feedback.voted_items,
            numerator_parts=[
                Figure(
                    "satisfied_items",
                    _("answers rated helpful"),
                    feedback.satisfied_items,
                    published,
                )
            ],
            denominator_parts=[
                Figure("voted_items", _("answers rated"), feedback.voted_items, published)
            ],
            note=_("Published answers with at least as many helpful as unhelpful votes."),
        ),
    ]


_RUNNING_OR_PAUSED = [
    DossierStatus.ACCEPTED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.AWAITING_PAYMENT,
]


def _now_rows(filters: Filters, *, now, calendar, row_limit: int):
    """Due today, at risk (due within N working days, not overdue) and paused dossiers: one
    aggregate, then the first rows of each list (three queries in all)."""
    today = now.astimezone(calendar.tz).date()
    due_today_until = due_within_threshold(days=0, now=now, calendar=calendar)
    at_risk_until = due_within_threshold(
        days=settings.DASHBOARD_AT_RISK_WORKING_DAYS, now=now, calendar=calendar
    )
    scoped = _scoped_dossiers(filters)
    running = Q(status__in=[DossierStatus.ACCEPTED, DossierStatus.PROCESSING], due_at__gte=now)
    # Only open dossiers (a few percent of the table, on the work queue's partial index).
    counts = scoped.filter(status__in=_RUNNING_OR_PAUSED).aggregate(
        due_today=Count("pk", filter=running & Q(due_at__lte=due_today_until)),
        at_risk=Count("pk", filter=running & Q(due_at__lte=at_risk_until)),
        supplement=Count("pk", filter=Q(status=DossierStatus.SUPPLEMENT_REQUESTED)),
        payment=Count("pk", filter=Q(status=DossierStatus.AWAITING_PAYMENT)),
    )
    # Same filter as the staff list's "due within N working days": running, not yet overdue.
    at_risk_rows = list(
        scoped.due_by(at_risk_until)
        .filter(due_at__gte=now)
        .select_related("procedure", "handler")
        .order_by("due_at", "id")[:row_limit]
    )
    at_risk = [
        AtRiskRow(
            dossier=row,
            working_days_left=calendar.working_days_between(
                today, row.due_at.astimezone(calendar.tz).date()
            ),
        )
        for row in at_risk_rows
    ]
    # The first rows by the narrow columns, then only those rows in full: sorting the wide
    # joined rows of every paused dossier costs more than the two queries.
    first_ids = list(
        DossierPause.objects.filter(
            ended_at__isnull=True,
            dossier__in=scoped.filter(
                status__in=[DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.AWAITING_PAYMENT]
            ),
        )
        .order_by("started_at", "id")
        .values_list("pk", flat=True)[:row_limit]
    )
    pauses = (
        DossierPause.objects.filter(pk__in=first_ids)
        .select_related("dossier", "dossier__procedure", "dossier__handler", "started_by")
        .order_by("started_at", "id")
    )
    per_day = calendar.minutes_per_working_day or 480
    paused_rows = [
        PausedRow(
            pause=pause,
            working_days=round(
                calendar.working_minutes_between(pause.started_at, now) / per_day, 1
            ),
            calendar_days=(today - pause.started_at.astimezone(calendar.tz).date()).days,
        )
        for pause in pauses
    ]
    paused = [
        Figure(
            "supplement",
            PauseKind.SUPPLEMENT.label,
            counts["supplement"],
            filters.queue_url(status=DossierStatus.SUPPLEMENT_REQUESTED) or "#paused",
        ),
        Figure(
            "payment",
            PauseKind.PAYMENT.label,
            counts["payment"],
            filters.queue_url(status=DossierStatus.AWAITING_PAYMENT) or "#paused",
        ),
    ]
    return counts, at_risk, paused, paused_rows


# --- the trend: closed weeks are cached ---------------------------------------------------------
TREND_CACHE_VERSION = 1


def _week_cache_key(filters: Filters, monday: dt.date, stamp: str) -> str:
    scope = filters.scope
    return ":".join(
        [
            "reports:dashboard:week",
            str(TREND_CACHE_VERSION),
            str(scope.agency_id),
            str(filters.procedure_id or "-"),
            str(scope.officer_id or "-"),
            monday.isoformat(),
            stamp,
        ]
    )


def _trend_mondays(now: dt.datetime, calendar: WorkingCalendar) -> list[dt.date]:
    this_monday = reporting.week_start_of(now, calendar)
    weeks = settings.DASHBOARD_TREND_WEEKS
    return [this_monday - dt.timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]


def _closed_weeks(
    filters: Filters, mondays: list[dt.date], *, calendar: WorkingCalendar
) -> tuple[dict[dt.date, reporting.PeriodFigures], int]:
    """The figures of these closed weeks, from the cache or computed (then cached), and how
    many were computed. One cache read, one period_figures query per week not cached."""
    scope = filters.scope
    stamp = overrides_stamp()
    keys = {monday: _week_cache_key(filters, monday, stamp) for monday in mondays}
    cached = cache.get_many(list(keys.values())) if keys else {}
    out, to_cache = {}, {}
    for monday, key in keys.items():
        if key in cached:
            out[monday] = reporting.PeriodFigures.from_dict(cached[key])
            continue
        start, end = reporting.week_bounds(monday, calendar)
        out[monday] = reporting.period_figures(
            agency_id=scope.agency_id,
            start=start,
            end=end,
            procedure_id=filters.procedure_id,
            officer_id=scope.officer_id,
            calendar=calendar,
        )
        to_cache[key] = out[monday].as_dict()
    if to_cache:
        cache.set_many(to_cache, settings.DASHBOARD_CLOSED_WEEK_CACHE_SECONDS)
    return out, len(to_cache)


def _trend(
    filters: Filters,
    *,
    now: dt.datetime,
    calendar: WorkingCalendar,
    this_week: reporting.PeriodFigures,
) -> list[TrendRow]:
    """The last DASHBOARD_TREND_WEEKS ISO weeks, oldest first, as dossiers.reporting.weekly_series
    computes them (the same weeks, the same period_figures), with two savings:

    - A closed week (Monday 00:00 to the next Monday 00:00, before now) is read from the cache
      for DASHBOARD_CLOSED_WEEK_CACHE_SECONDS. dossiers.reporting rebuilds a period's state from
      recorded times (the due date as it stood then, pauses and apologies before the end), so a
      later finish, pause, resumption or apology does not change a closed week. What can change
      it: a reassignment (the responsible officer is the current handler: own figures), an
      administrator's correction of recorded times, and calendar overrides (part of the key).
      The cache bounds how long such a change takes to show.
    - The running week (`this_week`, up to now) is computed by the caller, live.
    """
    mondays = _trend_mondays(now, calendar)
    closed, _computed = _closed_weeks(filters, mondays[:-1], calendar=calendar)
    rows = []
    for monday in mondays:
        start, end = reporting.week_bounds(monday, calendar)
        end = max(min(end, now), start + dt.timedelta(microseconds=1))
        span = day_span(
            monday,
            min(monday + dt.timedelta(days=6), end.astimezone(calendar.tz).date()),
            now=now,
            calendar=calendar,
        )
        rows.append(
            TrendRow(
                week_start=monday,
                last_day=span.last_day,
                figures=closed.get(monday, this_week),
                links=_week_links(filters, span),
            )
        )
    return rows


def trend_cache_warm(
    *,
    agency_id: int,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> int:
    """Compute and cache the closed weeks of an agency's whole-agency trend (every procedure)
    that are not cached yet; returns how many were computed.

    The first dashboard of a filter combination computes its closed weeks (one query each, a
    few seconds at a million dossiers); a periodic job that calls this (e.g. after the Monday
    weekly report, and every DASHBOARD_CLOSED_WEEK_CACHE_SECONDS) keeps the leaders' default
    page fast. Idempotent; reads only.
    """
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    scope = Scope(agency_id=agency_id, officer_id=None, handler_filter_exact=True)
    period = resolve_period(DEFAULT_PERIOD, now=now, calendar=calendar)
    filters = Filters(scope=scope, period=period, procedure=None)
    _closed, computed = _closed_weeks(
        filters, _trend_mondays(now, calendar)[:-1], calendar=calendar
    )
    return computed


def _period_and_groups(filters: Filters, *, calendar: WorkingCalendar):
    """(totals, by procedure, by officer or None) of the page's period.

    Every procedure: ONE grouped query gives all three (dossiers.reporting.period_breakdown).
    One procedure: its totals are its only row, and the per-officer split (agency scope) is one
    more query.
    """
    scope, period = filters.scope, filters.period
    common = {
        "agency_id": scope.agency_id,
        "start": period.start,
        "end": period.end,
        "officer_id": scope.officer_id,
        "calendar": calendar,
    }
    if filters.procedure is None:
        breakdown = reporting.period_breakdown(**common)
        figures, by_procedure, by_officer = (
            breakdown.totals,
            breakdown.by_procedure,
            breakdown.by_officer,
        )
    else:
        procedure = filters.procedure
        figures = reporting.period_figures(procedure_id=procedure.pk, **common)
        by_procedure = [reporting.GroupFigures(procedure.pk, procedure.name, figures)]
        by_procedure = by_procedure if figures.counted or figures.received else []
        by_officer = None
        if scope.is_agency:
            by_officer = reporting.period_figures_by(
                by="officer", procedure_id=procedure.pk, **common
            )
    return figures, by_procedure, (by_officer if scope.is_agency else None)


def dashboard(
    *,
    scope: Scope,
    period: DashboardPeriod,
    procedure: Procedure | None = None,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Dashboard:
    """Every figure of the dashboard for `scope` over `period`, optionally for one procedure.

    - Today: received and finished today, open on time / overdue now, due today (the staff
      list's "due within 0 working days"); see _today_figures.
    - Trend: DASHBOARD_TREND_WEEKS ISO weeks up to now; see _trend (closed weeks cached).
    - On-time rate by procedure, and by officer for agency scope; see _period_and_groups.
    - At risk: running dossiers due within DASHBOARD_AT_RISK_WORKING_DAYS working days, not
      yet overdue; paused: open supplement/payment requests with their reason; see _now_rows.
    - Internal estimates of the 766 index: 2.1, 3.3, 4.1, 4.2 from the period figures; 5.2,
      5.3 from the feedback figures and 5.4 from the satisfaction survey (agency scope, every
      procedure).
    Every count carries the URL of the list that shows the same dossiers. A fixed number of
    queries whatever the number of rows: one classification of the period (with its groupings)
    and one of this week so far unless the period is this week, two counts for today, at most
    11 closed weeks (none when cached), four for the dossiers at risk and paused, one for
    feedback.
    """
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    filters = Filters(scope=scope, period=period, procedure=procedure)
    row_limit = settings.DASHBOARD_ROW_LIMIT
    figures, by_procedure_groups, by_officer_groups = _period_and_groups(filters, calendar=calendar)
    # This week so far: the trend's last point, and (ending now) today's open dossiers.
    week_start = reporting.week_bounds(reporting.week_start_of(now, calendar), calendar)[0]
    if period.start == week_start and period.end == now:
        this_week = figures
    else:
        this_week = reporting.period_figures(
            agency_id=scope.agency_id,
            start=week_start,
            end=max(now, week_start + dt.timedelta(microseconds=1)),
            procedure_id=filters.procedure_id,
            officer_id=scope.officer_id,
            calendar=calendar,
        )
    trend = _trend(filters, now=now, calendar=calendar, this_week=this_week)
    by_procedure = [
        GroupRow(
            key_id=group.key_id,
            label=group.label,
            figures=group.figures,
            links=_group_links(filters, procedure_id=group.key_id),
        )
        for group in by_procedure_groups
    ]
    by_officer = None
    if by_officer_groups is not None:
        by_officer = [
            GroupRow(
                key_id=group.key_id,
                label=group.label,
                figures=group.figures,
                links=_group_links(filters, officer_id=group.key_id),
            )
            for group in by_officer_groups
        ]

    counts, at_risk, paused, paused_rows = _now_rows(
        filters, now=now, calendar=calendar, row_limit=row_limit
    )
    estimates = _estimates(filters, figures)
    feedback = None
    if scope.is_agency and procedure is None:
        # Feedback is counted per agency, not per procedure or officer.
        feedback = feedback_figures(agency=scope.agency_id, since=period.start, until=period.end)
        estimates += _feedback_estimates(feedback)
        estimates.append(_satisfaction_estimate(filters, figures, calendar=calendar))
    return Dashboard(
        filters=filters,
        now=now,
        today=_today_figures(
            filters,
            open_now=this_week,
            due_today=counts["due_today"],
            now=now,
            calendar=calendar,
        ),
        period_figures=figures,
        trend=trend,
        by_procedure=by_procedure,
        by_officer=by_officer,
        at_risk_days=settings.DASHBOARD_AT_RISK_WORKING_DAYS,
        at_risk_count=counts["at_risk"],
        at_risk_url=filters.queue_url(due_within=settings.DASHBOARD_AT_RISK_WORKING_DAYS),
        at_risk=at_risk,
        paused=paused,
        paused_rows=paused_rows,
        estimates=estimates,
        feedback=feedback,
        row_limit=row_limit,
    )

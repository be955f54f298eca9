"""Satisfaction index (per criterion, procedure, officer, month)

Scoring (DOMAIN.md §8.1, [U] hence settings): a criterion's index is the share of its answers
scored SATISFACTION_SATISFIED_MIN_SCORE or more, across all the criterion's questions; its mean
is the mean score 1-5; the overall index is the mean of the criterion indices. Answers are
compared across survey versions by criterion CODE (a new version keeps the six codes), so
every grouping below is by `question__criterion__code`, never by criterion row.

Each figure costs one grouped query of answers, one of responses and one for the labels,
whatever the number of responses. Officer figures count a response for both people it rates:
the desk officer who received the dossier and the officer who handled it (once when they are
the same person). Public figures of groups smaller than SATISFACTION_PUBLIC_MIN_RESPONSES are
withheld (small-number protection).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth, Upper
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import primary_agency
from dossiers.models import Dossier
from dossiers.reporting import PeriodFigures, period_dossiers, period_figures
from feedback.models import Feedback
from procedures.constants import ProcedureStatus
from procedures.models import Procedure

from ..constants import FollowUpReason, FollowUpStatus
from ..models import (
    Answer,
    Criterion,
    FacilityOption,
    FollowUp,
    FollowUpEvent,
    Response,
)
from .survey import user_agency_id

IndexGrouping = Literal["procedure", "officer", "month"]
# Who sees everyone's figures, the expectations and the follow-ups (leaders); other staff who
# work on dossiers see the figures of the responses that rate them, and nothing else.
ALL_FIGURES_PERMISSION = "satisfaction.view_response"
OWN_FIGURES_PERMISSION = "dossiers.view_dossier"


@dataclass(frozen=True)
class CriterionFigures:
    """The answers of one criterion (all its questions, all survey versions) in one group."""

    code: str
    label: str
    answer_count: int
    satisfied_count: int  # answers scored SATISFACTION_SATISFIED_MIN_SCORE or more
    score_total: int

    @property
    def share(self) -> float | None:
        """The criterion's index: % of its answers scored 4-5 (0-100); None without answers."""
        return 100 * self.satisfied_count / self.answer_count if self.answer_count else None

    @property
    def mean(self) -> float | None:
        """Mean score 1-5; None without answers."""
        return self.score_total / self.answer_count if self.answer_count else None


@dataclass(frozen=True)
class SatisfactionIndex:
    """The figures of one group of responses (a period, a procedure, an officer, a month)."""

    response_count: int
    criteria: list[CriterionFigures]

    @property
    def overall(self) -> float | None:
        """The overall index: the mean of the criterion indices that have answers (0-100)."""
        shares = [c.share for c in self.criteria if c.share is not None]
        return sum(shares) / len(shares) if shares else None

    @property
    def answer_count(self) -> int:
        return sum(c.answer_count for c in self.criteria)

    @property
    def mean(self) -> float | None:
        """Mean score of all answers (1-5), every answer weighing the same."""
        count = self.answer_count
        return sum(c.score_total for c in self.criteria) / count if count else None

    def criterion(self, code: str) -> CriterionFigures | None:
        return next((c for c in self.criteria if c.code == code), None)


@dataclass(frozen=True)
class GroupIndex:
    """One row of a grouped table. `key`: the procedure id (newest version of the national
    code; None for responses without a procedure), the officer's user id, or the first day of
    the month (a date)."""

    key: object
    label: str
    index: SatisfactionIndex


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _labels_in_order(model) -> dict[str, str]:
    """code -> label of Criterion or FacilityOption rows, in questionnaire order: the wording of
    the active version, else of the newest version that used the code. One query."""
    labels: dict[str, tuple[int, str]] = {}
    rows = model.objects.order_by("survey__is_active", "survey__version", "position")
    for code, label, position in rows.values_list("code", "label", "position"):
        labels[code] = (position, label)  # later rows (active, newer) win
    ordered = sorted(labels.items(), key=lambda item: (item[1][0], item[0]))
    return {code: label for code, (_position, label) in ordered}


def criteria_labels() -> dict[str, str]:
    """Criterion code -> label, in questionnaire order (one query)."""
    return _labels_in_order(Criterion)


def facility_labels() -> dict[str, str]:
    """Facility checklist code -> label, in checklist order (one query)."""
    return _labels_in_order(FacilityOption)


def _with_unknown(labels: dict[str, str], codes: Iterable[str]) -> dict[str, str]:
    """Codes that no survey defines any more keep their figures, under their code."""
    for code in sorted(set(codes) - labels.keys()):
        labels[code] = code
    return labels


def _responses(*, agency_id, start, end, procedure_id=None, officer_id=None) -> QuerySet:
    """Responses of the agency submitted in [start, end), optionally about one procedure (all
    its versions: the same national code) and rating one officer (desk officer or handler)."""
    queryset = Response.objects.filter(
        agency_id=agency_id, submitted_at__gte=start, submitted_at__lt=end
    )
    if procedure_id is not None:
        code = Procedure.objects.filter(pk=procedure_id).values("code")[:1]
        queryset = queryset.filter(procedure__code=Subquery(code))
    if officer_id is not None:
        queryset = queryset.filter(Q(desk_officer_id=officer_id) | Q(handler_id=officer_id))
    return queryset


def _answer_aggregates() -> dict:
    return {
        "answers": Count("pk"),
        "satisfied": Count("pk", filter=Q(score__gte=settings.SATISFACTION_SATISFIED_MIN_SCORE)),
        "total": Sum("score"),
    }


class _Sums:
    """Sums of grouped answer rows per (group key, criterion code), and responses per key."""

    def __init__(self):
        self.cells: dict = defaultdict(lambda: [0, 0, 0])
        self.responses: dict = defaultdict(int)
        self.codes: set[str] = set()

    def add(self, key, code: str, answers: int, satisfied: int, total: int) -> None:
        cell = self.cells[key, code]
        cell[0] += answers
        cell[1] += satisfied
        cell[2] += total or 0
        self.codes.add(code)

    def index(self, key, labels: dict[str, str]) -> SatisfactionIndex:
        return SatisfactionIndex(
            response_count=self.responses.get(key, 0),
            criteria=[
                CriterionFigures(code, label, *self.cells.get((key, code), (0, 0, 0)))
                for code, label in labels.items()
            ],
        )


def satisfaction_index(
    *,
    agency_id: int,
    start: datetime,
    end: datetime,
    procedure_id: int | None = None,
    officer_id: int | None = None,
) -> SatisfactionIndex:
    """The index of the agency's responses submitted in [start, end): per criterion the
    answers, the share scored 4-5 and the mean; the overall index; the response count.

    Called by the staff index page, its Excel export and the leadership dashboard.
    `procedure_id`: every version of that procedure (same national code). `officer_id`: the
    responses rating this officer as desk officer or as handler. Three queries.
    """
    responses = _responses(
        agency_id=agency_id,
        start=start,
        end=end,
        procedure_id=procedure_id,
        officer_id=officer_id,
    )
    sums = _Sums()
    rows = (
        Answer.objects.filter(response__in=responses)
        .values(code=F("question__criterion__code"))
        .annotate(**_answer_aggregates())
        .order_by()
    )
    for row in rows:
        sums.add(None, row["code"], row["answers"], row["satisfied"], row["total"])
    sums.responses[None] = responses.count()
    return sums.index(None, _with_unknown(criteria_labels(), sums.codes))


def index_by(
    *,
    by: IndexGrouping,
    agency_id: int,
    start: datetime,
    end: datetime,
    procedure_id: int | None = None,
    officer_id: int | None = None,
) -> list[GroupIndex]:
    """The index per procedure, per officer or per month of the responses in [start, end).

    - "procedure": every version of a national code together, under the newest version's name
      and id; responses without a procedure (general kiosk responses) form one group, key None.
    - "officer": a response counts for its desk officer AND its handler (once when they are the
      same person); with `officer_id` only that officer's row is returned.
    - "month": calendar months in local time (Asia/Ho_Chi_Minh), key = the first day (a date).

    Groups without responses are left out (monthly_trend fills the gaps). Sorted by label,
    months by date, "no procedure" last. Queries: one grouped query of answers, one of
    responses, the criteria's labels and the procedures' or officers' names.
    """
    responses = _responses(
        agency_id=agency_id,
        start=start,
        end=end,
        procedure_id=procedure_id,
        officer_id=officer_id,
    )
    if by == "procedure":
        answer_keys = {"key": F("response__procedure__code")}
        response_keys = {"key": F("procedure__code")}
    elif by == "month":
        answer_keys = {"key": TruncMonth("response__submitted_at", tzinfo=_local_zone())}
        response_keys = {"key": TruncMonth("submitted_at", tzinfo=_local_zone())}
    elif by == "officer":
        answer_keys = {"desk": F("response__desk_officer_id"), "hand": F("response__handler_id")}
        response_keys = {"desk": F("desk_officer_id"), "hand": F("handler_id")}
    else:
        raise ValueError(f"unknown grouping {by!r}")

    def keys_of(row) -> set:
        if by == "officer":
            people = {row["desk"], row["hand"]} - {None}
            return people & {officer_id} if officer_id is not None else people
        value = row["key"]
        return {value.date() if isinstance(value, datetime) else value}

    sums = _Sums()
    rows = (
        Answer.objects.filter(response__in=responses)
        .values(**answer_keys, code=F("question__criterion__code"))
        .annotate(**_answer_aggregates())
        .order_by()
    )
    for row in rows:
        for key in keys_of(row):
            sums.add(key, row["code"], row["answers"], row["satisfied"], row["total"])
    for row in responses.values(**response_keys).annotate(n=Count("pk")).order_by():
        for key in keys_of(row):
            sums.responses[key] += row["n"]

    labels = _with_unknown(criteria_labels(), sums.codes)
    keys = list(sums.responses)
    if by == "month":
        return [GroupIndex(key, f"{key:%m/%Y}", sums.index(key, labels)) for key in sorted(keys)]
    if by == "officer":
        users = get_user_model().objects.filter(pk__in=keys)
        names = {u.pk: str(u) for u in users.only("first_name", "last_name", "username")}
        groups = [GroupIndex(k, names.get(k, str(k)), sums.index(k, labels)) for k in keys]
        return sorted(groups, key=lambda group: group.label.casefold())
    newest = newest_versions([key for key in keys if key])
    groups = []
    for code in keys:
        pk, name = newest.get(code, (None, _("Not linked to a dossier")))
        groups.append(GroupIndex(pk, name, sums.index(code, labels)))
    return sorted(groups, key=lambda group: (group.key is None, group.label.casefold()))


def newest_versions(codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """National procedure code -> (id, name) of its newest version. One query."""
    newest: dict[str, tuple[int, int, str]] = {}
    rows = Procedure.objects.filter(code__in=list(codes)).values_list(
        "code", "version", "pk", "name"
    )
    for code, version, pk, name in rows:
        if code not in newest or version > newest[code][0]:
            newest[code] = (version, pk, name)
    return {code: (pk, name) for code, (_version, pk, name) in newest.items()}


def month_starts(*, until: datetime, months: int) -> list[date]:
    """First days of the `months` calendar months (local time) ending with the month of the
    last moment before `until` (an exclusive bound), oldest first."""
    last = timezone.localtime(until - timedelta(microseconds=1), _local_zone()).date()
    day = last.replace(day=1)
    firsts = [day]
    for _i in range(months - 1):
        day = (day - timedelta(days=1)).replace(day=1)
        firsts.append(day)
    return firsts[::-1]


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`, local time (aware)."""
    return datetime.combine(day, time.min, tzinfo=_local_zone())


def monthly_trend(
    *,
    agency_id: int,
    until: datetime,
    months: int | None = None,
    procedure_id: int | None = None,
    officer_id: int | None = None,
) -> list[GroupIndex]:
    """The index of each of the `months` calendar months (default SATISFACTION_TREND_MONTHS)
    ending with the month of `until` (exclusive bound: responses before it), oldest first,
    empty months included (response_count 0, every share None). Three queries."""
    months = months or settings.SATISFACTION_TREND_MONTHS
    firsts = month_starts(until=until, months=months)
    groups = {
        group.key: group
        for group in index_by(
            by="month",
            agency_id=agency_id,
            start=day_start(firsts[0]),
            end=until,
            procedure_id=procedure_id,
            officer_id=officer_id,
        )
    }
    if groups:  # every group carries the same criteria, in order
        labels = [(c.code, c.label) for c in next(iter(groups.values())).index.criteria]
    else:
        labels = list(criteria_labels().items())
    empty = SatisfactionIndex(
        response_count=0,
        criteria=[CriterionFigures(code, label, 0, 0, 0) for code, label in labels],
    )
    return [groups.get(first) or GroupIndex(first, f"{first:%m/%Y}", empty) for first in firsts]


# --- facility checklist ("điều kiện tiếp đón") ------------------------------------------------
@dataclass(frozen=True)
class FacilityTable:
    """How many responses ticked each checklist item (forms, pens, seats, computers, waiting...)
    per month: what the desk should fix. Columns in checklist order."""

    options: list[tuple[str, str]]  # (code, label)
    months: list[tuple[date, list[int]]]  # (first day of the month, count per option)

    @property
    def totals(self) -> list[int]:
        return [sum(counts[i] for _month, counts in self.months) for i in range(len(self.options))]


def facility_counts_by_month(
    *,
    agency_id: int,
    until: datetime,
    months: int | None = None,
    procedure_id: int | None = None,
    officer_id: int | None = None,
) -> FacilityTable:
    """Per calendar month, how many responses ticked each item of the "điều kiện tiếp đón"
    checklist, for the `months` months (default SATISFACTION_TREND_MONTHS) ending with the
    month of `until` (exclusive). Items are compared across survey versions by code. Two
    queries (grouped counts, labels)."""
    months = months or settings.SATISFACTION_TREND_MONTHS
    firsts = month_starts(until=until, months=months)
    responses = _responses(
        agency_id=agency_id,
        start=day_start(firsts[0]),
        end=until,
        procedure_id=procedure_id,
        officer_id=officer_id,
    )
    rows = (
        responses.filter(facility_options__isnull=False)
        .values(
            month=TruncMonth("submitted_at", tzinfo=_local_zone()),
            code=F("facility_options__code"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict = defaultdict(int)
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        counts[month, row["code"]] += row["n"]
    labels = _with_unknown(facility_labels(), {code for _month, code in counts})
    return FacilityTable(
        options=list(labels.items()),
        months=[(first, [counts.get((first, code), 0) for code in labels]) for first in firsts],
    )


# --- expectations (leaders only) ----------------------------------------------------------------
def expectations(
    *,
    agency_id: int,
    start: datetime,
    end: datetime,
    procedure_id: int | None = None,
    officer_id: int | None = None,
    limit: int | None = None,
) -> list[Response]:
    """Citizens' expectations (sự mong đợi, DOMAIN.md §8.1) written in [start, end), newest
    first, at most `limit` (default SATISFACTION_EXPECTATIONS_SHOWN), with the procedure's
    name. For leaders (the views check ALL_FIGURES_PERMISSION); never on a public page. One
    query."""
    limit = limit or settings.SATISFACTION_EXPECTATIONS_SHOWN
    return list(
        _responses(
            agency_id=agency_id,
            start=start,
            end=end,
            procedure_id=procedure_id,
            officer_id=officer_id,
        )
        .exclude(expectation="")
        .select_related("procedure")
        .only("pk", "submitted_at", "expectation", "procedure__name")
        .order_by("-submitted_at", "-pk")[:limit]
    )


# --- public summary -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicMonth:
    first_day: date
    response_count: int
    overall: float | None  # None when the month is empty or withheld (too few responses)

    @property
    def is_withheld(self) -> bool:
        return self.overall is None and self.response_count > 0


@dataclass(frozen=True)
class PublicSummary:
    """What the public summary page shows: aggregates only. No comment, expectation, name,
    officer, dossier or procedure ever enters it. A group of fewer than `min_responses`
    responses shows no figure (small-number protection); its count is shown as "fewer than"."""

    start_day: date
    end_day: date
    min_responses: int
    response_count: int
    index: SatisfactionIndex | None  # None when withheld
    months: list[PublicMonth]

    @property
    def is_withheld(self) -> bool:
        return self.index is None


def public_summary(*, agency_id: int, until: datetime, months: int | None = None) -> PublicSummary:
    """The public summary of the `months` calendar months (default SATISFACTION_TREND_MONTHS)
    ending with the month of `until` (exclusive): the period's overall index, per-criterion
    share and mean, and each month's overall index and response count. Figures of a group
    (the period, a month) with fewer than SATISFACTION_PUBLIC_MIN_RESPONSES responses are
    withheld. Three queries (the period is the sum of its months)."""
    minimum = settings.SATISFACTION_PUBLIC_MIN_RESPONSES
    trend = monthly_trend(agency_id=agency_id, until=until, months=months)
    sums = _Sums()
    labels: dict[str, str] = {}
    for group in trend:
        sums.responses[None] += group.index.response_count
        for criterion in group.index.criteria:
            labels.setdefault(criterion.code, criterion.label)
            sums.add(
                None,
                criterion.code,
                criterion.answer_count,
                criterion.satisfied_count,
                criterion.score_total,
            )
    total = sums.responses[None]
    return PublicSummary(
        start_day=trend[0].key,
        end_day=timezone.localtime(until - timedelta(microseconds=1), _local_zone()).date(),
        min_responses=minimum,
        response_count=total,
        index=sums.index(None, labels) if total >= minimum else None,
        months=[
            PublicMonth(
                first_day=group.key,
                response_count=group.index.response_count,
                overall=group.index.overall if group.index.response_count >= minimum else None,
            )
            for group in trend
        ],
    )


# --- national index 766, indicator 5.4 (internal estimate) ------------------------------------
@dataclass(frozen=True)
class IndexEstimate:
    """Decision 766/QĐ-TTg indicator 5.4, TTHC satisfaction, estimated from the portal's own
    data (DOMAIN.md §8.2): 100% − (late-dossier rate + rate of dossiers with a PAKN or a
    "dislike" response). Not the official score: that comes from the national portal."""

    value: float | None  # percent 0-100 (2 decimals), None when no dossier is counted
    denominator: int  # dossiers counted: finished in the period or open at its end (766 2.1)
    late_count: int  # of which finished late or open past due
    complained_count: int  # of which with a PAKN or a "dislike" survey response
    label: str

    @property
    def numerator(self) -> int:
        """denominator − late − complained, as the formula counts (a dossier both late and
        complained about is subtracted twice, as in the national formula), floored at 0."""
        return max(self.denominator - self.late_count - self.complained_count, 0)

    @property
    def late_rate(self) -> float | None:
        return 100 * self.late_count / self.denominator if self.denominator else None

    @property
    def complained_rate(self) -> float | None:
        return 100 * self.complained_count / self.denominator if self.denominator else None

    @property
    def points(self) -> float | None:
        """Points out of SATISFACTION_TTHC_MAX_POINTS, full marks at
        SATISFACTION_TTHC_FULL_MARKS_AT percent (DOMAIN.md §8.2 scoring pattern [S])."""
        if self.value is None:
            return None
        maximum = settings.SATISFACTION_TTHC_MAX_POINTS
        ratio = self.value / settings.SATISFACTION_TTHC_FULL_MARKS_AT
        return round(min(maximum, maximum * ratio), 2)


def tthc_satisfaction_estimate(
    *,
    agency_id: int,
    start: datetime,
    end: datetime,
    figures: PeriodFigures | None = None,
    calendar=None,
) -> IndexEstimate:
    """766 indicator 5.4 for the agency's dossiers counted in [start, end) (CONTRACTS.md E).

    - denominator: dossiers that finished in the period or were still open at its end
      (dossiers.reporting.period_figures(...).counted, the on-time rate's denominator);
    - late: of those, finished late or open past due (`.late`);
    - complained: of the same dossiers, those with a PAKN naming their code
      (feedback.Feedback.dossier_code, case ignored) or a survey response whose mean score is
      below SATISFACTION_DISLIKE_MEAN_BELOW (default 3: "dislike").
    value = 100 × (1 − late / denominator − complained / denominator), floored at 0, rounded to
    2 decimals; None when no dossier is counted (shown "N/A").

    `figures`: the period's figures when the caller has them already (the dashboard), so the
    period is classified once. The complained dossiers are found from the few responses and
    PAKN that name a dossier, then checked against the period: a bounded number of queries
    that stay fast with a million dossiers. Called by the leadership dashboard and the staff
    index page.
    """
    if figures is None:
        figures = period_figures(agency_id=agency_id, start=start, end=end, calendar=calendar)
    label = _("TTHC satisfaction (766 indicator 5.4), internal estimate")
    denominator = figures.counted
    if not denominator:
        return IndexEstimate(None, 0, 0, 0, label)
    disliked = Response.objects.filter(
        agency_id=agency_id,
        dossier__isnull=False,
        mean_score__lt=settings.SATISFACTION_DISLIKE_MEAN_BELOW,
    ).values("dossier_id")
    petitioned_codes = (
        Feedback.objects.exclude(dossier_code="")
        .annotate(upper_code=Upper("dossier_code"))
        .values("upper_code")
    )
    # Two index look-ups in one query (codes are stored upper-cased: dossiers.lookup): with
    # `OR`, or `upper(code)`, PostgreSQL scanned all 1,000,000 dossiers (~0.5 s a dashboard).
    agency_dossiers = Dossier.objects.filter(agency_id=agency_id).order_by()
    candidates = list(
        agency_dossiers.filter(pk__in=disliked)
        .values_list("pk", flat=True)
        .union(agency_dossiers.filter(code__in=petitioned_codes).values_list("pk", flat=True))
    )
    complained = 0
    if candidates:
        counted = set()
        for bucket in ("finished", "open_on_time", "open_overdue"):
            counted.update(
                period_dossiers(
                    agency_id=agency_id, start=start, end=end, bucket=bucket, calendar=calendar
                )
                .filter(pk__in=candidates)
                .values_list("pk", flat=True)
            )
        complained = len(counted)
    late = figures.late
    value = max(0.0, 100 * (1 - late / denominator - complained / denominator))
    return IndexEstimate(round(value, 2), denominator, late, complained, label)


# --- who sees which figures ----------------------------------------------------------------
@dataclass(frozen=True)
class IndexScope:
    """What a staff user may see of the index: everyone's figures (leaders) or their own."""

    agency_id: int
    sees_all: bool
    officer_id: int | None  # forced to the user's id when not sees_all


class IndexForbidden(Exception):
    """The user may not see the index at all (no agency, no permission)."""


def index_scope(*, user) -> IndexScope:
    """The user's view of the index: users with ALL_FIGURES_PERMISSION (leaders) see every
    figure of their agency, the expectations and the officer table; staff with
    OWN_FIGURES_PERMISSION (desk officers, specialists) see only the responses rating them.
    A superuser without a department sees the primary agency. Raises IndexForbidden otherwise
    or without an agency."""
    agency_id = user_agency_id(user)
    if agency_id is None and user.is_superuser:
        agency = primary_agency()
        agency_id = agency.pk if agency is not None else None
    if agency_id is None or not user.is_active:
        raise IndexForbidden
    if user.has_perm(ALL_FIGURES_PERMISSION):
        return IndexScope(agency_id=agency_id, sees_all=True, officer_id=None)
    if user.has_perm(OWN_FIGURES_PERMISSION):
        return IndexScope(agency_id=agency_id, sees_all=False, officer_id=user.pk)
    raise IndexForbidden


def index_procedures(*, agency_id: int) -> list[tuple[int, str]]:
    """The procedures the index can be filtered by: those of the agency's responses and the
    agency's published ones, one per national code (newest version's id and name), by name.
    One query."""
    rows = Procedure.objects.filter(
        Q(agency_id=agency_id, status=ProcedureStatus.PUBLISHED)
        | Q(pk__in=Response.objects.filter(agency_id=agency_id).values("procedure_id"))
    ).values_list("code", "version", "pk", "name")
    newest: dict[str, tuple[int, int, str]] = {}
    for code, version, pk, name in rows:
        if code not in newest or version > newest[code][0]:
            newest[code] = (version, pk, name)
    return sorted(((pk, name) for _v, pk, name in newest.values()), key=lambda r: r[1].casefold())


def index_officers(*, agency_id: int) -> list[tuple[int, str]]:
    """The agency's staff the index can be filtered by (active members of its departments and
    anyone rated in its responses), by name. One query."""
    rated = Response.objects.filter(agency_id=agency_id)
    users = (
        get_user_model()
        .objects.filter(
            Q(department__agency_id=agency_id, is_active=True)
            | Q(pk__in=rated.values("desk_officer_id"))
            | Q(pk__in=rated.values("handler_id"))
        )
        .only("first_name", "last_name", "username")
    )
    return sorted(((u.pk, str(u)) for u in users), key=lambda row: row[1].casefold())


# --- follow-ups ---------------------------------------------------------------------------------
class FollowUpNotFound(Http404):
    """A follow-up that does not exist or that the user may not see."""


def visible_followups(user) -> QuerySet[FollowUp]:
    """Follow-ups of the user's agency, for users with `satisfaction.view_followup` (leaders).
    Others see none ("missing" and "forbidden" look the same)."""
    agency_id = user_agency_id(user)
    if not user.is_active or agency_id is None or not user.has_perm("satisfaction.view_followup"):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(response__agency_id=agency_id)


@dataclass(frozen=True)
class FollowUpFilters:
    status: str = ""  # "open", "closed" or "" (all)
    procedure_id: int | None = None  # every version of the procedure
    officer_id: int | None = None  # rated as desk officer or handler
    criterion: str = ""  # a criterion code scored low (≤ SATISFACTION_LOW_SCORE)


def followup_list(*, user, filters: FollowUpFilters | None = None) -> QuerySet[FollowUp]:
    """The follow-ups the user may see, open ones first, then newest first, filtered, with the
    response's procedure and officers loaded (bounded queries whatever the page size)."""
    filters = filters or FollowUpFilters()
    queryset = visible_followups(user)
    if filters.status in FollowUpStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.procedure_id is not None:
        code = Procedure.objects.filter(pk=filters.procedure_id).values("code")[:1]
        queryset = queryset.filter(response__procedure__code=Subquery(code))
    if filters.officer_id is not None:
        queryset = queryset.filter(
            Q(response__desk_officer_id=filters.officer_id)
            | Q(response__handler_id=filters.officer_id)
        )
    if filters.criterion:
        low = Answer.objects.filter(
            response_id=OuterRef("response_id"),
            question__criterion__code=filters.criterion,
            score__lte=settings.SATISFACTION_LOW_SCORE,
        )
        queryset = queryset.filter(Exists(low))
    return (
        queryset.select_related(
            "response__procedure", "response__desk_officer", "response__handler", "closed_by"
        )
        .defer("response__comment", "response__expectation")
        .annotate(
            open_first=Case(
                When(status=FollowUpStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-opened_at", "-pk")
    )


def followup_counts(*, user) -> dict[str, int]:
    """Open and closed follow-ups the user may see (one query)."""
    return visible_followups(user).aggregate(
        open=Count("pk", filter=Q(status=FollowUpStatus.OPEN)),
        closed=Count("pk", filter=Q(status=FollowUpStatus.CLOSED)),
    )


def followup_detail(*, user, pk) -> FollowUp:
    """One follow-up with its response, the response's answers (question and criterion), the
    facility ticks and the history, if the user may see it; FollowUpNotFound otherwise."""
    if not 0 < int(pk) < 2**63:  # a URL number beyond the database's integers is missing too
        raise FollowUpNotFound
    followup = (
        visible_followups(user)
        .select_related(
            "response__procedure",
            "response__desk_officer",
            "response__handler",
            "response__dossier",
            "response__survey",
            "closed_by",
        )
        .prefetch_related(
            Prefetch(
                "response__answers",
                queryset=Answer.objects.select_related("question__criterion").order_by(
                    "question__criterion__position", "question__position", "pk"
                ),
            ),
            "response__facility_options",
            Prefetch("events", queryset=FollowUpEvent.objects.select_related("actor")),
        )
        .filter(pk=pk)
        .first()
    )
    if followup is None:
        raise FollowUpNotFound
    return followup


def followup_reason_summary(followup: FollowUp) -> dict:
    """The reasons JSON as the pages show it: low-scored criteria (label, lowest score) and the
    complaint keywords found."""
    low: dict[str, tuple[str, int]] = {}
    keywords: list[str] = []
    for reason in followup.reasons or []:
        if reason.get("kind") == FollowUpReason.LOW_SCORE:
            code = reason.get("criterion", "")
            label = reason.get("criterion_label") or code
            score = reason.get("score")
            if code not in low or (score is not None and score < low[code][1]):
                low[code] = (label, score)
        elif reason.get("kind") == FollowUpReason.COMPLAINT:
            keywords.extend(reason.get("keywords") or [])
    return {"low": list(low.values()), "keywords": keywords}


# --- the staff index page and its export ---------------------------------------------------------
@dataclass(frozen=True)
class IndexReport:
    """Everything the staff index page and its Excel export show, for one user's scope."""

    scope: IndexScope
    start_day: date  # first day, local
    end_day: date  # last day (inclusive), local
    procedure_id: int | None
    officer_id: int | None  # the officer filter, or the user's own id (not sees_all)
    index: SatisfactionIndex
    by_procedure: list[GroupIndex]
    by_officer: list[GroupIndex] | None  # leaders only
    trend: list[GroupIndex]  # SATISFACTION_TREND_MONTHS months ending with end_day's month
    facilities: FacilityTable  # same months
    expectations: list[Response] | None  # leaders only
    estimate: IndexEstimate | None  # leaders only: the whole agency over the period

    @property
    def start_at(self) -> datetime:
        return day_start(self.start_day)

    @property
    def end_at(self) -> datetime:
        """Exclusive bound: midnight after the last day (local time)."""
        return day_start(self.end_day + timedelta(days=1))


def index_report(
    *,
    scope: IndexScope,
    start_day: date,
    end_day: date,
    procedure_id: int | None = None,
    officer_id: int | None = None,
    expectation_limit: int | None = None,
) -> IndexReport:
    """The figures of [start_day, end_day] (both included, local days) that `scope` may see.

    Leaders (scope.sees_all): every response of the agency, optionally of one officer; the
    officer table, the expectations (at most `expectation_limit`) and the 766 5.4 estimate.
    Others: only the responses rating them (desk officer or handler); no officer table, no
    expectations, no estimate. Bounded queries (about 20) whatever the number of responses.
    """
    if not scope.sees_all:
        officer_id = scope.officer_id
    start, end = day_start(start_day), day_start(end_day + timedelta(days=1))
    common = {"agency_id": scope.agency_id, "procedure_id": procedure_id, "officer_id": officer_id}
    return IndexReport(
        scope=scope,
        start_day=start_day,
        end_day=end_day,
        procedure_id=procedure_id,
        officer_id=officer_id,
        index=satisfaction_index(start=start, end=end, **common),
        by_procedure=index_by(by="procedure", start=start, end=end, **common),
        by_officer=index_by(by="officer", start=start, end=end, **common)
        if scope.sees_all
        else None,
        trend=monthly_trend(until=end, **common),
        facilities=facility_counts_by_month(until=end, **common),
        expectations=expectations(start=start, end=end, limit=expectation_limit, **common)
        if scope.sees_all
        else None,
        estimate=tthc_satisfaction_estimate(agency_id=scope.agency_id, start=start, end=end)
        if scope.sees_all
        else None,
    )

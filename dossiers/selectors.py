"""Reads of dossiers that carry rules: the staff list, the dossier page, intake choices.

Called by the desk and specialist screens (dossiers.views.staff); other apps may call them too.
Every selector applies the row policy (permissions.visible_dossiers) and runs a bounded number
of queries whatever the number of rows. Day counting is delegated to core.calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from core.calendar import WorkingCalendar, get_calendar
from procedures.models import Procedure

from .clock import ClockSummary, DueDateExplanation, clock_summary, explain_due_date
from .constants import OPEN_STATUSES, DossierStatus, ExplanationStatus, PauseKind, TrafficLight
from .filters import DossierFilter, due_within_threshold
from .models import (
    Dossier,
    DossierAttachment,
    DossierEvent,
    DossierExplanation,
    DossierExplanationEvent,
    DossierPause,
    DossierTransfer,
)
from .permissions import (
    DossierNotFound,
    ExplanationNotFound,
    visible_dossiers,
    visible_explanations,
)
from .rules import Slip

# Urgency values of DossierQuerySet.with_urgency, and the light each one shows.
URGENCY_LIGHTS = {0: TrafficLight.RED, 1: TrafficLight.AMBER, 2: TrafficLight.GREEN}


def _agency_id(user):
    department = getattr(user, "department", None)
    return department.agency_id if department else None


# --- urgency ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Urgency:
    now: datetime.datetime
    # Amber until the end of the next working day: the apology must go out at least one
    # working day before the due date (DOMAIN.md §3.5), so this is the last moment to act.
    amber_until: datetime.datetime


def urgency_thresholds(
    *, now: datetime.datetime | None = None, calendar: WorkingCalendar | None = None
) -> Urgency:
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    return Urgency(now=now, amber_until=due_within_threshold(days=1, now=now, calendar=calendar))


def traffic_light(dossier: Dossier, urgency: Urgency) -> str | None:
    """Red overdue / amber due within one working day / green; None once closed."""
    if dossier.status not in OPEN_STATUSES or dossier.due_at is None:
        return None
    if dossier.is_paused:
        # The clock is stopped and the due date moves on resume: as in the list (urgency 2).
        return TrafficLight.GREEN
    if dossier.due_at < urgency.now:
        return TrafficLight.RED
    if dossier.due_at <= urgency.amber_until:
        return TrafficLight.AMBER
    return TrafficLight.GREEN


# --- list ------------------------------------------------------------------------------------
def _list_filter(*, user, filters, now, calendar) -> DossierFilter:
    return DossierFilter(
        filters if filters is not None else {},
        queryset=visible_dossiers(user, Dossier.objects.all()),
        user=user,
        now=now,
        calendar=calendar,
    )


def _ordered(filterset: DossierFilter, urgency: Urgency) -> QuerySet[Dossier]:
    queryset = filterset.qs.with_urgency(now=urgency.now, amber_until=urgency.amber_until)
    if filterset.includes_closed:
        # Closed dossiers are the archive (hundreds of thousands of rows): newest first, served
        # by the (agency, received_at) index; urgency is still shown by the light.
        return queryset.order_by("-received_at", "-id")
    return queryset.order_by("urgency", F("due_at").asc(nulls_last=True), "-received_at", "-id")


def dossier_list(
    *,
    user,
    filters: Mapping | None = None,
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> QuerySet[Dossier]:
    """The dossiers `user` may see, filtered and sorted by urgency, for the staff list.

    - Visibility: permissions.visible_dossiers, and nothing without `dossiers.view_dossier`.
    - `filters`: raw query-string values (dossiers.filters.DossierFilter); a value that does not
      validate is ignored on its own (the view reports it).
    - Without a status filter: the open dossiers (the work queue). Order: overdue first, then
      due within one working day, then the others by due date. A filter that lets closed
      dossiers in (any status, returned...) orders by receipt, newest first.
    - Each row carries `urgency` (0-3) and its procedure and handler (joined).
    """
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    if not user.has_perm("dossiers.view_dossier"):
        return Dossier.objects.none()
    filterset = _list_filter(user=user, filters=filters, now=now, calendar=calendar)
    urgency = urgency_thresholds(now=now, calendar=calendar)
    return _ordered(filterset, urgency).select_related("procedure", "handler")


@dataclass
class DossierListPage:
    filterset: DossierFilter
    page: Page
    rows: list[Dossier]
    counts: dict[str, int]


def dossier_list_page(
    *,
    user,
    filters: Mapping | None,
    page_number,
    page_size: int = 25,
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> DossierListPage:
    """One page of `dossier_list` with its filter form and counts, for the staff list view.

    Sorts and pages over the narrow rows (served by the covering work-queue index), then loads
    only the page's 25 dossiers with their procedure and handler: a fixed number of queries and
    no wide join over the whole queue.
    """
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    filterset = _list_filter(user=user, filters=filters, now=now, calendar=calendar)
    urgency = urgency_thresholds(now=now, calendar=calendar)
    if not user.has_perm("dossiers.view_dossier"):
        ordered = Dossier.objects.none()
    else:
        ordered = _ordered(filterset, urgency)
    counts = dossier_counts(ordered)
    paginator = Paginator(ordered.values_list("pk", flat=True), page_size)
    paginator.__dict__["count"] = counts["total"]  # already counted above
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    loaded = (
        Dossier.objects.filter(pk__in=ids)
        .with_urgency(now=urgency.now, amber_until=urgency.amber_until)
        .select_related("procedure", "handler")
        .in_bulk()
    )
    rows = [loaded[pk] for pk in ids if pk in loaded]
    for row in rows:
        row.light = URGENCY_LIGHTS.get(row.urgency)
    return DossierListPage(filterset=filterset, page=page, rows=rows, counts=counts)


def dossier_counts(queryset: QuerySet[Dossier]) -> dict[str, int]:
    """Totals over a `dossier_list` result: all, open, overdue, due within one working day."""
    return queryset.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(urgency__lt=3)),
        overdue=Count("pk", filter=Q(urgency=0)),
        due_soon=Count("pk", filter=Q(urgency=1)),
    )


# --- one dossier -----------------------------------------------------------------------------
def dossier_detail(*, user, code: str) -> Dossier:
    """One dossier the user may see, with everything its page shows (fixed number of queries).

    Raises DossierNotFound (404) when it does not exist or the user may not see it: missing
    and forbidden look the same.
    """
    if not user.has_perm("dossiers.view_dossier"):
        raise DossierNotFound
    queryset = visible_dossiers(user, Dossier.objects.filter(code=code)).select_related(
        "procedure", "procedure__field", "agency", "handler", "received_by"
    )
    queryset = queryset.prefetch_related(
        "documents",
        "apologies",
        Prefetch(
            "explanations",
            queryset=DossierExplanation.objects.select_related("officer", "reviewed_by"),
        ),
        Prefetch("attachments", queryset=DossierAttachment.objects.select_related("uploaded_by")),
        Prefetch(
            "pauses",
            queryset=DossierPause.objects.select_related("started_by", "ended_by").order_by(
                "started_at", "id"
            ),
        ),
        Prefetch(
            "transfers",
            queryset=DossierTransfer.objects.select_related("sender", "receiver").order_by(
                "position", "sent_at", "id"
            ),
        ),
        Prefetch(
            "events",
            queryset=DossierEvent.objects.select_related("actor").order_by("at", "id"),
        ),
    )
    dossier = queryset.first()
    if dossier is None:
        raise DossierNotFound
    return dossier


def dossier_for_action(*, user, code: str) -> Dossier:
    """The dossier an action is posted to, if the user may see it (else DossierNotFound)."""
    if not user.has_perm("dossiers.view_dossier"):
        raise DossierNotFound
    dossier = visible_dossiers(user, Dossier.objects.filter(code=code)).first()
    if dossier is None:
        raise DossierNotFound
    return dossier


@dataclass(frozen=True)
class PauseRow:
    pause: DossierPause
    working_days: float
    is_open: bool


@dataclass(frozen=True)
class DossierOverview:
    light: str | None
    clock: ClockSummary | None
    due_explanation: DueDateExplanation | None
    pauses: list[PauseRow]
    needs_apology_warning: bool
    can_reschedule_again: bool
    slips: list[tuple[str, str]]  # (slip code, label)
    # The explanation of the delay, if one was asked for (giải trình, plan 645 V.4).
    explanation: DossierExplanation | None = None


def dossier_overview(
    dossier: Dossier,
    *,
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> DossierOverview:
    """The clock and the flags of the dossier page, from a `dossier_detail` row (no query).

    - Pause durations are in working days (office minutes / minutes per working day); an
      open pause is measured up to `now`.
    - The apology warning: still open, not paused, due within one working day (or overdue)
      and no apology issued yet (DOMAIN.md §3.5).
    """
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    urgency = urgency_thresholds(now=now, calendar=calendar)
    per_day = calendar.minutes_per_working_day or 480
    pauses = []
    for pause in dossier.pauses.all():
        minutes = pause.working_minutes
        if pause.ended_at is None:
            minutes = calendar.working_minutes_between(pause.started_at, now)
        pauses.append(
            PauseRow(
                pause=pause,
                working_days=round(minutes / per_day, 1),
                is_open=pause.ended_at is None,
            )
        )
    apologies = list(dossier.apologies.all())
    light = traffic_light(dossier, urgency)
    return DossierOverview(
        light=light,
        clock=clock_summary(dossier, calendar=calendar, now=now),
        due_explanation=explain_due_date(dossier, calendar=calendar),
        pauses=pauses,
        # While the applicant is asked for documents or a fee the clock is stopped and the
        # due date moves on resumption: no apology is due yet.
        needs_apology_warning=(
            light in (TrafficLight.RED, TrafficLight.AMBER)
            and not apologies
            and not dossier.is_paused
        ),
        can_reschedule_again=len(apologies) < dossier.profile.max_reschedules,
        slips=available_slips(dossier),
        explanation=next(iter(dossier.explanations.all()), None),
    )


def available_slips(dossier: Dossier) -> list[tuple[str, str]]:
    """The slips this dossier has (DOMAIN.md §5), in the order they are issued."""
    accepted = dossier.original_due_at is not None
    has = {
        Slip.RECEIPT: accepted,
        Slip.SUPPLEMENT: any(p.kind == PauseKind.SUPPLEMENT for p in dossier.pauses.all()),
        Slip.REFUSAL: dossier.status == DossierStatus.REFUSED,
        Slip.APOLOGY: bool(dossier.apologies.all()),
        Slip.STOP: dossier.status == DossierStatus.STOPPED,
        Slip.CONTROL: accepted,
    }
    return [(slip.value, slip.label) for slip, present in has.items() if present]


# --- choices ---------------------------------------------------------------------------------
def assignable_officers(*, agency_id, active_only: bool = True):
    """Staff of the agency who may process dossiers (`dossiers.process_dossier`, by group or
    directly), by name. `agency_id` None: every agency (a superuser without a department)."""
    user_model = get_user_model()
    permission = Permission.objects.filter(
        codename="process_dossier", content_type__app_label="dossiers"
    )
    queryset = user_model.objects.filter(
        Exists(permission.filter(group__user=OuterRef("pk")))
        | Exists(permission.filter(user=OuterRef("pk")))
    )
    if agency_id is not None:
        queryset = queryset.filter(department__agency_id=agency_id)
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.select_related("department").order_by("last_name", "first_name", "username")


def intake_procedures(*, user) -> QuerySet[Procedure]:
    """Published procedures the user's desk receives (every agency for a superuser without
    a department), by name."""
    queryset = Procedure.objects.published()
    agency_id = _agency_id(user)
    if agency_id is not None:
        queryset = queryset.filter(agency_id=agency_id)
    elif not user.is_superuser:
        return queryset.none()
    return queryset.order_by("name", "code")


def intake_procedure(*, user, pk) -> Procedure | None:
    """One procedure for the intake form, with its dossier components, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        intake_procedures(user=user)
        .select_related("agency")
        .prefetch_related("components")
        .filter(pk=pk)
        .first()
    )


def attachment_for_download(*, user, pk) -> DossierAttachment | None:
    """A scan the user may open: `dossiers.view_dossier_attachment` and a visible dossier."""
    if not user.has_perm("dossiers.view_dossier_attachment"):
        return None
    visible = visible_dossiers(user, Dossier.objects.all()).values("pk")
    return DossierAttachment.objects.filter(pk=pk, dossier__in=visible).first()


# ==============================================================================================
# --- Explanations of late dossiers (giải trình; plan 645/KH-VHTT V.4, issue 5) ---------------
# ==============================================================================================
_TO_WRITE = (ExplanationStatus.REQUESTED, ExplanationStatus.RETURNED)
# Order of the list: what waits for someone first (returned, requested, submitted), then done.
_STATUS_RANK = {
    ExplanationStatus.RETURNED: 0,
    ExplanationStatus.REQUESTED: 1,
    ExplanationStatus.SUBMITTED: 2,
    ExplanationStatus.ACCEPTED: 3,
}
EXPLANATION_FILTERS = ("open", *ExplanationStatus.values)


def explanations_by_dossier(*, dossier_ids: Iterable[int]) -> dict[int, DossierExplanation]:
    """The explanation of each of `dossier_ids` that has one, by dossier id, in one query.

    For the weekly report and the dossier lists, which have already limited the dossiers to
    what the reader may see: no visibility rule is applied here. Each row carries its
    officer, submitter and reviewer (joined).
    """
    ids = list(dossier_ids)
    if not ids:
        return {}
    rows = DossierExplanation.objects.filter(dossier_id__in=ids).select_related(
        "officer", "submitted_by", "reviewed_by"
    )
    return {row.dossier_id: row for row in rows}


def _needs_action(user) -> Q:
    """Rows waiting for `user`: to write (their own), or to review (a reviewer, not their own)."""
    condition = Q(officer=user, status__in=_TO_WRITE)
    if user.has_perm("dossiers.review_dossierexplanation"):
        condition |= Q(status=ExplanationStatus.SUBMITTED) & ~Q(officer=user)
    return condition


def explanation_list(*, user, status: str | None = None) -> QuerySet[DossierExplanation]:
    """The explanations `user` may see (permissions.visible_explanations: officers their own,
    reviewers their agency's), optionally one state ("open" = still to write).

    Order: what waits for the user first, then by state (returned, requested, submitted,
    accepted) and deadline. Each row carries `needs_action`, its dossier with the procedure,
    and its officer and reviewer (joined). An unknown `status` is ignored (the view says so).
    """
    queryset = visible_explanations(user, DossierExplanation.objects.all())
    if status == "open":
        queryset = queryset.filter(status__in=_TO_WRITE)
    elif status in ExplanationStatus.values:
        queryset = queryset.filter(status=status)
    rank = Case(
        *(When(status=value, then=Value(order)) for value, order in _STATUS_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )
    return (
        queryset.annotate(
            needs_action=Case(
                When(_needs_action(user), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            status_rank=rank,
        )
        .select_related("dossier", "dossier__procedure", "officer", "reviewed_by")
        .order_by("-needs_action", "status_rank", "explain_by", "id")
    )


def explanation_counts(*, user, now: datetime.datetime | None = None) -> dict[str, int]:
    """Totals over what `user` may see, in one query: by state, `to_write` (their own still to
    write), `to_write_late` (of which past the deadline), `to_review` (reviewers: submitted by
    others) and `badge` = to_write + to_review, for the staff home page."""
    now = now or timezone.now()
    reviewer = user.has_perm("dossiers.review_dossierexplanation")
    own_open = Q(officer=user, status__in=_TO_WRITE) if user.is_authenticated else Q(pk=None)
    aggregates = {
        "total": Count("pk"),
        "to_write": Count("pk", filter=own_open),
        "to_write_late": Count("pk", filter=own_open & Q(explain_by__lt=now)),
        **{value: Count("pk", filter=Q(status=value)) for value in ExplanationStatus.values},
    }
    if reviewer:
        aggregates["to_review"] = Count(
            "pk", filter=Q(status=ExplanationStatus.SUBMITTED) & ~Q(officer=user)
        )
    counts = visible_explanations(user, DossierExplanation.objects.all()).aggregate(**aggregates)
    counts.setdefault("to_review", 0)
    counts["open"] = counts[ExplanationStatus.REQUESTED] + counts[ExplanationStatus.RETURNED]
    counts["badge"] = counts["to_write"] + counts["to_review"]
    return counts


@dataclass(frozen=True)
class Lateness:
    working_days: int  # working days past the due date (0: late by the supplement rule only)
    is_finished: bool
    multiple_supplements: bool


def lateness_of(
    dossier: Dossier, *, calendar: WorkingCalendar, now: datetime.datetime
) -> Lateness | None:
    """How late a dossier is (or finished): working days after the due date (at least 1 once
    past it), to the end of processing or `now` (DOMAIN.md §3.8). No query."""
    if dossier.due_at is None:
        return None
    end = dossier.finished_at or now
    days = 0
    if end > dossier.due_at:
        due_day = timezone.localtime(dossier.due_at, calendar.tz).date()
        end_day = timezone.localtime(end, calendar.tz).date()
        days = max(1, calendar.working_days_between(due_day, end_day))
    return Lateness(
        working_days=days,
        is_finished=dossier.finished_at is not None,
        multiple_supplements=dossier.has_multiple_supplements,
    )


@dataclass
class ExplanationListPage:
    page: Page
    rows: list[DossierExplanation]
    counts: dict[str, int]
    status: str


def explanation_list_page(
    *,
    user,
    status: str | None,
    page_number,
    page_size: int = 25,
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> ExplanationListPage:
    """One page of `explanation_list` with the counts, for the task list (3 queries).

    Each row gets `lateness` (lateness_of) and `is_past_deadline` (still to write after
    `explain_by`).
    """
    now = now or timezone.now()
    calendar = calendar or get_calendar()
    status = status if status in EXPLANATION_FILTERS else ""
    counts = explanation_counts(user=user, now=now)
    queryset = explanation_list(user=user, status=status or None)
    paginator = Paginator(queryset, page_size)
    paginator.__dict__["count"] = (
        counts["open"] if status == "open" else counts.get(status, counts["total"])
    )
    page = paginator.get_page(page_number)
    rows = list(page.object_list)
    for row in rows:
        row.lateness = lateness_of(row.dossier, calendar=calendar, now=now)
        row.is_past_deadline = row.is_open and row.explain_by < now
    return ExplanationListPage(page=page, rows=rows, counts=counts, status=status)


def explanation_detail(*, user, pk) -> DossierExplanation:
    """One explanation the user may see, with its dossier, people and history (fixed number of
    queries). Raises ExplanationNotFound (404) when missing or not visible."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ExplanationNotFound from None
    explanation = (
        visible_explanations(user, DossierExplanation.objects.filter(pk=pk))
        .select_related(
            "dossier",
            "dossier__procedure",
            "dossier__handler",
            "dossier__received_by",
            "officer",
            "submitted_by",
            "reviewed_by",
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=DossierExplanationEvent.objects.select_related("actor").order_by(
                    "at", "id"
                ),
            )
        )
        .first()
    )
    if explanation is None:
        raise ExplanationNotFound
    return explanation


def explanation_for_action(*, user, pk) -> DossierExplanation:
    """The explanation a form is posted to, if the user may see it (else ExplanationNotFound)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ExplanationNotFound from None
    explanation = (
        visible_explanations(user, DossierExplanation.objects.filter(pk=pk))
        .select_related("dossier")
        .first()
    )
    if explanation is None:
        raise ExplanationNotFound
    return explanation

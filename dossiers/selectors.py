"""Reads of dossiers that carry rules: the staff list, the dossier page, intake choices.

Called by the desk and specialist screens (dossiers.views.staff); other apps may call them too.
Every selector applies the row policy (permissions.visible_dossiers) and runs a bounded number
of queries whatever the number of rows. Day counting is delegated to core.calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from core.calendar import WorkingCalendar, get_calendar
from procedures.models import Procedure

from .clock import ClockSummary, DueDateExplanation, clock_summary, explain_due_date
from .constants import OPEN_STATUSES, DossierStatus, PauseKind, TrafficLight
from .filters import DossierFilter, due_within_threshold
from .models import (
    Dossier,
    DossierAttachment,
    DossierEvent,
    DossierPause,
    DossierTransfer,
)
from .permissions import DossierNotFound, visible_dossiers
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

"""Reads of the weekly report snapshots, with who-sees-what.

Called by reports.views (list, page, downloads) and by reports.services / reports.exports,
which turn a snapshot into the same `WeeklyReportView` the page shows, so the page, the Excel
file, the PDF and the email always agree.

Who sees what (code checks permissions, never groups):
- `reports.view_agency_figures` (leaders, administrators): the agency's whole report, and its
  files.
- Other staff with `dossiers.view_dossier` (desk officers, specialists): the same weeks, but only
  their own figures (as the responsible officer: the handler, else the desk officer who received
  the dossier) and their own late dossiers; no files (they hold the whole agency).
- Nobody sees another agency's reports; a report one may not see is a 404, like a missing one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Subquery
from django.db.models.fields.json import KeyTransform
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import primary_agency
from dossiers.constants import ExplanationReason, ExplanationStatus
from dossiers.reporting import BUCKETS, PeriodFigures, parse_timestamp

from .models import WeeklyReport

AGENCY_PERMISSION = "reports.view_agency_figures"
OWN_PERMISSION = "dossiers.view_dossier"
BUILD_PERMISSION = "reports.build_weeklyreport"


class ReportNotFound(Http404):
    """A report that does not exist or that the user may not see."""


# --- who ---------------------------------------------------------------------------------------
def report_agency_id(user) -> int | None:
    """The agency whose reports `user` reads: their department's; a superuser without one
    reads the primary agency's."""
    department = getattr(user, "department", None)
    if department is not None:
        return department.agency_id
    if user.is_superuser:
        agency = primary_agency()
        return agency.pk if agency else None
    return None


def sees_agency(user) -> bool:
    return user.has_perm(AGENCY_PERMISSION)


def can_open_reports(user) -> bool:
    """Whether `user` may open the weekly report pages at all (else 403)."""
    if not user.is_authenticated or not user.is_active or report_agency_id(user) is None:
        return False
    return user.has_perm(AGENCY_PERMISSION) or user.has_perm(OWN_PERMISSION)


# --- the list ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportListRow:
    report: WeeklyReport
    first_day: date
    last_day: date
    revision_count: int
    totals: PeriodFigures | None  # the agency's totals (None for officers: see the page)


def weekly_report_list(*, user, limit: int = 104) -> list[ReportListRow]:
    """The latest revision of each week of the user's agency, newest week first (two years at
    most), with the number of revisions. Two queries; the figures JSON is not loaded, only its
    totals (and only for those who see the agency)."""
    if not can_open_reports(user):
        return []
    agency_id = report_agency_id(user)
    same_week = WeeklyReport.objects.filter(
        agency_id=agency_id, week_start=OuterRef("week_start")
    ).order_by()
    latest = same_week.order_by("-revision").values("pk")[:1]
    counts = same_week.values("week_start").annotate(n=Count("pk")).values("n")
    queryset = (
        WeeklyReport.objects.filter(agency_id=agency_id, pk=Subquery(latest))
        .annotate(revision_count=Subquery(counts))
        .select_related("built_by")
        .defer("figures", "late_list")
        .order_by("-week_start")
    )
    with_totals = sees_agency(user)
    if with_totals:
        queryset = queryset.annotate(snapshot_totals=KeyTransform("totals", "figures"))
    rows = []
    for report in queryset[:limit]:
        rows.append(
            ReportListRow(
                report=report,
                first_day=report.week_start,
                last_day=_last_day(report.week_start),
                revision_count=report.revision_count or 1,
                totals=PeriodFigures.from_dict(report.snapshot_totals) if with_totals else None,
            )
        )
    return rows


def _last_day(week_start: date) -> date:
    return week_start + timedelta(days=6)


# --- one report as shown -----------------------------------------------------------------------
@dataclass(frozen=True)
class FigureRow:
    """One line of the figures table: this week, last week, the change, the list behind it."""

    name: str
    label: str
    value: int
    previous: int | None
    url: str

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.value - self.previous


@dataclass(frozen=True)
class RatioRow:
    """One 766-style ratio (DOMAIN.md §8.2), a share in [0, 1] or None ("N/A")."""

    code: str
    label: str
    value: float | None
    previous: float | None
    numerator: int
    denominator: int

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class GroupRow:
    key_id: int | None
    label: str
    figures: PeriodFigures
    previous_rate: float | None = None

    @property
    def rate_change(self) -> float | None:
        rate = self.figures.on_time_rate
        if rate is None or self.previous_rate is None:
            return None
        return rate - self.previous_rate


@dataclass(frozen=True)
class Explanation:
    status: str
    reason_category: str
    text: str
    remedy: str
    submitted_at: datetime | None
    explain_by: datetime | None

    @property
    def status_label(self) -> str:
        return str(ExplanationStatus(self.status).label) if self.status else ""

    @property
    def reason_label(self) -> str:
        return str(ExplanationReason(self.reason_category).label) if self.reason_category else ""


@dataclass(frozen=True)
class OverdueRow:
    dossier_id: int
    code: str
    procedure: str
    applicant: str  # masked (reports.services.mask_applicant)
    received_at: datetime
    original_due_at: datetime | None
    due_at: datetime  # the due date extended by pauses, which lateness is measured against
    rescheduled_due_at: datetime | None
    finished_at: datetime | None
    working_days_late: int
    is_open: bool
    is_paused: bool
    multiple_supplements: bool
    step: str
    officer_id: int | None
    officer: str
    apology_at: datetime | None
    explanation: Explanation | None

    @property
    def url(self) -> str:
        return reverse("dossiers:dossier-detail", kwargs={"code": self.code})

    @property
    def state_label(self) -> str:
        """Where the dossier stood at the end of the week, in words."""
        if not self.is_open:
            return str(_("Resolved late"))
        if self.is_paused:
            return str(_("Overdue, waiting for the applicant"))
        if self.multiple_supplements:
            return str(_("Late: more than one supplement request"))
        return str(_("Open, overdue"))


@dataclass(frozen=True)
class WeeklyReportView:
    report: WeeklyReport
    agency_name: str
    is_agency: bool  # False: one officer's own rows
    officer_name: str
    first_day: date
    last_day: date
    totals: PeriodFigures
    previous: PeriodFigures | None
    figure_rows: list[FigureRow]
    ratio_rows: list[RatioRow]
    by_procedure: list[GroupRow]
    by_officer: list[GroupRow]
    overdue: list[OverdueRow]
    explanations_requested: int
    revisions: list[WeeklyReport] = field(default_factory=list)

    @property
    def open_overdue_rows(self) -> list[OverdueRow]:
        return [row for row in self.overdue if row.is_open]

    @property
    def resolved_late_rows(self) -> list[OverdueRow]:
        return [row for row in self.overdue if not row.is_open]

    @property
    def explanation_tally(self) -> list[tuple[str, int]]:
        """(state, count) of the overdue rows' explanations, "none" included."""
        counts: dict[str, int] = {}
        for row in self.overdue:
            label = row.explanation.status_label if row.explanation else str(_("Not requested yet"))
            counts[label] = counts.get(label, 0) + 1
        return sorted(counts.items(), key=lambda item: -item[1])


# Figures of the table, in reading order (BUCKETS gives their names).
FIGURE_ORDER = [
    "received",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "open_on_time",
    "open_overdue",
    "due_soon_without_apology",
    "apologies_issued",
]


def _dt(value: str | None) -> datetime | None:
    return parse_timestamp(value)


def _figures(data) -> PeriodFigures:
    return PeriodFigures.from_dict(data)


def _drill_down(name: str, first_day: date, last_day: date, officer_id: int | None) -> str:
    params = {
        "bucket": name,
        "period_start": first_day.isoformat(),
        "period_end": last_day.isoformat(),
    }
    if officer_id is not None:
        params["handler"] = str(officer_id)
    return f"{reverse('dossiers:dossier-list')}?{urlencode(params)}"


def _ratio_rows(totals: PeriodFigures, previous: PeriodFigures | None) -> list[RatioRow]:
    def row(code, label, attribute, numerator, denominator):
        return RatioRow(
            code=code,
            label=str(label),
            value=getattr(totals, attribute),
            previous=getattr(previous, attribute) if previous else None,
            numerator=numerator,
            denominator=denominator,
        )

    return [
        row(
            "2.1",
            _("On-time rate"),
            "on_time_rate",
            totals.on_time,
            totals.counted,
        ),
        row(
            "3.3",
            _("Received online"),
            "online_share",
            totals.received_online,
            totals.received,
        ),
        row(
            "4.1",
            _("Finished with an electronic result"),
            "e_result_share",
            totals.finished_with_e_result,
            totals.finished,
        ),
        row(
            "4.2",
            _("Digitised (scans and electronic result)"),
            "digitised_share",
            totals.digitised,
            totals.finished,
        ),
    ]


def _explanation(data: dict | None) -> Explanation | None:
    if not data:
        return None
    return Explanation(
        status=data.get("status", ""),
        reason_category=data.get("reason_category", ""),
        text=data.get("text", ""),
        remedy=data.get("remedy", ""),
        submitted_at=_dt(data.get("submitted_at")),
        explain_by=_dt(data.get("explain_by")),
    )


def _late_list(report: WeeklyReport):
    """The stored late list: its own column (version 2), else inside the figures (version 1)."""
    if report.late_list:
        return json.loads(report.late_list)
    return (report.figures or {}).get("overdue")


def _overdue_rows(overdue, *, officer_id: int | None = None) -> list[OverdueRow]:
    """The late list of a snapshot (reports.services.SNAPSHOT_VERSION: a list of objects in
    version 1, columns and rows in version 2), optionally one officer's rows only."""
    if not overdue:
        return []
    if isinstance(overdue, list):  # version 1
        return [
            _overdue_row(row)
            for row in overdue
            if officer_id is None or row.get("officer_id") == officer_id
        ]
    columns = overdue["columns"]
    procedures = overdue.get("procedures", {})
    officers = overdue.get("officers", {})
    out = []
    for values in overdue["rows"]:
        row = dict(zip(columns, values, strict=True))
        if officer_id is not None and row["officer_id"] != officer_id:
            continue
        status = row["explanation_status"]
        out.append(
            _overdue_row(
                row
                | {
                    "procedure": procedures.get(str(row["procedure_id"]), ""),
                    "officer": officers.get(str(row["officer_id"]), ""),
                    "explanation": None
                    if status is None
                    else {
                        "status": status,
                        "reason_category": row["explanation_reason"],
                        "text": row["explanation_text"],
                        "remedy": row["explanation_remedy"],
                        "submitted_at": row["explanation_submitted_at"],
                        "explain_by": row["explanation_explain_by"],
                    },
                }
            )
        )
    return out


def _overdue_row(data: dict) -> OverdueRow:
    return OverdueRow(
        dossier_id=data["dossier_id"],
        code=data["code"],
        procedure=data["procedure"],
        applicant=data["applicant"],
        received_at=_dt(data["received_at"]),
        original_due_at=_dt(data.get("original_due_at")),
        due_at=_dt(data["due_at"]),
        rescheduled_due_at=_dt(data.get("rescheduled_due_at")),
        finished_at=_dt(data.get("finished_at")),
        working_days_late=data["working_days_late"],
        is_open=data["is_open"],
        is_paused=data["is_paused"],
        multiple_supplements=data["multiple_supplements"],
        step=data.get("step", ""),
        officer_id=data.get("officer_id"),
        officer=data.get("officer", ""),
        apology_at=_dt(data.get("apology_at")),
        explanation=_explanation(data.get("explanation")),
    )


def snapshot_view(
    report: WeeklyReport, *, agency_name: str, officer_id: int | None = None, officer_name=""
) -> WeeklyReportView:
    """The snapshot of `report` as shown: the whole agency (`officer_id` None) or one officer's
    own figures and rows. No query: everything comes from `report.figures`."""
    data = report.figures or {}
    first_day = report.week_start
    last_day = _last_day(first_day)
    previous_data = data.get("previous") or {}
    procedure_labels = {g["id"]: g["label"] for g in data.get("by_procedure", [])}
    previous_rates = {
        g["id"]: _figures(g["figures"]).on_time_rate for g in previous_data.get("by_procedure", [])
    }
    previous_officers = {
        g["id"]: _figures(g["figures"]) for g in previous_data.get("by_officer", [])
    }
    if officer_id is None:
        totals = _figures(data.get("totals"))
        previous = _figures(previous_data["totals"]) if previous_data.get("totals") else None
        by_procedure = [
            GroupRow(g["id"], g["label"], _figures(g["figures"]), previous_rates.get(g["id"]))
            for g in data.get("by_procedure", [])
        ]
        by_officer = [
            GroupRow(
                g["id"],
                g["label"],
                _figures(g["figures"]),
                getattr(previous_officers.get(g["id"]), "on_time_rate", None),
            )
            for g in data.get("by_officer", [])
        ]
        overdue = _overdue_rows(_late_list(report))
    else:
        own = [g for g in data.get("by_officer", []) if g["id"] == officer_id]
        totals = _figures(own[0]["figures"]) if own else PeriodFigures()
        previous = previous_officers.get(officer_id) if previous_data else None
        if previous_data and previous is None:
            previous = PeriodFigures()
        cells = [c for c in data.get("cells", []) if c["officer_id"] == officer_id]
        by_procedure = sorted(
            (
                GroupRow(
                    c["procedure_id"],
                    procedure_labels.get(c["procedure_id"], "—"),
                    _figures(c["figures"]),
                )
                for c in cells
            ),
            key=lambda g: g.label.casefold(),
        )
        by_officer = [
            GroupRow(officer_id, officer_name or (own[0]["label"] if own else ""), totals)
        ]
        overdue = _overdue_rows(_late_list(report), officer_id=officer_id)
    figure_rows = [
        FigureRow(
            name=name,
            label=str(BUCKETS[name]),
            value=getattr(totals, name),
            previous=getattr(previous, name) if previous else None,
            url=_drill_down(name, first_day, last_day, officer_id),
        )
        for name in FIGURE_ORDER
    ]
    return WeeklyReportView(
        report=report,
        agency_name=agency_name,
        is_agency=officer_id is None,
        officer_name=officer_name,
        first_day=first_day,
        last_day=last_day,
        totals=totals,
        previous=previous,
        figure_rows=figure_rows,
        ratio_rows=_ratio_rows(totals, previous),
        by_procedure=by_procedure,
        by_officer=by_officer,
        overdue=overdue,
        explanations_requested=data.get("explanations_requested", 0),
    )


def weekly_report_view(*, user, pk) -> WeeklyReportView:
    """Report `pk` as `user` may see it (see the module docstring), with the other revisions of
    its week. Raises ReportNotFound. Three queries."""
    if not can_open_reports(user):
        raise ReportNotFound
    report = (
        WeeklyReport.objects.filter(pk=pk, agency_id=report_agency_id(user))
        .select_related("agency", "built_by")
        .first()
    )
    if report is None:
        raise ReportNotFound
    officer_id = None if sees_agency(user) else user.pk
    view = snapshot_view(
        report,
        agency_name=report.agency.name,
        officer_id=officer_id,
        officer_name=str(user) if officer_id else "",
    )
    revisions = list(
        WeeklyReport.objects.filter(agency_id=report.agency_id, week_start=report.week_start)
        .select_related("built_by")
        .defer("figures", "late_list")
        .order_by("-revision")
    )
    return replace(view, revisions=revisions)


def report_for_download(*, user, pk) -> WeeklyReport:
    """A report whose files `user` may download (the agency's figures), else ReportNotFound."""
    if not can_open_reports(user) or not sees_agency(user):
        raise ReportNotFound
    report = (
        WeeklyReport.objects.filter(pk=pk, agency_id=report_agency_id(user))
        .defer("figures", "late_list")
        .first()
    )
    if report is None:
        raise ReportNotFound
    return report

"""Writes of the reports app: building the weekly late-dossier report and emailing it.

- `weekly_report_build`: reads the week's figures and its late dossiers with the state of their
  explanations (dossiers.reporting, DOMAIN.md §3.8, §8.2, §13) and freezes them in a new
  `WeeklyReport`; its Excel and PDF files are rendered afterwards (`weekly_report_files`, a
  Celery task queued on commit). Called by the Monday 07:00 beat task, the
  `build_weekly_report` command and the "Build now" button.
- Explanations are asked for by the morning job (dossiers.tasks, also Monday 06:45 just before
  the report); the command and the button ask first themselves (see weekly_report_build).
- `weekly_report_deliver` / `weekly_report_send`: one `WeeklyReportDelivery` row per address, sent
  by a Celery task at most once (the row is the lock, as in ADR 0003).

Snapshot rules:
- The week is [Monday 00:00, next Monday 00:00) in Asia/Ho_Chi_Minh; only a week that is over can
  be built. "Everything still open" means open at that Monday 00:00, reconstructed from recorded
  times, so the figures do not depend on when the report is built.
- A snapshot never changes. Building a week again (command, button) makes a new revision; the beat
  task reuses an existing one, so a retried or doubled Monday run neither rebuilds nor re-emails.
- Applicants are masked (Decree 13/2023: only what the reader needs): family name and initials,
  or the organisation's name.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KeyTransform
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Agency
from core.calendar import WorkingCalendar, get_calendar
from core.exceptions import ApplicationError
from core.notices.email import NoticeFile, send_email
from core.notices.errors import PermanentError, TransientError, UncertainError
from dossiers import reporting
from dossiers.services import explanation_request_overdue

from . import exports
from .constants import DeliveryStatus, ReportTrigger
from .models import WeeklyReport, WeeklyReportDelivery
from .selectors import AGENCY_PERMISSION, BUILD_PERMISSION, report_agency_id, snapshot_view

logger = logging.getLogger(__name__)

# Shape of WeeklyReport.figures (bump when it changes; readers accept every older version):
# {version, period {start, end}, totals {counts}, ratios {name: share}, previous {source,
#  report_id, totals, by_procedure [{id, label, figures}], by_officer [...]} | null,
#  by_procedure [{id, label, figures}], by_officer [{id, label, figures}],
#  cells [{procedure_id, officer_id, figures}], explanations_requested}
# The late list: version 1 in figures["overdue"] [{...selectors.OverdueRow fields,
#  explanation {...} | null}]; version 2 in WeeklyReport.late_list (JSON text)
#  {columns [names], rows [[values]], procedures {id: name}, officers {id: name}}:
#  dossiers.reporting.LATE_COLUMNS with the applicant masked (one "applicant" instead of the
#  two names), a row per dossier without its keys and the long names once (3,779 late
#  dossiers took 3.4 MB as objects, 1.2 MB as rows).
SNAPSHOT_VERSION = 2
_APPLICANT = reporting.LATE_COLUMNS.index("applicant_name")  # organisation_name follows
_NAMES = slice(_APPLICANT, _APPLICANT + 2)
OVERDUE_COLUMNS = list(reporting.LATE_COLUMNS)
OVERDUE_COLUMNS[_NAMES] = ["applicant"]


# --- masking -----------------------------------------------------------------------------------
def mask_name(name: str) -> str:
    """A person's name for a report: the family name and initials ("Nguyễn Văn An" -> "Nguyễn
    V. A."). Leaders identify the dossier by its code; the report does not spread names."""
    words = (name or "").split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


def mask_applicant(*, applicant_name: str, organisation_name: str = "") -> str:
    """An organisation is named (not personal data); a person is masked (mask_name)."""
    if organisation_name:
        return organisation_name
    return mask_name(applicant_name)


# --- weeks -------------------------------------------------------------------------------------
def last_complete_week(now: datetime, calendar: WorkingCalendar | None = None) -> date:
    """The Monday of the last week that is over at `now` (local time)."""
    return reporting.week_start_of(now, calendar) - timedelta(days=7)


def _check_week(week_start: date, *, now: datetime, calendar: WorkingCalendar) -> None:
    if week_start.weekday() != 0:
        raise ApplicationError(
            _("A weekly report starts on a Monday; %(day)s is not one.")
            % {"day": f"{week_start:%d/%m/%Y}"}
        )
    _start, end = reporting.week_bounds(week_start, calendar)
    if end > now:
        raise ApplicationError(
            _("The week of %(day)s is not over yet; its report can be built from %(end)s.")
            % {"day": f"{week_start:%d/%m/%Y}", "end": f"{end.astimezone(calendar.tz):%d/%m/%Y}"}
        )


# --- building ----------------------------------------------------------------------------------
def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _groups(groups: list[reporting.GroupFigures]) -> list[dict]:
    return [{"id": g.key_id, "label": g.label, "figures": g.figures.as_dict()} for g in groups]


def _ratios(figures: reporting.PeriodFigures) -> dict:
    def rounded(value):
        return None if value is None else round(value, 4)

    return {
        "on_time_rate": rounded(figures.on_time_rate),
        "online_share": rounded(figures.online_share),
        "e_result_share": rounded(figures.e_result_share),
        "digitised_share": rounded(figures.digitised_share),
    }


def _overdue(late: reporting.LateList, *, officers: dict[int, str]) -> dict:
    """The late list in the snapshot (version 2): its rows with the applicant masked (the
    rows are the list's own: nothing else is done per dossier). No query."""
    rows = late.rows
    for row in rows:
        row[_NAMES] = [
            mask_applicant(applicant_name=row[_APPLICANT], organisation_name=row[_APPLICANT + 1])
        ]
    return {
        "columns": OVERDUE_COLUMNS,
        "rows": rows,
        "procedures": {str(pk): name for pk, name in late.procedures.items()},
        "officers": {str(pk): name for pk, name in officers.items()},
    }


def _previous(*, agency, week_start: date, calendar) -> dict:
    """Last week's figures for the change: its latest snapshot if there is one (the figures as
    they were reported), else computed now by the same rules."""
    monday = week_start - timedelta(days=7)
    # Only the parts needed (not its late list): JSON keys extracted by the database.
    report = (
        WeeklyReport.objects.filter(agency=agency, week_start=monday)
        .order_by("-revision")
        .values(
            "pk",
            totals=KeyTransform("totals", "figures"),
            by_procedure=KeyTransform("by_procedure", "figures"),
            by_officer=KeyTransform("by_officer", "figures"),
        )
        .first()
    )
    if report is not None and report["totals"] is not None:
        return {
            "source": "snapshot",
            "report_id": report["pk"],
            "totals": report["totals"],
            "by_procedure": report["by_procedure"] or [],
            "by_officer": report["by_officer"] or [],
        }
    start, end = reporting.week_bounds(monday, calendar)
    breakdown = reporting.period_breakdown(
        agency_id=agency.pk, start=start, end=end, calendar=calendar
    )
    return {
        "source": "computed",
        "report_id": None,
        "totals": breakdown.totals.as_dict(),
        "by_procedure": _groups(breakdown.by_procedure),
        "by_officer": _groups(breakdown.by_officer),
    }


def weekly_report_snapshot(
    *, agency, week_start: date, calendar: WorkingCalendar, explanations_requested: int = 0
) -> dict:
    """The frozen figures of one agency's week (SNAPSHOT_VERSION), the late list under
    "overdue" (stored apart: WeeklyReport.late_list). Reads only, a handful of queries whatever
    the number of dossiers: the week's grouped counts, which also yield its late dossiers, what
    the list shows of those (with their explanations), the labels, and last week's snapshot.
    `explanations_requested`: how many the build asked for first."""
    start, end = reporting.week_bounds(week_start, calendar)
    breakdown = reporting.period_breakdown(
        agency_id=agency.pk, start=start, end=end, calendar=calendar, with_late_list=True
    )
    by_officer = _groups(breakdown.by_officer)
    # Every late dossier is in the week: its officer has a group (labels: no query).
    names = {group["id"]: group["label"] for group in by_officer}
    officer_column = reporting.LATE_COLUMNS.index("officer_id")
    late_officers = {row[officer_column] for row in breakdown.late.rows}
    return {
        "version": SNAPSHOT_VERSION,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "totals": breakdown.totals.as_dict(),
        "ratios": _ratios(breakdown.totals),
        "previous": _previous(agency=agency, week_start=week_start, calendar=calendar),
        "by_procedure": _groups(breakdown.by_procedure),
        "by_officer": by_officer,
        "cells": [
            {"procedure_id": procedure_id, "officer_id": officer_id, "figures": f.as_dict()}
            for procedure_id, officer_id, f in breakdown.cells
        ],
        "overdue": _overdue(
            breakdown.late, officers={pk: names.get(pk, "") for pk in late_officers}
        ),
        "explanations_requested": explanations_requested,
    }


def _file_name(agency, week_start: date, revision: int, extension: str) -> str:
    safe_code = agency.code.replace(".", "-")
    return f"bao-cao-tuan_{safe_code}_{week_start:%Y-%m-%d}_r{revision}.{extension}"


def _latest(agency, week_start: date) -> WeeklyReport | None:
    """The week's latest revision, without its figures (loaded only if read)."""
    return (
        WeeklyReport.objects.filter(agency=agency, week_start=week_start)
        .defer("figures", "late_list")
        .order_by("-revision")
        .first()
    )


def weekly_report_build(
    *,
    agency,
    week_start: date | None = None,
    trigger: str,
    user=None,
    now: datetime | None = None,
    request_explanations: bool = False,
    with_files: bool = True,
    email: bool = False,
) -> WeeklyReport:
    """Build and freeze the weekly report of `agency` for the week starting `week_start`
    (default: the last week that is over).

    - `trigger`: ReportTrigger. BEAT returns the week's existing report if there is one;
      COMMAND and BUTTON always make a new revision. BUTTON needs a `user` with
      `reports.build_weeklyreport` in that agency.
    - Reads only the explanations' states: every late dossier is listed with its explanation,
      or as "not requested yet". Asking for them is the morning job's (dossiers.tasks, 07:30
      on working days and 06:45 on Mondays, just before the 07:00 report), so the Monday build
      does not scan the agency's dossiers for it. `request_explanations` asks first
      (idempotent; emails go out on commit): the command and the button do, since a report
      built by hand should not wait for the next morning to show who was asked.
    - Writes the row in one transaction with the agency row locked, so concurrent builds of
      one agency get consecutive revisions.
    - The Excel and PDF files are rendered after the commit by a Celery task
      (`weekly_report_files`; the page says "files being prepared" until they exist), then,
      with `email`, the report is emailed to the leaders (`weekly_report_deliver`): the email
      always carries both files. `with_files=False` queues nothing (benchmarks); the page
      works without files.
    Raises ApplicationError for a week that is not a Monday or not over yet.
    """
    if trigger not in ReportTrigger.values:
        raise ValueError(f"unknown trigger {trigger!r}")
    if trigger == ReportTrigger.BUTTON and (
        user is None or not user.has_perm(BUILD_PERMISSION) or report_agency_id(user) != agency.pk
    ):
        raise ApplicationError(_("You may not build the weekly report."))
    now = now or timezone.now()
    calendar = get_calendar()
    week_start = week_start or last_complete_week(now, calendar)
    _check_week(week_start, now=now, calendar=calendar)
    if trigger == ReportTrigger.BEAT and (existing := _latest(agency, week_start)):
        if with_files:
            weekly_report_publish(report=existing, email=email)
        return existing
    requested = (
        explanation_request_overdue(agency_id=agency.pk, now=now) if request_explanations else 0
    )
    figures = weekly_report_snapshot(
        agency=agency, week_start=week_start, calendar=calendar, explanations_requested=requested
    )
    late_list = json.dumps(figures.pop("overdue"), separators=(",", ":"))
    start, end = reporting.week_bounds(week_start, calendar)
    try:
        with transaction.atomic():
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
            latest = _latest(agency, week_start)
            if trigger == ReportTrigger.BEAT and latest is not None:
                report = latest
            else:
                report = WeeklyReport.objects.create(
                    agency=agency,
                    week_start=week_start,
                    revision=(latest.revision + 1) if latest else 1,
                    period_start=start,
                    period_end=end,
                    built_at=now,
                    built_by=user,
                    trigger=trigger,
                    figures=figures,
                    late_list=late_list,
                )
                logger.info(
                    "weekly report %s built (%s, revision %s)",
                    report.pk,
                    week_start,
                    report.revision,
                )
            if with_files:
                weekly_report_publish(report=report, email=email)
    except IntegrityError:
        # Another process built the same revision at the same moment (no agency row lock on
        # SQLite): the beat reuses it, a person is asked to try again.
        existing = _latest(agency, week_start)
        if trigger == ReportTrigger.BEAT and existing is not None:
            if with_files:
                weekly_report_publish(report=existing, email=email)
            return existing
        raise ApplicationError(
            _("The report of this week was being built by someone else; try again.")
        ) from None
    return report


def files_ready(report: WeeklyReport) -> bool:
    """Whether both files of `report` exist (else they are being prepared)."""
    return bool(report.xlsx_file) and bool(report.pdf_file)


def weekly_report_publish(*, report: WeeklyReport, email: bool = False) -> None:
    """After the current transaction commits: render the files of `report` if it has none yet
    (Celery task `reports.build_weekly_report_files`), then, with `email`, email it. A report
    whose files exist is emailed at once (weekly_report_deliver). Idempotent."""
    if files_ready(report):
        if email:
            weekly_report_deliver(report=report)
        return
    report_id = report.pk

    def dispatch():
        from . import tasks  # tasks import this module

        try:
            tasks.build_weekly_report_files.delay(report_id, deliver=email)
        except Exception:  # broker down: the page says so; the next beat run queues it again
            logger.exception("files of weekly report %s not queued", report_id)

    transaction.on_commit(dispatch)


def weekly_report_files(*, report_id: int, deliver: bool = False) -> WeeklyReport | None:
    """Render the Excel and PDF files of a saved report from its frozen figures, then, with
    `deliver`, email it (the Celery task queued by weekly_report_publish).

    Idempotent: the row is locked while rendering, so a doubled or retried task waits and then
    finds the files there; files are never rendered twice nor changed afterwards. Returns the
    report, or None if it does not exist.
    """
    with transaction.atomic():
        report = (
            WeeklyReport.objects.select_for_update()
            .select_related("agency")
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            return None
        if not files_ready(report):
            _attach_files(report)
            report.save(update_fields=["xlsx_file", "pdf_file"])
            logger.info("weekly report %s: files ready", report.pk)
    if deliver:
        weekly_report_deliver(report=report)
    return report


def _attach_files(report: WeeklyReport) -> None:
    """Render the Excel and PDF files of a report from its own snapshot, in the office's
    language (they are official documents, whoever pressed the button)."""
    with translation.override(settings.LANGUAGE_CODE):
        view = snapshot_view(report, agency_name=report.agency.name)
        report.xlsx_file.save(
            _file_name(report.agency, report.week_start, report.revision, "xlsx"),
            ContentFile(exports.weekly_report_xlsx(view)),
            save=False,
        )
        report.pdf_file.save(
            _file_name(report.agency, report.week_start, report.revision, "pdf"),
            ContentFile(exports.weekly_report_pdf(view)),
            save=False,
        )


# --- emailing ----------------------------------------------------------------------------------
def weekly_report_recipients(*, agency) -> list[tuple[object | None, str]]:
    """(user or None, address) for the report of `agency`: active staff of the agency with
    `reports.view_agency_figures` (by role or directly) and an email address, then
    REPORTS_WEEKLY_EXTRA_RECIPIENTS. One query; each address once."""
    app_label, codename = AGENCY_PERMISSION.split(".")
    permission = Permission.objects.filter(codename=codename, content_type__app_label=app_label)
    users = (
        get_user_model()
        .objects.filter(department__agency=agency, is_active=True)
        .exclude(email="")
        .filter(
            Exists(permission.filter(group__user=OuterRef("pk")))
            | Exists(permission.filter(user=OuterRef("pk")))
            | Q(is_superuser=True)
        )
        .order_by("last_name", "first_name", "pk")
    )
    seen: set[str] = set()
    out: list[tuple[object | None, str]] = []
    for user in users:
        address = user.email.strip().lower()
        if address not in seen:
            seen.add(address)
            out.append((user, user.email.strip()))
    for address in settings.REPORTS_WEEKLY_EXTRA_RECIPIENTS:
        address = address.strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append((None, address))
    return out


@transaction.atomic
def weekly_report_deliver(*, report: WeeklyReport) -> list[WeeklyReportDelivery]:
    """Create the delivery rows of `report` (one per address, never twice: the unique
    constraint) and, after commit, queue the sending of those not done yet. Idempotent.

    The email carries both files: a report whose files are not there yet gets no rows now;
    its files are rendered first and it is delivered then (weekly_report_publish)."""
    if not files_ready(report):
        weekly_report_publish(report=report, email=True)
        return []
    rows = []
    for user, address in weekly_report_recipients(agency=report.agency):
        delivery, _created = WeeklyReportDelivery.objects.get_or_create(
            report=report, email=address, defaults={"recipient": user}
        )
        rows.append(delivery)
    pending = [d.pk for d in rows if d.status == DeliveryStatus.PENDING]

    def dispatch():
        from . import tasks  # tasks import this module

        for pk in pending:
            try:
                tasks.send_weekly_report_delivery.delay(pk)
            except Exception:  # broker down: the row stays pending, the next run sends it
                logger.exception("weekly report delivery %s not queued", pk)

    transaction.on_commit(dispatch)
    return rows


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: int | None = None


def _email_content(report: WeeklyReport) -> tuple[str, str, str]:
    """Subject, text and HTML of the report email, in the office's language."""
    with translation.override(settings.LANGUAGE_CODE):
        view = snapshot_view(report, agency_name=report.agency.name)
        context = {
            "view": view,
            "url": settings.PUBLIC_BASE_URL.rstrip("/") + report.get_absolute_url(),
        }
        subject = render_to_string("reports/weekly_email_subject.txt", context)
        text = render_to_string("reports/weekly_email_body.txt", context)
        html = render_to_string("reports/weekly_email_body.html", context)
    return " ".join(subject.split()), text, html


def _files(report: WeeklyReport) -> list[NoticeFile]:
    files = []
    for field, mimetype in (
        (report.xlsx_file, exports.XLSX_CONTENT_TYPE),
        (report.pdf_file, "application/pdf"),
    ):
        if field:
            with field.open("rb") as handle:
                files.append(
                    NoticeFile(
                        filename=field.name.rsplit("/", 1)[-1],
                        content=handle.read(),
                        mimetype=mimetype,
                    )
                )
    return files


def _retry_delay(attempts: int) -> int:
    base = settings.REPORTS_WEEKLY_EMAIL_RETRY_SECONDS
    return min(3600, base * 2 ** max(0, attempts - 1))


def weekly_report_send(*, delivery_id: int, can_retry: bool = True) -> SendOutcome:
    """Email one delivery (the report with its Excel and PDF attached), at most once.

    The row is the lock (ADR 0003): locked, skipped if already sent or failed, marked
    `sending` (+1 attempt) and committed BEFORE the mail server is called; the outcome is
    written only if the row is still in that attempt. A transient error (server unreachable,
    4xx) goes back to pending and is retried with back-off up to
    REPORTS_WEEKLY_EMAIL_MAX_ATTEMPTS; a permanent one, or an uncertain one (connection lost
    mid-send, or a `sending` row whose worker died), fails with the reason: never sent twice.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.REPORTS_WEEKLY_EMAIL_LEASE_SECONDS)
    with transaction.atomic():
        delivery = (
            WeeklyReportDelivery.objects.select_for_update()
            .select_related("report__agency")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
            return SendOutcome(delivery.status if delivery else DeliveryStatus.FAILED)
        if delivery.status == DeliveryStatus.SENDING:
            if delivery.sending_since and delivery.sending_since > now - lease:
                return SendOutcome(DeliveryStatus.SENDING)  # someone is sending it now
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = _(
                "The sending was interrupted; the email may or may not have been delivered."
            )
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            return SendOutcome(delivery.status)
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.sending_since = now
        delivery.save(update_fields=["status", "attempts", "sending_since", "updated_at"])
    attempt = delivery.attempts
    report = delivery.report
    fields = {"sending_since": None, "updated_at": timezone.now()}
    retry_in = None
    try:
        subject, text, html = _email_content(report)
        result = send_email(
            recipient=delivery.email,
            subject=subject,
            text=text,
            html=html,
            reference=f"weekly-report-{report.pk}-{delivery.pk}",
            files=_files(report),
        )
    except TransientError as error:
        fields["last_error"] = error.reason
        if can_retry and attempt < settings.REPORTS_WEEKLY_EMAIL_MAX_ATTEMPTS:
            retry_in = _retry_delay(attempt)
            fields["status"] = DeliveryStatus.PENDING
            fields["next_attempt_at"] = timezone.now() + timedelta(seconds=retry_in)
        else:
            fields["status"] = DeliveryStatus.FAILED
    except (PermanentError, UncertainError) as error:
        fields.update(status=DeliveryStatus.FAILED, last_error=error.reason)
    except OSError as error:  # the stored files cannot be read
        fields.update(status=DeliveryStatus.FAILED, last_error=str(error)[:500])
    else:
        fields.update(
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            message_id=result.provider_id,
            last_error="",
            next_attempt_at=None,
        )
    WeeklyReportDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=attempt
    ).update(**fields)
    return SendOutcome(fields["status"], retry_in)


# --- every agency (beat task, command) ---------------------------------------------------------
@dataclass(frozen=True)
class BuildResult:
    agency: Agency
    report: WeeklyReport | None
    error: str = ""


def weekly_reports_build_all(
    *,
    trigger: str,
    agencies=None,
    week_start: date | None = None,
    email: bool = True,
    now: datetime | None = None,
    request_explanations: bool = False,
) -> list[BuildResult]:
    """Build the weekly report of each agency (default: all); its files follow (a Celery
    task) and, with `email`, its emailing once they exist. `request_explanations`: see
    weekly_report_build. An agency whose build fails is logged and reported; the others go
    on."""
    results = []
    for agency in agencies if agencies is not None else Agency.objects.order_by("pk"):
        try:
            report = weekly_report_build(
                agency=agency,
                week_start=week_start,
                trigger=trigger,
                now=now,
                request_explanations=request_explanations,
                email=email,
            )
        except ApplicationError as error:
            results.append(BuildResult(agency=agency, report=None, error=str(error)))
            continue
        except Exception as error:
            logger.exception("weekly report of agency %s failed", agency.pk)
            results.append(BuildResult(agency=agency, report=None, error=str(error)[:500]))
            continue
        results.append(BuildResult(agency=agency, report=report))
    return results

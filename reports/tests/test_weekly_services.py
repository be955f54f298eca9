"""Building, freezing and emailing the weekly late-dossier report (reports.services)."""

from __future__ import annotations

import io
import smtplib
from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import TestCase
from openpyxl import load_workbook

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from core.exceptions import ApplicationError
from dossiers import services as dossier_services
from dossiers import tasks as dossier_tasks
from dossiers.models import DossierExplanation
from dossiers.tests.factories import staff
from reports import services
from reports.constants import DeliveryStatus, ReportTrigger
from reports.models import WeeklyReport, WeeklyReportDelivery
from reports.selectors import snapshot_view
from reports.tests.weekly_data import (
    BUILD_AT,
    PREVIOUS_WEEK,
    WEEK,
    act,
    at,
)

pytestmark = pytest.mark.django_db


def build(agency, trigger=ReportTrigger.BEAT, moment=BUILD_AT, **kwargs):
    """Build as in production: the snapshot, then, after the commit, its files (the Celery task
    runs at once without a broker)."""
    with (
        time_machine.travel(moment, tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        report = services.weekly_report_build(agency=agency, trigger=trigger, **kwargs)
    report.refresh_from_db()
    return report


def late_rows(report):
    """The late list as the page shows it (selectors.OverdueRow)."""
    return snapshot_view(report, agency_name="").overdue


def test_mask_name():
    assert services.mask_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert services.mask_name("  Lê   Thị Hoa ") == "Lê T. H."
    assert services.mask_name("Madonna") == "Madonna"
    assert services.mask_name("") == ""
    assert services.mask_applicant(applicant_name="Trần Văn B", organisation_name="Công ty X") == (
        "Công ty X"
    )


def test_the_report_of_last_week(agency, office, fortnight):
    report = build(agency)
    assert (report.week_start, report.revision, report.trigger) == (WEEK, 1, ReportTrigger.BEAT)
    assert report.period_start == at(2026, 4, 27) and report.period_end == at(2026, 5, 4)
    figures = report.figures
    assert figures["totals"] == {
        "received": 1,
        "received_online": 1,
        "resolved_early": 1,
        "resolved_on_time": 0,
        "resolved_late": 1,
        "open_on_time": 2,
        "open_overdue": 1,
        "due_soon_without_apology": 1,
        "apologies_issued": 0,
        "finished": 2,
        "finished_with_e_result": 0,
        "digitised": 0,
        # counted 5, on time 3
    }
    assert figures["ratios"]["on_time_rate"] == 0.6
    assert figures["ratios"]["online_share"] == 1.0
    assert figures["ratios"]["e_result_share"] == 0.0
    # Last week (20-26/4): "prev_late" resolved late on 21/4; three open, one of them overdue.
    previous = figures["previous"]
    assert previous["source"] == "computed"
    assert previous["totals"]["resolved_late"] == 1
    assert previous["totals"]["received"] == 4

    late_open, late_resolved = late_rows(report)
    assert late_open.code == fortnight["late_open"].code
    assert late_open.is_open is True
    assert late_open.applicant == "Trần V. Q."  # masked
    assert late_open.officer == str(office["hoa"])
    assert late_open.working_days_late == 4  # due Thu 23/4: Fri 24, Tue 28, Wed 29, Mon 4/5
    assert late_open.apology_at is None
    assert late_open.explanation.status == "submitted"
    assert late_open.explanation.reason_category == "waiting_other_agency"
    assert "Công an phường" in late_open.explanation.text
    assert late_resolved.code == fortnight["late_resolved"].code
    assert late_resolved.is_open is False
    assert late_resolved.procedure == "Đăng ký tổ chức lễ hội"
    assert late_resolved.apology_at == at(2026, 4, 22, 9)
    assert late_resolved.rescheduled_due_at == at(2026, 5, 8, 17)
    # The build only reads the explanations: asking is the morning job's. No job has run
    # since the dossier was resolved late on Wednesday 29/4, so it is "not requested yet".
    assert late_resolved.explanation is None
    assert figures["explanations_requested"] == 0
    assert not DossierExplanation.objects.filter(dossier=fortnight["late_resolved"]).exists()

    labels = {group["label"] for group in figures["by_procedure"]}
    assert labels == {"Cấp Giấy phép karaoke", "Đăng ký tổ chức lễ hội"}
    officers = {group["id"]: group["figures"] for group in figures["by_officer"]}
    assert officers[office["hoa"].pk]["open_overdue"] == 1
    assert officers[office["desk"].pk]["received"] == 1  # "new" is not assigned yet
    assert sum(cell["figures"]["open_overdue"] for cell in figures["cells"]) == 1


def test_the_monday_job_asks_before_the_report_and_the_button_asks_itself(
    agency, office, fortnight, django_capture_on_commit_callbacks
):
    # Monday 4/5 06:45 (CELERY_BEAT_SCHEDULE): the morning job asks, then the 07:00 report.
    with (
        time_machine.travel(at(2026, 5, 4, 6, 45), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert dossier_tasks.request_overdue_explanations.apply().get() == 1
    _late_open, late_resolved = late_rows(build(agency))
    assert late_resolved.explanation.status == "requested"
    assert late_resolved.explanation.explain_by == at(2026, 5, 6, 17)  # 2 working days
    # "Build now" asks first itself (here: nothing left to ask).
    DossierExplanation.objects.filter(dossier=fortnight["late_resolved"]).delete()
    report = build(agency, ReportTrigger.BUTTON, user=office["boss"], request_explanations=True)
    assert report.figures["explanations_requested"] == 1
    assert late_rows(report)[1].explanation.status == "requested"


def test_the_snapshot_is_saved_first_and_its_files_follow(
    agency, office, fortnight, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(BUILD_AT, tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        report = services.weekly_report_build(agency=agency, trigger=ReportTrigger.BEAT)
        # Emailing a report whose files are not there yet queues nothing more than its files.
        assert services.weekly_report_deliver(report=report) == []
    assert not services.files_ready(report) and report.figures["totals"]["open_overdue"] == 1
    assert len(callbacks) == 2  # the files task, twice (the second one finds them ready)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    report.refresh_from_db()
    assert services.files_ready(report)
    names = (report.xlsx_file.name, report.pdf_file.name)
    assert services.weekly_report_files(report_id=report.pk).pdf_file.name == names[1]
    assert WeeklyReportDelivery.objects.count() == 1  # the second task delivered, once
    assert len(mail.outbox) == 1 and len(mail.outbox[0].attachments) == 2


def test_the_files_hold_the_same_figures(agency, office, fortnight):
    report = build(agency)
    with report.xlsx_file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == ["Tổng hợp", "Hồ sơ trễ hạn", "Theo thủ tục", "Theo cán bộ"]
    late_codes = [row[0] for row in workbook["Hồ sơ trễ hạn"].iter_rows(values_only=True)]
    assert fortnight["late_open"].code in late_codes
    summary = [row for row in workbook["Tổng hợp"].iter_rows(values_only=True) if row[0]]
    assert any(row[1] == 1 and "quá hạn" in str(row[0]) for row in summary)
    with report.pdf_file.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert report.xlsx_file.name.endswith(f"_{WEEK:%Y-%m-%d}_r1.xlsx")


def test_a_snapshot_never_changes_and_a_rebuild_is_a_new_revision(agency, office, fortnight):
    first = build(agency)
    frozen, frozen_late = first.figures, first.late_list
    # Later: the overdue dossier is resolved, the leader accepts the explanation.
    act(
        at(2026, 5, 5, 9),
        dossier_services.dossier_resolve,
        fortnight["late_open"],
        user=office["hoa"],
    )
    explanation = DossierExplanation.objects.get(dossier=fortnight["late_open"])
    with time_machine.travel(at(2026, 5, 5, 10), tick=False):
        dossier_services.explanation_accept(explanation=explanation, user=office["boss"])
    first.refresh_from_db()
    assert first.figures == frozen
    # The beat does not build the week again.
    assert build(agency, moment=at(2026, 5, 5, 11)).pk == first.pk
    # A person does: a new revision, the same figures, the explanation as it stands now.
    second = build(
        agency, trigger=ReportTrigger.BUTTON, user=office["boss"], moment=at(2026, 5, 5, 11)
    )
    assert (second.week_start, second.revision, second.built_by) == (WEEK, 2, office["boss"])
    assert second.figures["totals"] == frozen["totals"]
    assert late_rows(second)[0].explanation.status == "accepted"
    assert late_rows(first)[0].explanation.status == "submitted"
    assert first.late_list == frozen_late


def test_last_week_comes_from_its_snapshot_when_there_is_one(agency, office, fortnight):
    previous = build(agency, trigger=ReportTrigger.COMMAND, week_start=PREVIOUS_WEEK)
    report = build(agency)
    assert report.figures["previous"]["source"] == "snapshot"
    assert report.figures["previous"]["report_id"] == previous.pk
    assert report.figures["previous"]["totals"] == previous.figures["totals"]


@pytest.mark.parametrize(
    ("week_start", "message"),
    [
        (at(2026, 4, 28).date(), "not a Monday"),
        (at(2026, 5, 4).date(), "not over yet"),
    ],
)
def test_weeks_that_cannot_be_built(agency, office, week_start, message):
    with pytest.raises(ApplicationError) as error:
        build(agency, trigger=ReportTrigger.COMMAND, week_start=week_start)
    assert str(error.value)  # a sentence for the user, in Vietnamese
    assert WeeklyReport.objects.count() == 0


def test_the_button_needs_the_permission_and_the_agency(agency, office, fortnight):
    with pytest.raises(ApplicationError):
        build(agency, trigger=ReportTrigger.BUTTON, user=office["hoa"])
    other_leader = staff(AgencyFactory(code="000.00.21.H32"), Role.LEADER)
    with pytest.raises(ApplicationError):
        build(agency, trigger=ReportTrigger.BUTTON, user=other_leader)
    with pytest.raises(ApplicationError):
        build(agency, trigger=ReportTrigger.BUTTON)
    assert WeeklyReport.objects.count() == 0


# --- email ---------------------------------------------------------------------------------------
def test_recipients_are_the_leaders_with_an_address_and_the_extra_ones(
    agency, office, administrator, settings
):
    administrator.email = "quantri@example.gov.vn"
    administrator.save()
    staff(agency, Role.LEADER, email="")  # no address: left out
    other = staff(AgencyFactory(code="000.00.21.H32"), Role.LEADER, email="khac@example.gov.vn")
    settings.REPORTS_WEEKLY_EXTRA_RECIPIENTS = ["motcua@example.gov.vn", "LANHDAO@example.gov.vn"]
    recipients = services.weekly_report_recipients(agency=agency)
    addresses = [address for _user, address in recipients]
    assert sorted(addresses) == sorted(
        ["lanhdao@example.gov.vn", "quantri@example.gov.vn", "motcua@example.gov.vn"]
    )
    assert other.email not in addresses
    assert office["hoa"].email not in addresses  # specialists get their own page, not the email


def test_the_email_has_both_files_and_is_sent_once(
    agency, office, fortnight, django_capture_on_commit_callbacks
):
    report = build(agency)
    with django_capture_on_commit_callbacks(execute=True):
        services.weekly_report_deliver(report=report)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lanhdao@example.gov.vn"]
    assert "27/04/2026 – 03/05/2026" in message.subject
    assert f"/can-bo/bao-cao-tuan/{report.pk}/" in message.body
    names = [name for name, _content, _type in message.attachments]
    assert names == [
        report.xlsx_file.name.rsplit("/", 1)[-1],
        report.pdf_file.name.rsplit("/", 1)[-1],
    ]
    types = [mimetype for _name, _content, mimetype in message.attachments]
    assert types == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
    ]
    assert message.attachments[1][1].startswith(b"%PDF")
    delivery = WeeklyReportDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.recipient) == (
        DeliveryStatus.SENT,
        1,
        office["boss"],
    )
    # Delivering again (a second beat, a retried task) sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.weekly_report_deliver(report=report)
    assert services.weekly_report_send(delivery_id=delivery.pk).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    assert WeeklyReportDelivery.objects.count() == 1


class RefusingBackend(BaseEmailBackend):
    """A mail server that answers with the error set on the class."""

    error: Exception = smtplib.SMTPServerDisconnected("lost")

    def send_messages(self, email_messages):
        raise self.error


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = "reports.tests.test_weekly_services.RefusingBackend"
    return RefusingBackend


@pytest.mark.parametrize(
    ("error", "status", "retry"),
    [
        (smtplib.SMTPConnectError(421, "busy"), DeliveryStatus.PENDING, True),
        (smtplib.SMTPResponseException(451, "try later"), DeliveryStatus.PENDING, True),
        (smtplib.SMTPResponseException(550, "no such user"), DeliveryStatus.FAILED, False),
        (smtplib.SMTPServerDisconnected("lost"), DeliveryStatus.FAILED, False),
    ],
)
def test_failed_sends_are_recorded_and_retried_only_when_safe(
    agency, office, fortnight, failing_mail, error, status, retry
):
    failing_mail.error = error
    report = build(agency)
    delivery = WeeklyReportDelivery.objects.create(report=report, email="lanhdao@example.gov.vn")
    outcome = services.weekly_report_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (status, 1)
    assert delivery.last_error
    assert (outcome.retry_in is not None) == retry


def test_transient_errors_stop_after_the_last_attempt(
    agency, office, fortnight, failing_mail, settings
):
    failing_mail.error = smtplib.SMTPConnectError(421, "busy")
    settings.REPORTS_WEEKLY_EMAIL_MAX_ATTEMPTS = 2
    report = build(agency)
    delivery = WeeklyReportDelivery.objects.create(report=report, email="lanhdao@example.gov.vn")
    first = services.weekly_report_send(delivery_id=delivery.pk)
    second = services.weekly_report_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert first.retry_in == 300 and second.retry_in is None
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)


def test_a_send_interrupted_mid_way_is_never_repeated(agency, office, fortnight):
    report = build(agency)
    delivery = WeeklyReportDelivery.objects.create(
        report=report,
        email="lanhdao@example.gov.vn",
        status=DeliveryStatus.SENDING,
        attempts=1,
        sending_since=at(2026, 5, 4, 7, 1),
    )
    with time_machine.travel(at(2026, 5, 4, 7, 2), tick=False):  # within the lease: busy
        assert services.weekly_report_send(delivery_id=delivery.pk).status == "sending"
    with time_machine.travel(at(2026, 5, 4, 7, 1) + timedelta(hours=1), tick=False):
        assert services.weekly_report_send(delivery_id=delivery.pk).status == "failed"
    delivery.refresh_from_db()
    assert "may or may not" in delivery.last_error or delivery.last_error
    assert mail.outbox == []


def test_build_all_goes_on_when_one_agency_fails(
    agency, office, fortnight, monkeypatch, django_capture_on_commit_callbacks
):
    broken = AgencyFactory(code="000.00.21.H32", name="Phòng VH&TT Ninh Hòa")
    real = services.weekly_report_snapshot

    def snapshot(*, agency, **kwargs):
        if agency.pk == broken.pk:
            raise RuntimeError("disk full")
        return real(agency=agency, **kwargs)

    monkeypatch.setattr(services, "weekly_report_snapshot", snapshot)
    with (
        time_machine.travel(BUILD_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        results = services.weekly_reports_build_all(trigger=ReportTrigger.BEAT, email=True)
    by_agency = {result.agency.pk: result for result in results}
    assert by_agency[broken.pk].report is None and "disk full" in by_agency[broken.pk].error
    assert by_agency[agency.pk].report.week_start == WEEK
    assert len(mail.outbox) == 1  # our leader was emailed all the same


def test_a_version_1_snapshot_reads_as_before(agency, office, fortnight):
    """Snapshots built before version 2 kept their late list inside the figures, as objects."""
    report = build(agency)
    rows = late_rows(report)
    report.figures["version"] = 1
    report.figures["overdue"] = [
        {
            "dossier_id": row.dossier_id,
            "code": row.code,
            "procedure": row.procedure,
            "applicant": row.applicant,
            "received_at": row.received_at.isoformat(),
            "original_due_at": row.original_due_at.isoformat(),
            "due_at": row.due_at.isoformat(),
            "rescheduled_due_at": row.rescheduled_due_at and row.rescheduled_due_at.isoformat(),
            "finished_at": row.finished_at and row.finished_at.isoformat(),
            "working_days_late": row.working_days_late,
            "is_open": row.is_open,
            "is_paused": row.is_paused,
            "multiple_supplements": row.multiple_supplements,
            "step": row.step,
            "officer_id": row.officer_id,
            "officer": row.officer,
            "apology_at": row.apology_at and row.apology_at.isoformat(),
            "explanation": row.explanation
            and {"status": row.explanation.status, "text": row.explanation.text},
        }
        for row in rows
    ]
    report.late_list = ""
    report.save()
    blank = {"reason_category": "", "remedy": "", "submitted_at": None, "explain_by": None}
    assert late_rows(report) == [
        replace(row, explanation=row.explanation and replace(row.explanation, **blank))
        for row in rows
    ]

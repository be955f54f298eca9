"""The Monday 07:00 beat job, its Celery task and the `build_weekly_report` command."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command

from nhatrang_portal.celery import app
from reports import tasks
from reports.models import WeeklyReport, WeeklyReportDelivery
from reports.tests.weekly_data import BUILD_AT, PREVIOUS_WEEK, WEEK, at

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_beat_runs_the_report_every_monday_at_seven_in_nha_trang():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-late-dossier-report"]
    assert entry["task"] == "reports.build_weekly_reports"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert (schedule.minute, schedule.hour, schedule.day_of_week) == ({0}, {7}, {1})
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
    assert "reports.build_weekly_reports" in app.tasks
    assert "reports.send_weekly_report_delivery" in app.tasks
    # Sunday 23:00 in Nha Trang: the next run is in 8 hours (Monday 07:00 local, 00:00 UTC).
    schedule = crontab(minute=0, hour=7, day_of_week="mon", app=app)
    schedule.tz = VN
    sunday_night = datetime(2026, 5, 3, 23, 0, tzinfo=VN)
    with time_machine.travel(sunday_night, tick=False):
        due, remaining = schedule.is_due(datetime(2026, 4, 27, 7, 0, tzinfo=VN))
    assert not due and round(remaining / 3600) == 8


def test_explanations_are_asked_for_just_before_the_monday_report():
    entry = settings.CELERY_BEAT_SCHEDULE["request-overdue-explanations-before-weekly-report"]
    assert entry["task"] == "dossiers.request_overdue_explanations"
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour, schedule.day_of_week) == ({45}, {6}, {1})
    assert "dossiers.request_overdue_explanations" in app.tasks
    assert "reports.build_weekly_report_files" in app.tasks


@pytest.mark.django_db
def test_the_monday_task_builds_and_emails_once(
    agency, office, fortnight, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(BUILD_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = tasks.build_weekly_reports.apply().get()
    with (
        time_machine.travel(at(2026, 5, 4, 7, 5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        again = tasks.build_weekly_reports.apply().get()  # a doubled or retried run
    assert first == again and len(first) == 1
    report = WeeklyReport.objects.get()
    assert (report.week_start, report.trigger) == (WEEK, "beat")
    assert len(mail.outbox) == 1
    assert len(mail.outbox[0].attachments) == 2
    assert WeeklyReportDelivery.objects.get().status == "sent"


@pytest.mark.django_db
def test_the_command(agency, office, fortnight, django_capture_on_commit_callbacks):
    out = StringIO()
    with (
        time_machine.travel(BUILD_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("build_weekly_report", "--no-email", stdout=out)
        call_command(
            "build_weekly_report", "--week", "2026-04-22", "--agency", agency.code, stdout=out
        )
        call_command("build_weekly_report", "--agency", agency.code, stdout=out)
    text = out.getvalue()
    assert f"{agency.code}: week of 27/04/2026, revision 1" in text
    assert f"{agency.code}: week of 20/04/2026, revision 1" in text  # 22/4 is in that week
    assert f"{agency.code}: week of 27/04/2026, revision 2" in text
    weeks = sorted(WeeklyReport.objects.values_list("week_start", "revision", "trigger"))
    assert weeks == [(PREVIOUS_WEEK, 1, "command"), (WEEK, 1, "command"), (WEEK, 2, "command")]
    assert WeeklyReport.objects.get(week_start=WEEK, revision=1).deliveries.count() == 0
    assert len(mail.outbox) == 2  # the two reports built with email


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "04/05/2026"], "is not a date"),
        (["--agency", "999.99.99.X99"], "No agency"),
        (["--week", "2026-05-04"], "Some reports were not built"),
    ],
)
def test_the_command_refuses_bad_input(agency, office, args, message):
    with time_machine.travel(BUILD_AT, tick=False), pytest.raises(CommandError) as error:
        call_command("build_weekly_report", *args, stdout=StringIO(), stderr=StringIO())
    assert message in str(error.value)
    assert WeeklyReport.objects.count() == 0

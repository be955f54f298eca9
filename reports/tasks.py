"""Celery tasks of the reports app: the Monday weekly report, its files and its emails.

Thin and idempotent (STYLE.md "Celery"): each loads fresh rows and calls one service whose
recorded state makes a second run harmless.
"""

from __future__ import annotations

from celery import shared_task
from django.db import close_old_connections

from .constants import ReportTrigger
from .services import weekly_report_files, weekly_report_send, weekly_reports_build_all


@shared_task(bind=True, name="reports.build_weekly_reports", ignore_result=True)
def build_weekly_reports(self) -> list[int]:
    """Every Monday 07:00 (CELERY_BEAT_SCHEDULE): build last week's report of every agency and
    email it to its leaders. A week already built is not built again, and an address already
    emailed is not emailed again (services.weekly_reports_build_all, trigger "beat")."""
    if not self.request.is_eager:
        close_old_connections()  # a worker keeps its connection between tasks
    results = weekly_reports_build_all(trigger=ReportTrigger.BEAT, email=True)
    return [result.report.pk for result in results if result.report is not None]


@shared_task(
    bind=True, name="reports.build_weekly_report_files", acks_late=True, ignore_result=True
)
def build_weekly_report_files(self, report_id: int, deliver: bool = False) -> bool:
    """After a build commits (services.weekly_report_publish): render the Excel and PDF files
    of report `report_id`, then, with `deliver`, email it to the leaders
    (services.weekly_report_files). Files already there are not rendered again, an address
    already emailed is not emailed again."""
    if not self.request.is_eager:
        close_old_connections()
    return weekly_report_files(report_id=report_id, deliver=deliver) is not None


@shared_task(
    bind=True, name="reports.send_weekly_report_delivery", acks_late=True, ignore_result=True
)
def send_weekly_report_delivery(self, delivery_id: int) -> str:
    """Email one delivery (services.weekly_report_send). A transient error comes back as
    `retry_in`: the task publishes its own retry with that countdown (the service counts the
    attempts). In eager mode (no broker) a transient error fails the delivery at once."""
    if not self.request.is_eager:
        close_old_connections()
    outcome = weekly_report_send(delivery_id=delivery_id, can_retry=not self.request.is_eager)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.status

"""Celery tasks of the dossiers app: explanations of late dossiers (giải trình).

Thin and idempotent (STYLE.md "Celery"): each loads fresh rows and calls one function whose
recorded state makes a second run harmless.
"""

from __future__ import annotations

from celery import shared_task
from django.db import close_old_connections
from django.utils import timezone

from core.calendar import get_calendar

from . import services
from .explanation_mail import send_officer_email


@shared_task(bind=True, name="dossiers.request_overdue_explanations", ignore_result=True)
def request_overdue_explanations(self) -> int:
    """Every working morning, and Mondays at 06:45 before the weekly report
    (CELERY_BEAT_SCHEDULE): ask the responsible officers to explain the dossiers that became
    overdue or finished late (services.explanation_request_overdue).

    The beat fires Monday to Saturday; a day that is not a working day in core.calendar (an
    ordinary Saturday, a holiday) does nothing, so deadlines are never set from a day off.
    """
    if not self.request.is_eager:
        close_old_connections()  # a worker keeps its connection between tasks
    now = timezone.now()
    calendar = get_calendar()
    if not calendar.is_working_day(timezone.localtime(now, calendar.tz).date()):
        return 0
    return services.explanation_request_overdue(now=now)


@shared_task(
    name="dossiers.email_explanation_officer",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def email_explanation_officer(*, kind: str, officer_id: int, explanation_ids: list[int]) -> bool:
    """Email an officer the explanations asked of them (kind "requested") or one returned to
    them ("returned"). Queued by the services on commit; SMTP errors (OSError) are retried with
    back-off, five times at most. A repeat after a crash may send the email twice: harmless
    for an internal reminder, and the explanation page is the truth."""
    return send_officer_email(kind=kind, officer_id=officer_id, explanation_ids=explanation_ids)

"""Celery tasks of core: sending notices and the minute job that re-publishes lost ones.

Both take ids or nothing, load fresh rows and call one service (STYLE.md "Celery"); acks late
(settings), so a worker that dies mid-task leaves the message to be delivered again, and the
service's row state makes a second run harmless.
"""

from celery import shared_task
from django.db import close_old_connections

from core.notices.services import notice_redispatch_pending, notice_send


@shared_task(bind=True, name="core.send_notice", acks_late=True, ignore_result=True)
def send_notice(self, notice_id: int) -> str:
    """Send notice `notice_id` (core.notices.services.notice_send).

    A transient error comes back as `retry_in`: the task publishes its own retry with that
    countdown (exponential back-off, capped by the service, which also counts the attempts).
    If that publish fails (broker down) the row stays pending and the beat job takes over.
    In eager mode (no broker, no beat) a transient error fails the notice at once: staff retry.
    """
    if not self.request.is_eager:
        close_old_connections()  # connections are kept between tasks (CELERY_DB_REUSE_MAX)
    outcome = notice_send(notice_id=notice_id, can_retry=not self.request.is_eager)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.status


@shared_task(name="core.redispatch_notices", ignore_result=True)
def redispatch_notices() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): publish the notices nobody is sending."""
    close_old_connections()
    return notice_redispatch_pending()

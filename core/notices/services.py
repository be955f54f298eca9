"""Writes to notices: create, dispatch, send, retry, redispatch, delivery receipts.

The outbox (docs/adr/0003-notice-outbox.md):

1. `notice_create` runs inside the transaction of the event that causes the notice, renders
   it and writes a `pending` row; the row commits or rolls back with the event. One row per
   (event, channel): a unique constraint, not a check-then-insert.
2. On commit, `notice_dispatch` publishes one Celery task per row. A broker that is down is
   logged and swallowed: the row stays pending, the event is not affected.
3. The task calls `notice_send`: lock the row (a guarded UPDATE in the common case); return
   at once if it is sent or failed; mark it `sending` (+1 attempt) and commit; call the
   channel outside any transaction; record sent (an UPDATE guarded by status and attempt), or
   schedule a retry (transient errors, exponential back-off, capped), or fail.
4. Every minute `notice_redispatch_pending` (beat) publishes the pending rows nobody picked up
   and the `sending` rows whose lease expired (a worker died mid-send).

No duplicate: a `sending` row younger than the lease is left alone; an older one was
interrupted after it may have reached the provider, so it is sent again only when the channel
honours the idempotency reference (NOTICE_SMS_HTTP_IDEMPOTENT), otherwise it fails with a
readable reason and staff decide. The lease is longer than any channel's timeout.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.exceptions import ApplicationError
from core.models import Notice
from core.validators import is_mobile

from .email import build_attachment, email_problem, email_timeout, send_email
from .errors import (
    DeliveryError,
    NoticeTemplateError,
    TransientError,
    UncertainError,
)
from .rendering import _record, render_notice
from .sms import get_sms_backend

logger = logging.getLogger("core.notices")

Status = Notice.Status
Channel = Notice.Channel
# A retry message may arrive a little early (clock skew between hosts).
EARLY_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class SendOutcome:
    """What `notice_send` did. `retry_in`: seconds until the next attempt, for the task."""

    status: str
    retry_in: float | None = None
    detail: str = ""


# --- rules ------------------------------------------------------------------------------------
def lease_seconds(channel: str) -> float:
    """How long a `sending` row belongs to the worker that marked it. Always longer than the
    channel's own timeout, so a slow but live send is never taken for a dead one."""
    timeout = settings.NOTICE_SMS_HTTP_TIMEOUT if channel == Channel.SMS else email_timeout()
    return max(float(settings.NOTICE_SEND_LEASE_SECONDS), float(timeout) + 1)


def _lease(channel: str) -> timedelta:
    return timedelta(seconds=lease_seconds(channel))


def retry_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: base · 2^(attempt-1), capped."""
    base = float(settings.NOTICE_RETRY_BASE_SECONDS)
    return min(base * 2 ** max(attempt - 1, 0), float(settings.NOTICE_RETRY_MAX_SECONDS))


def recipient_problem(channel: str, recipient: str) -> str | None:
    """Why `recipient` cannot receive on `channel`, as a readable sentence; None if it can."""
    if channel == Channel.SMS:
        if not is_mobile(recipient):
            return _record(
                gettext_noop("%(number)s is not a mobile number: it cannot receive SMS."),
                number=recipient or "—",
            )
        return None
    return email_problem(recipient)


def _rendered_fields(notice: Notice) -> None:
    stored = notice.context or {}
    rendered = render_notice(
        notice.template_key,
        stored.get("values", {}),
        channel=notice.channel,
        sms_fallback=stored.get("sms_fallback") or None,
    )
    notice.subject = rendered.subject
    notice.body_text = rendered.text
    notice.body_html = rendered.html


# --- create and dispatch ----------------------------------------------------------------------
def notice_create(
    *,
    channel: str,
    recipient: str,
    template_key: str,
    context: dict,
    event_key: str,
    about=None,
    attachments: list[dict] | None = None,
    sms_fallback: dict | None = None,
) -> Notice:
    """Record one notice of an event, inside the event's transaction; dispatch on commit.

    Called by the apps' notice policies (e.g. dossiers.notices). Never raises for bad input:
    a recipient that cannot receive on the channel or a template that fails gives a `failed`
    row with the reason, so the action that caused it still succeeds. The same
    (event_key, channel) returns the row already there. `context` and `sms_fallback` must be
    JSON values (they are stored to render the notice again on retry).
    """
    recipient = (recipient or "").strip()
    now = timezone.now()
    notice = Notice(
        channel=channel,
        recipient=recipient,
        template_key=template_key,
        context={"values": context, "sms_fallback": sms_fallback or {}},
        attachments=attachments or [],
        event_key=event_key,
        next_attempt_at=now,
    )
    if about is not None:
        notice.about_type = ContentType.objects.get_for_model(about)
        notice.about_id = about.pk
    problem = recipient_problem(channel, recipient)
    if problem is None:
        try:
            _rendered_fields(notice)
        except NoticeTemplateError as error:
            problem = error.reason
    if problem is not None:
        notice.status = Status.FAILED
        notice.failed_at = now
        notice.next_attempt_at = None
        notice.last_error = problem
        logger.warning("Notice for %s not sent: %s", event_key, problem)
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not break the caller
            notice.save(force_insert=True)
    except IntegrityError:
        return Notice.objects.get(event_key=event_key, channel=channel)
    if notice.status == Status.PENDING:
        transaction.on_commit(partial(notice_dispatch, notice_ids=[notice.pk]), robust=True)
    return notice


_publishers = threading.local()


def _broker_connection(url: str):
    from nhatrang_portal.celery import app

    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    return app.connection_for_write(
        url=url,
        connect_timeout=timeout,
        transport_options={
            "max_retries": 0,  # fail fast: the beat job is the retry
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        },
    )


def _forget_connection() -> None:
    cached = getattr(_publishers, "connection", None)
    _publishers.connection = None
    if cached is not None:
        with contextlib.suppress(Exception):  # closing a dead connection may fail too
            cached[1].release()


def _connected(url: str):
    """This thread's broker connection for `url` and whether it was kept from an earlier call
    (a new connection costs ~10 ms: several Redis round trips)."""
    cached = getattr(_publishers, "connection", None)
    if cached is not None and cached[0] != url:
        _forget_connection()
        cached = None
    if cached is not None:
        return cached[1], True
    connection = _broker_connection(url)
    _publishers.connection = (url, connection)
    connection.ensure_connection(max_retries=0, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    return connection, False


def _publish(notice_ids: list[int]) -> int:
    from core import tasks

    url = settings.CELERY_BROKER_URL
    published = 0
    while True:
        reused = False
        try:
            connection, reused = _connected(url)
            for notice_id in notice_ids[published:]:
                tasks.send_notice.apply_async(
                    (notice_id,), connection=connection, retry=False, ignore_result=True
                )
                published += 1
            return published
        except Exception as error:  # noqa: BLE001 - the broker's state must not break callers
            _forget_connection()
            if not reused:  # a kept connection may have died with a broker restart: once more
                logger.warning(
                    "Broker unavailable (%s): %d notice(s) stay pending until the next redispatch",
                    error.__class__.__name__,
                    len(notice_ids) - published,
                )
                return published


def notice_dispatch(*, notice_ids: list[int]) -> int:
    """Hand notices to the workers: one send task each. Returns how many were published.

    Called on commit of the transaction that created or retried them, and by the beat job.
    Never raises: with the broker down (or slow: bounded by CELERY_BROKER_CONNECTION_TIMEOUT)
    the rows stay pending and the beat job publishes them later. Without a broker (eager
    mode, `make run`) the notices are sent here, in-process.
    """
    from core import tasks

    if not notice_ids:
        return 0
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        for notice_id in notice_ids:
            try:
                tasks.send_notice.apply(args=(notice_id,))
            except Exception:
                logger.exception("Sending notice %s in-process failed", notice_id)
        return len(notice_ids)
    return _publish(list(notice_ids))


# --- send -------------------------------------------------------------------------------------
class _Route:
    """The channel a notice goes through, with its idempotency."""

    def __init__(self, notice: Notice):
        self.notice = notice
        self.sms = get_sms_backend() if notice.channel == Channel.SMS else None

    @property
    def idempotent(self) -> bool:
        return bool(self.sms and self.sms.idempotent)

    def deliver(self):
        # The recipient was checked when the row was written (notice_create, notice_retry).
        notice = self.notice
        if self.sms is not None:
            return self.sms.send(
                recipient=notice.recipient,
                text=notice.body_text,
                reference=str(notice.reference),
                unicode=not notice.body_text.isascii(),
            )
        files = [build_attachment(spec) for spec in notice.attachments]
        return send_email(
            recipient=notice.recipient,
            subject=notice.subject,
            text=notice.body_text,
            html=notice.body_html,
            reference=str(notice.reference),
            files=files,
        )


def _expired(notice: Notice, now) -> bool:
    hours = settings.NOTICE_EXPIRE_AFTER_HOURS
    start = max(filter(None, [notice.created_at, notice.retried_at]))
    return bool(hours) and now - start > timedelta(hours=hours)


def _close(notice: Notice, attempt: int, **fields) -> bool:
    """Record the outcome of attempt `attempt`, if the row is still ours: one UPDATE guarded
    by status and attempt (raw SQL, like `_claim`: it runs for every send)."""
    fields["updated_at"] = timezone.now()
    meta = Notice._meta
    assignments = ", ".join(
        f"{connection.ops.quote_name(meta.get_field(name).column)} = %s" for name in fields
    )
    values = [meta.get_field(name).get_db_prep_save(v, connection) for name, v in fields.items()]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} SET {assignments} "  # noqa: S608 - column names from the model
            "WHERE id = %s AND status = %s AND attempts = %s",
            [*values, notice.pk, Status.SENDING, attempt],
        )
        updated = cursor.rowcount
    if not updated:
        logger.warning("Notice %s changed hands during attempt %s", notice.pk, attempt)
    return bool(updated)


def _fail_now(notice: Notice, reason: str, now) -> SendOutcome:
    notice.status = Status.FAILED
    notice.failed_at = now
    notice.last_error = reason
    notice.sending_started_at = None
    notice.save(
        update_fields=["status", "failed_at", "last_error", "sending_started_at", "updated_at"]
    )
    logger.warning("Notice %s failed: %s", notice.pk, reason)
    return SendOutcome(Status.FAILED, detail=reason)


_OLDEST = datetime(2000, 1, 1, tzinfo=UTC)


def _claim(notice_id: int, now) -> Notice | None:
    """The common case in one statement: a pending notice that is due and not out of date
    becomes `sending` (+1 attempt) and is returned. The UPDATE takes the row lock and commits
    before the channel is called. None when the row is in any other state: `notice_send` then
    decides under an explicit lock.

    Raw SQL because it runs for every send: with the ORM (select_for_update + save) the claim
    cost ~1.5 ms more worker CPU per notice (bench/notices.py). UPDATE … RETURNING works on
    PostgreSQL and SQLite >= 3.35.
    """
    hours = settings.NOTICE_EXPIRE_AFTER_HOURS
    cutoff = now - timedelta(hours=hours) if hours else _OLDEST
    rows = list(
        Notice.objects.raw(
            _claim_sql(),
            [Status.SENDING, now, now, notice_id, Status.PENDING, now + EARLY_TOLERANCE]
            + [cutoff, cutoff],
        )
    )
    return rows[0] if rows else None


# What a send reads; the other columns stay deferred.
_SEND_FIELDS = (
    "id", "channel", "recipient", "template_key", "subject", "body_text", "body_html",
    "attachments", "reference", "attempts", "event_key",
)  # fmt: skip


@functools.cache
def _claim_sql() -> str:
    meta = Notice._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in _SEND_FIELDS)
    return (
        f"UPDATE {Notice._meta.db_table} SET status = %s, attempts = attempts + 1, "  # noqa: S608
        "sending_started_at = %s, updated_at = %s "
        "WHERE id = %s AND status = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s) "
        f"AND (created_at >= %s OR retried_at >= %s) RETURNING {columns}"
    )


def notice_send(*, notice_id: int, can_retry: bool = True) -> SendOutcome:
    """Send one notice now. The body of the Celery task `core.send_notice`; idempotent.

    Returns at once when the row is missing, sent or failed, when another worker holds it
    (`sending` within the lease) or when its next attempt is not due. Transient errors put it
    back to `pending` with `retry_in` (the task schedules the retry) until NOTICE_MAX_ATTEMPTS,
    then fail it; with `can_retry` False (eager mode: no worker, no beat) they fail it at once,
    so staff see it and can retry. Unexpected errors are logged and fail it: a bug must not loop.
    """
    now = timezone.now()
    notice = _claim(notice_id, now)
    if notice is not None:
        route = _Route(notice)
    else:
        with transaction.atomic():  # the rare cases, decided under the row lock
            notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
            if notice is None:
                return SendOutcome("missing")
            if notice.status in (Status.SENT, Status.FAILED):
                return SendOutcome(notice.status, detail="already done")
            route = _Route(notice)
            if notice.status == Status.SENDING:
                started = notice.sending_started_at
                if started and now - started < _lease(notice.channel):
                    return SendOutcome(Status.SENDING, detail="held by another worker")
                if not route.idempotent:
                    return _fail_now(notice, _interrupted(), now)
            elif notice.next_attempt_at and notice.next_attempt_at > now + EARLY_TOLERANCE:
                return SendOutcome(Status.PENDING, detail="not due yet")
            if _expired(notice, now):
                return _fail_now(
                    notice,
                    _record(
                        gettext_noop(
                            "Not sent: more than %(hours)s hours passed since the event, so "
                            "the message could be out of date."
                        ),
                        hours=settings.NOTICE_EXPIRE_AFTER_HOURS,
                    ),
                    now,
                )
            notice.status = Status.SENDING
            notice.attempts += 1
            notice.sending_started_at = now
            notice.save(update_fields=["status", "attempts", "sending_started_at", "updated_at"])
    attempt = notice.attempts
    transient = partial(_after_transient, can_retry=can_retry)
    try:
        delivery = route.deliver()
    except UncertainError as error:
        if route.idempotent:
            return transient(notice, attempt, error.reason)
        return _after_failure(notice, attempt, f"{error.reason} {_interrupted()}")
    except TransientError as error:
        return transient(notice, attempt, error.reason)
    except DeliveryError as error:
        return _after_failure(notice, attempt, error.reason)
    except DatabaseError as error:  # e.g. an attachment could not be read now
        return transient(notice, attempt, f"{error.__class__.__name__}: {error}"[:300])
    except Exception as error:
        logger.exception("Notice %s: unexpected error while sending", notice.pk)
        reason = _record(
            gettext_noop("Unexpected error while sending: %(error)s"),
            error=f"{error.__class__.__name__}: {error}"[:300],
        )
        return _after_failure(notice, attempt, reason)
    sent_at = timezone.now()
    _close(
        notice,
        attempt,
        status=Status.SENT,
        sent_at=sent_at,
        sending_started_at=None,
        provider_id=delivery.provider_id,
        delivery_status=delivery.provider_status,
    )
    return SendOutcome(Status.SENT, detail=delivery.provider_id)


def _interrupted() -> str:
    return _record(
        gettext_noop(
            "Sending was interrupted after the message may have reached the provider; it was "
            "not sent again automatically, so that the citizen does not receive it twice. "
            "Check with the provider before sending it again."
        )
    )


def _after_transient(notice: Notice, attempt: int, reason: str, *, can_retry: bool) -> SendOutcome:
    if not can_retry:
        return _after_failure(notice, attempt, reason)
    if attempt >= settings.NOTICE_MAX_ATTEMPTS:
        return _after_failure(
            notice,
            attempt,
            _record(
                gettext_noop("Gave up after %(count)s attempts. Last error: %(reason)s"),
                count=attempt,
                reason=reason,
            ),
        )
    delay = retry_delay(attempt)
    _close(
        notice,
        attempt,
        status=Status.PENDING,
        sending_started_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=reason,
    )
    logger.info(
        "Notice %s attempt %s failed (%s); retry in %.1f s", notice.pk, attempt, reason, delay
    )
    return SendOutcome(Status.PENDING, retry_in=delay, detail=reason)


def _after_failure(notice: Notice, attempt: int, reason: str) -> SendOutcome:
    _close(
        notice,
        attempt,
        status=Status.FAILED,
        failed_at=timezone.now(),
        sending_started_at=None,
        last_error=reason,
    )
    logger.warning("Notice %s failed: %s", notice.pk, reason)
    return SendOutcome(Status.FAILED, detail=reason)


# --- beat, staff, receipts --------------------------------------------------------------------
def notice_redispatch_pending(
    *, grace_seconds: float | None = None, limit: int | None = None
) -> int:
    """Publish the notices no worker is on: pending ones due for longer than the grace period
    (their task was never published, or lost) and `sending` ones past the lease (their worker
    died). Called every minute by the beat task `core.redispatch_notices`. Returns how many
    were published; duplicates of a task that still exists are harmless (`notice_send`).
    """
    now = timezone.now()
    grace = settings.NOTICE_REDISPATCH_AFTER_SECONDS if grace_seconds is None else grace_seconds
    limit = limit or settings.NOTICE_REDISPATCH_BATCH
    waiting = Q(status=Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now - timedelta(seconds=grace))
    )
    stale = Q(status=Status.SENDING) & (
        Q(sending_started_at__isnull=True)
        | Q(channel=Channel.SMS, sending_started_at__lte=now - _lease(Channel.SMS))
        | Q(channel=Channel.EMAIL, sending_started_at__lte=now - _lease(Channel.EMAIL))
    )
    ids = list(
        Notice.objects.filter(waiting | stale)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    # Restart the grace period, so the next run does not publish them again right away.
    Notice.objects.filter(pk__in=ids, status=Status.PENDING).update(next_attempt_at=now)
    return notice_dispatch(notice_ids=ids)


@transaction.atomic
def notice_retry(*, notice_id: int, user) -> Notice:
    """Staff send a failed notice again (permission `core.retry_notice`).

    Renders it again from the stored context (a fixed template takes effect), gives it a new
    provider reference (the gateway must not take it for the earlier attempt) and a fresh
    attempt budget. A recipient that still cannot receive fails it again at once.
    Raises PermissionDenied, Notice.DoesNotExist or ApplicationError (not failed).
    """
    if not user.has_perm("core.retry_notice"):
        raise PermissionDenied
    notice = Notice.objects.select_for_update().get(pk=notice_id)
    if notice.status != Status.FAILED:
        raise ApplicationError(_("Only a failed notice can be sent again."))
    now = timezone.now()
    notice.retry_count += 1
    notice.retried_at = now
    notice.retried_by = user
    notice.reference = uuid.uuid4()
    problem = recipient_problem(notice.channel, notice.recipient)
    if problem is None:
        try:
            _rendered_fields(notice)
        except NoticeTemplateError as error:
            problem = error.reason
    if problem is None:
        notice.status = Status.PENDING
        notice.attempts = 0
        notice.next_attempt_at = now
        notice.failed_at = None
        notice.sending_started_at = None
        notice.provider_id = ""
        notice.delivery_status = ""
        notice.delivered_at = None
    else:
        notice.failed_at = now
        notice.last_error = problem
    notice.save()
    if notice.status == Status.PENDING:
        transaction.on_commit(partial(notice_dispatch, notice_ids=[notice.pk]), robust=True)
    return notice


@transaction.atomic
def notice_record_receipt(*, provider_id: str, provider_status: str) -> Notice | None:
    """A delivery report from the SMS gateway (token-checked view). Delivered: stamps
    `delivered_at`. Undeliverable: the notice fails with the carrier's status, so staff can
    send it again. Unknown provider id: None."""
    provider_id = (provider_id or "").strip()
    if not provider_id:
        return None
    notice = (
        Notice.objects.select_for_update()
        .filter(channel=Channel.SMS, provider_id=provider_id)
        .order_by("-id")
        .first()
    )
    if notice is None:
        return None
    value = (provider_status or "").strip()[:40]
    now = timezone.now()
    notice.delivery_status = value
    fields = ["delivery_status", "updated_at"]
    lowered = value.lower()
    if lowered in {s.lower() for s in settings.NOTICE_SMS_RECEIPT_DELIVERED}:
        notice.delivered_at = now
        fields.append("delivered_at")
    elif lowered in {s.lower() for s in settings.NOTICE_SMS_RECEIPT_FAILED}:
        notice.status = Status.FAILED
        notice.failed_at = now
        notice.last_error = _record(
            gettext_noop("The carrier could not deliver the message (report: %(status)s)."),
            status=value,
        )
        fields += ["status", "failed_at", "last_error"]
    notice.save(update_fields=fields)
    return notice

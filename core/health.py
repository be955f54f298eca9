"""Health probes for /healthz: database, cache, Celery broker and the notice outbox."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict:
    try:
        cache.set("healthz", "1", 10)
        ok = cache.get("healthz") == "1"
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": ok}


def check_broker() -> dict:
    """Whether the Celery broker answers. Eager mode (no broker configured) is healthy."""
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "eager"}
    from nhatrang_portal.celery import app

    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    try:
        # One attempt, bounded in time: a refused connection is not retried after a sleep, and
        # a broker that accepts the connection but never answers cannot hang the probe
        # (without socket_timeout the Redis transport waits for its reply forever).
        with app.connection_for_write(
            url=settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "broker", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "broker"}


def check_notices() -> dict:
    """Notices waiting to be sent: how many, and the age of the oldest (seconds). Not ok when
    the oldest waited longer than NOTICE_PENDING_ALERT_SECONDS (workers or broker down)."""
    from .notices.selectors import pending_notices_summary

    try:
        summary = pending_notices_summary()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    age = summary["oldest_pending_age_seconds"]
    ok = age is None or age <= settings.NOTICE_PENDING_ALERT_SECONDS
    return {
        "ok": ok,
        "pending": summary["pending"],
        "oldest_pending_age_seconds": round(age, 1) if age is not None else None,
    }

"""Health probes for /healthz: database, cache and Celery broker."""

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

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "broker", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "broker"}

"""/healthz: what a load balancer or an operator sees. Real PostgreSQL, Redis and broker."""

import socket
import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there
REAL_BROKER = "redis://127.0.0.1:6379/15"


def get_health(client):
    started = time.monotonic()
    response = client.get(reverse("core:healthz"))
    return response, time.monotonic() - started


def test_healthz_is_public_json_and_never_cached(client):
    response, _elapsed = get_health(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json()["ok"] is True


def test_healthz_reports_database_cache_and_eager_broker(client, settings):
    assert settings.CELERY_BROKER_URL == ""
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]

    body = get_health(client)[0].json()

    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["cache"] == {"ok": True}
    assert body["broker"] == {"ok": True, "mode": "eager"}


def test_healthz_works_for_a_logged_in_user_too(client, desk_officer):
    client.force_login(desk_officer)

    response, _elapsed = get_health(client)

    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_a_broker_that_is_down_is_reported_quickly_without_failing_the_probe(client, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER

    response, elapsed = get_health(client)

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert body["broker"]["ok"] is False
    assert body["broker"]["mode"] == "broker"
    assert body["broker"]["error"]
    assert body["database"]["ok"] is True
    assert elapsed < 3.5


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never answers (a hung or wrong service)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_broker_that_accepts_but_never_answers_cannot_hang_the_probe(
    client, settings, silent_port
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_port}/0"

    response, elapsed = get_health(client)

    assert response.status_code == 200
    assert response.json()["broker"]["ok"] is False
    assert elapsed < 3.5


def test_a_reachable_broker_is_reported_ok(client, settings):
    settings.CELERY_BROKER_URL = REAL_BROKER

    response, elapsed = get_health(client)

    assert response.status_code == 200
    body = response.json()
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["ok"] is True
    assert elapsed < 3.5


def test_broker_state_follows_the_setting_between_requests(client, settings):
    """The Celery app must not keep the first broker it was asked about."""
    settings.CELERY_BROKER_URL = REAL_BROKER
    assert get_health(client)[0].json()["broker"]["ok"] is True

    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    assert get_health(client)[0].json()["broker"]["ok"] is False

    settings.CELERY_BROKER_URL = REAL_BROKER
    assert get_health(client)[0].json()["broker"]["ok"] is True


def test_a_cache_that_is_down_is_reported_without_failing_the_probe(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",
        }
    }

    response, _elapsed = get_health(client)

    assert response.status_code == 200
    body = response.json()
    assert body["cache"]["ok"] is False
    assert body["ok"] is False
    assert body["database"]["ok"] is True

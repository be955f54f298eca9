"""Notices against the real Redis, a real Celery worker and a fake SMS gateway on 127.0.0.1.

The worker is a subprocess (`celery -A nhatrang_portal worker --pool=solo`) on this test
database and on Redis database 2 as its broker, sending through the HTTP SMS backend to a
FakeSmsGateway served by this process, which counts what it receives. Dossier actions run
here, through the real services, in committed transactions (the worker sees what commits).

What a citizen would notice:
- the broker is down while a dossier is accepted: the dossier is saved, the notice waits,
  and once the broker is back (the minute job) it is sent exactly once;
- the worker is killed in the middle of a send: the message is delivered once, not twice,
  whether or not the gateway honours the idempotency reference;
- the gateway answers 500 twice, then 200: sent, 3 attempts;
- 1,000 result-ready events: 1,000 messages at the gateway, no duplicates, none lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.constants import Role
from core.models import Notice
from core.notices.fake_gateway import FakeSmsGateway
from core.notices.services import notice_redispatch_pending
from dossiers import services as dossier_services
from dossiers.constants import DossierStatus, EventType
from dossiers.models import Dossier, DossierEvent
from dossiers.notices import dossier_event_notify
from dossiers.tests.factories import published_procedure, register_dossier, staff
from nhatrang_portal.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
BROKER_DB = 2
BROKER = f"redis://127.0.0.1:6379/{BROKER_DB}"
CLOSED_BROKER = f"redis://127.0.0.1:6390/{BROKER_DB}"  # nothing listens there
PHONE = "+84905123456"
# Short timings so the whole file runs in well under a minute; the same values in this process
# (which publishes and redispatches) and in the worker (which sends).
TIMINGS = {
    "NOTICE_SMS_HTTP_TIMEOUT": "2",
    "NOTICE_SEND_LEASE_SECONDS": "3",
    "NOTICE_RETRY_BASE_SECONDS": "0.2",
    "NOTICE_MAX_ATTEMPTS": "5",
}


class Worker:
    """One `celery worker` subprocess; started and stopped by its own pid only."""

    def __init__(self, *, gateway_url: str, log: Path, **env):
        database = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nhatrang_portal.settings.dev",
            "DEBUG": "False",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": BROKER,
            "NOTICE_SMS_BACKEND": "http",
            "NOTICE_SMS_HTTP_URL": gateway_url,
            "NOTICE_SMS_HTTP_IDEMPOTENT": "true",
            "LOG_LEVEL": "INFO",
            **TIMINGS,
            **env,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Worker:
        celery = str(Path(sys.executable).with_name("celery"))
        self.log.write_text("")
        handle = self.log.open("a")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command, our own venv
            [celery, "-A", "nhatrang_portal", "worker", "--pool=solo", "--without-mingle",
             "--without-gossip", "--without-heartbeat", "-l", "INFO",
             "-n", f"notices-test-{os.getpid()}@%h"],
            cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        output = self.log.read_text(errors="replace")[-3000:]
        self.stop()
        raise AssertionError(f"the Celery worker did not start:\n{output}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, like a crash or the OOM killer."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def gateway():
    gateway = FakeSmsGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def broker():
    client = redis.Redis(host="127.0.0.1", port=6379, db=BROKER_DB)
    client.flushdb()  # leftovers of an earlier run (e.g. the killed worker's unacked message)
    yield client
    client.flushdb()


@pytest.fixture
def publisher(settings, broker):
    """This process publishes to the real broker, like the web process in production."""
    settings.CELERY_BROKER_URL = BROKER
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.NOTICE_SMS_BACKEND = "http"
    for name, value in TIMINGS.items():
        setattr(settings, name, float(value))
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield settings
    celery_app.conf.task_always_eager = eager


WORKER_LOGS: list[Path] = []


@pytest.fixture
def start_worker(gateway, broker, tmp_path):
    workers = []
    WORKER_LOGS.clear()

    def start(**env) -> Worker:
        worker = Worker(gateway_url=gateway.url, log=tmp_path / f"worker{len(workers)}.log", **env)
        workers.append(worker)
        WORKER_LOGS.append(worker.log)
        return worker.start()

    gateway.reset()
    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def people(agency):
    return {
        "procedure": published_procedure(agency),
        "desk": staff(agency, Role.DESK_OFFICER),
        "officer": staff(agency, Role.SPECIALIST),
    }


def wait_until(predicate, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{message}\n{worker_log_tail()}")


def worker_log_tail() -> str:
    """The end of the last worker's log, to see why when a wait times out."""
    if not WORKER_LOGS or not WORKER_LOGS[-1].exists():
        return ""
    return "worker log:\n" + WORKER_LOGS[-1].read_text(errors="replace")[-3000:]


def the_notice() -> Notice:
    return Notice.objects.get()


def test_broker_down_while_a_dossier_is_accepted_then_sent_exactly_once(
    publisher, start_worker, gateway, people
):
    assert connection.settings_dict["NAME"].startswith("test_")
    start_worker()
    publisher.CELERY_BROKER_URL = CLOSED_BROKER

    started = time.monotonic()
    dossier = register_dossier(procedure=people["procedure"], user=people["desk"])
    elapsed = time.monotonic() - started

    assert Dossier.objects.filter(pk=dossier.pk, status=DossierStatus.ACCEPTED).exists()
    assert the_notice().status == Notice.Status.PENDING
    assert elapsed < django_settings.CELERY_BROKER_CONNECTION_TIMEOUT + 1.5
    time.sleep(0.5)
    assert gateway.requests == []

    publisher.CELERY_BROKER_URL = BROKER  # the broker is back: the minute job runs
    assert notice_redispatch_pending(grace_seconds=0) == 1
    assert gateway.wait_for(lambda g: len(g.delivered) == 1, timeout=10), worker_log_tail()
    wait_until(lambda: the_notice().status == Notice.Status.SENT, 5, "notice not marked sent")
    assert notice_redispatch_pending(grace_seconds=0) == 0  # nothing left to publish
    time.sleep(0.5)

    assert len(gateway.requests) == 1
    (to, text), *_ = gateway.delivered.values()
    assert to == PHONE.lstrip("+") and dossier.code in text
    assert the_notice().attempts == 1


@pytest.mark.parametrize("idempotent", [True, False], ids=["idempotent-gateway", "plain-gateway"])
def test_worker_killed_mid_send_delivers_once_not_twice(
    publisher, start_worker, gateway, people, idempotent
):
    worker = start_worker(NOTICE_SMS_HTTP_IDEMPOTENT=str(idempotent).lower())
    gateway.delay(PHONE, 1.5)  # received and delivered at once, answered 1.5 s later

    register_dossier(procedure=people["procedure"], user=people["desk"])
    assert gateway.received.wait(timeout=10), "the worker never called the gateway"
    worker.kill()

    notice = the_notice()
    assert notice.status == Notice.Status.SENDING and notice.attempts == 1
    assert len(gateway.delivered) == 1
    start_worker(NOTICE_SMS_HTTP_IDEMPOTENT=str(idempotent).lower())
    lease_ends = notice.sending_started_at.timestamp() + 3
    time.sleep(max(0.0, lease_ends - timezone.now().timestamp()) + 0.2)
    assert notice_redispatch_pending(grace_seconds=0) == 1  # the minute job finds it stale
    wait_until(lambda: the_notice().status != Notice.Status.SENDING, 10, "still sending")

    notice = the_notice()
    assert len(gateway.delivered) == 1  # the citizen got one SMS
    if idempotent:
        # Sent again with the same reference: the gateway recognised it and did not deliver.
        assert notice.status == Notice.Status.SENT and notice.attempts == 2
        assert len(gateway.requests) == 2
        assert {r["reference"] for r in gateway.requests} == {str(notice.reference)}
        assert notice.provider_id == gateway.ids[str(notice.reference)]
    else:
        # Not sent again: failed with the reason, for staff to check and retry.
        assert notice.status == Notice.Status.FAILED
        # Staff read the reason in the office's language (the worker writes it).
        assert notice.last_error.startswith("Việc gửi bị gián đoạn")  # "Sending was interrupted"
        assert len(gateway.requests) == 1


def test_gateway_500_twice_then_200_is_sent_with_three_attempts(
    publisher, start_worker, gateway, people
):
    start_worker()
    gateway.script(PHONE, [500, 500])

    register_dossier(procedure=people["procedure"], user=people["desk"])

    wait_until(lambda: the_notice().status == Notice.Status.SENT, 30, "notice not sent")
    notice = the_notice()
    assert notice.attempts == 3
    assert notice.last_error == "Cổng SMS phản hồi HTTP 500."  # "The SMS gateway answered ..."
    assert len(gateway.requests_for(PHONE)) == 3
    assert len(gateway.delivered) == 1


def test_a_thousand_result_ready_events_make_a_thousand_messages(
    publisher, start_worker, gateway, people
):
    """1,000 result-ready events, each notified in its own committed transaction exactly as
    dossiers.services.dossier_resolve does (event row, then the hook), while the worker sends.
    The dossiers and events are bulk-written first: the transition itself is tested elsewhere,
    and 1,000 full resolutions would take most of this file's time budget."""
    desk, officer = people["desk"], people["officer"]
    model = register_dossier(procedure=people["procedure"], user=desk, consent_sms=False)
    dossier_services.dossier_resolve(
        dossier=dossier_services.dossier_assign(dossier=model, handler=officer, user=desk),
        user=officer,
    )
    model.refresh_from_db()
    fields = {
        f.attname: getattr(model, f.attname)
        for f in Dossier._meta.concrete_fields
        if not f.primary_key
    }
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            **fields
            | {
                "code": f"{model.code}-{n:04d}",
                "consent_sms": True,
                "applicant_phone": f"+849{n:08d}",
                "phone_last4": f"{n:04d}",
            }
        )
        for n in range(1000)
    )
    now = timezone.now()
    events = DossierEvent.objects.bulk_create(
        DossierEvent(
            dossier=dossier,
            type=EventType.RESOLVED,
            from_status=DossierStatus.PROCESSING,
            to_status=DossierStatus.RESOLVED,
            actor=officer,
            at=now,
        )
        for dossier in dossiers
    )
    start_worker()

    for event in events:
        with transaction.atomic():
            assert len(dossier_event_notify(event)) == 1

    assert gateway.wait_for(lambda g: len(g.delivered) >= 1000, timeout=30), (
        f"{len(gateway.delivered)} of 1000 delivered\n{worker_log_tail()}"
    )
    wait_until(
        lambda: Notice.objects.filter(status=Notice.Status.SENT).count() == 1000,
        10,
        "not every notice is marked sent",
    )
    time.sleep(0.3)
    assert len(gateway.requests) == 1000  # no request twice
    assert len(gateway.delivered) == 1000
    assert {to for to, _text in gateway.delivered.values()} == {
        d.applicant_phone.lstrip("+") for d in dossiers
    }
    assert all(" da co ket qua" in text for _to, text in gateway.delivered.values())
    references = set(Notice.objects.values_list("reference", flat=True))
    assert {str(r) for r in references} == set(gateway.delivered)
    assert not Notice.objects.exclude(attempts=1).exists()

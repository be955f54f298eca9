"""Notices in-process: what the citizen receives, what staff see, and every bad input.

Real PostgreSQL, the real dossier services, Django's locmem email, the file SMS backend or a
fake HTTP gateway on 127.0.0.1. The worker-and-broker behaviour is in
test_notice_reliability.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from core.models import Notice
from core.notices import services
from core.notices.fake_gateway import FakeSmsGateway
from core.notices.rendering import render_notice, sms_text
from dossiers import services as dossier_services
from dossiers.models import DossierEvent
from dossiers.notices import dossier_event_notify
from dossiers.tests.factories import published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """These tests read the English msgids (failure reasons, page texts); Vietnamese is the
    default, covered by core/tests/test_translations.py."""
    from django.utils import translation

    office_language = settings.LANGUAGE_CODE
    settings.LANGUAGE_CODE = "en"  # the language stored reasons are written in
    translation.activate("en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.activate(office_language)


LANDLINE = "0258 3822 500"
PRODUCTION_BASE = "https://dichvucong.nhatrang.khanhhoa.gov.vn"


@pytest.fixture
def procedure(agency):
    return published_procedure(agency)


@pytest.fixture
def desk(agency):
    return staff(agency, Role.DESK_OFFICER)


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.NOTICE_SMS_BACKEND = "file"
    settings.NOTICE_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    return settings.NOTICE_SMS_FILE_PATH


def sent_sms(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def gateway(settings):
    gateway = FakeSmsGateway().start()
    settings.NOTICE_SMS_BACKEND = "http"
    settings.NOTICE_SMS_HTTP_URL = gateway.url
    settings.NOTICE_SMS_HTTP_TIMEOUT = 2.0
    yield gateway
    gateway.stop()


def register(procedure, desk, django_capture_on_commit_callbacks, **applicant):
    """Accept a dossier at the desk and run what happens on commit (eager sending)."""
    with django_capture_on_commit_callbacks(execute=True):
        return register_dossier(procedure=procedure, user=desk, **applicant)


# --- what the citizen receives ----------------------------------------------------------------
def test_accepting_a_dossier_texts_the_applicant_once_in_plain_ascii(
    procedure, desk, sms_file, django_capture_on_commit_callbacks
):
    dossier = register(procedure, desk, django_capture_on_commit_callbacks)

    messages = sent_sms(sms_file)
    assert len(messages) == 1
    text = messages[0]["text"]
    assert messages[0]["to"] == "+84905123456"
    assert dossier.code in text
    assert "/tra-cuu/" in text
    assert text.isascii() and len(text) <= 160
    assert "da tiep nhan" in text
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.SENT
    assert notice.attempts == 1
    assert notice.about == dossier
    assert notice.provider_id == f"file-{notice.reference}"


def test_the_signed_link_is_used_when_it_fits_and_the_lookup_page_otherwise(settings):
    context = {
        "sender": "UBND",
        "code": "000.00.20.H32-260305-0012",
        "due_on": "12/03/2026",
        "link": "http://x.vn/tra-cuu/000.00.20.H32-260305-0012/?t=abc",
    }
    fallback = {"link": "http://x.vn/tra-cuu/"}
    short = render_notice("dossier_accepted", context, channel="sms", sms_fallback=fallback)
    assert "?t=abc" in short.text

    context["link"] = "http://x.vn/tra-cuu/000.00.20.H32-260305-0012/?t=" + "a" * 90
    long = render_notice("dossier_accepted", context, channel="sms", sms_fallback=fallback)
    assert long.text.endswith("Tra cuu: http://x.vn/tra-cuu/")


@pytest.mark.parametrize(
    "key",
    [
        "dossier_accepted",
        "dossier_supplement_requested",
        "dossier_refused",
        "dossier_rescheduled",
        "dossier_result_ready",
    ],
)
def test_every_sms_fits_one_message_with_a_production_length_address(settings, key):
    from dossiers.notices import SAMPLES, lookup_page_url

    settings.PUBLIC_BASE_URL = PRODUCTION_BASE
    rendered = render_notice(
        key, SAMPLES[key](), channel="sms", sms_fallback={"link": lookup_page_url()}
    )

    assert rendered.sms.encoding == "GSM-7"
    assert rendered.sms.units <= 160
    assert "000.00.20.H32-260305-0012" in rendered.text
    assert PRODUCTION_BASE + "/tra-cuu/" in rendered.text


def test_sms_folding_and_the_unicode_setting(settings):
    folded = sms_text("Hồ sơ ĐÃ có kết quả – “đúng hẹn”…")
    assert folded.text == 'Ho so DA co ket qua - "dung hen"...'
    assert (folded.encoding, folded.segments) == ("GSM-7", 1)

    settings.NOTICE_SMS_UNICODE = True
    unicode = sms_text("Hồ sơ đã có kết quả " * 4)
    assert unicode.text.startswith("Hồ sơ đã có kết quả")
    assert unicode.encoding == "UCS-2"
    assert unicode.units == 79 and unicode.segments == 2


def test_email_is_html_and_text_with_the_receipt_slip_attached(
    procedure, desk, sms_file, django_capture_on_commit_callbacks
):
    dossier = register(
        procedure,
        desk,
        django_capture_on_commit_callbacks,
        consent_email=True,
        email="an@example.com",
    )

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["an@example.com"]
    assert dossier.code in email.subject
    assert "đã được tiếp nhận" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and dossier.code in html
    name, content, attachment_type = email.attachments[0]
    assert name == f"{dossier.code}-receipt.pdf"
    assert attachment_type == "application/pdf" and content.startswith(b"%PDF")
    assert email.extra_headers["Message-ID"].startswith("<notice-")
    assert len(sent_sms(sms_file)) == 1
    assert set(Notice.objects.values_list("channel", "status")) == {
        ("sms", "sent"),
        ("email", "sent"),
    }


def test_the_supplement_email_carries_that_request_slip(
    procedure, desk, agency, sms_file, django_capture_on_commit_callbacks
):
    officer = staff(agency, Role.SPECIALIST)
    dossier = register_dossier(procedure=procedure, user=desk, consent_email=True)
    dossier_services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Sơ đồ phòng hát"], reason="Thiếu sơ đồ"
        )

    email = mail.outbox[-1]
    assert "Yêu cầu bổ sung" in email.subject
    assert "1. Sơ đồ phòng hát" in email.body
    name, content, _type = email.attachments[0]
    assert name == f"{dossier.code}-supplement.pdf" and content.startswith(b"%PDF")


def test_the_minute_job_is_scheduled_and_registered(settings):
    from nhatrang_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["redispatch-pending-notices"]
    assert entry["schedule"] == 60.0
    assert entry["task"] in app.tasks
    assert "core.send_notice" in app.tasks


def test_each_notified_event_uses_its_template(
    procedure, desk, agency, sms_file, django_capture_on_commit_callbacks
):
    officer = staff(agency, Role.SPECIALIST)
    dossier = register(procedure, desk, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.dossier_assign(dossier=dossier, handler=officer, user=desk)
        dossier_services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Sơ đồ"], reason="Thiếu"
        )
        dossier_services.dossier_resume(dossier=dossier, user=desk)
        dossier_services.dossier_resolve(dossier=dossier, user=officer)

    keys = list(Notice.objects.order_by("id").values_list("template_key", flat=True))
    assert keys == ["dossier_accepted", "dossier_supplement_requested", "dossier_result_ready"]
    texts = [m["text"] for m in sent_sms(sms_file)]
    assert "can bo sung giay to" in texts[1]
    assert "da co ket qua" in texts[2]


def test_refusal_at_intake_notifies_too(
    procedure, desk, sms_file, django_capture_on_commit_callbacks
):
    from dossiers.tests.factories import applicant

    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_services.dossier_refuse_at_intake(
            procedure=procedure, applicant=applicant(), reason="Không thuộc thẩm quyền", user=desk
        )

    notice = Notice.objects.get()
    assert notice.template_key == "dossier_refused"
    assert dossier.code in sent_sms(sms_file)[0]["text"]


def test_no_consent_no_notice_and_the_dossier_page_says_so(
    client, procedure, desk, sms_file, django_capture_on_commit_callbacks
):
    dossier = register(procedure, desk, django_capture_on_commit_callbacks, consent_sms=False)

    assert Notice.objects.count() == 0
    assert sent_sms(sms_file) == []
    client.force_login(desk)
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert "No notice is sent: the applicant did not agree to SMS or email notices." in page


def test_the_same_event_never_makes_two_notices(procedure, desk, sms_file):
    dossier = register_dossier(procedure=procedure, user=desk, consent_email=True)
    event = DossierEvent.objects.get(dossier=dossier, type="accepted")

    again = dossier_event_notify(event)

    assert Notice.objects.count() == 2
    assert sorted(n.channel for n in again) == ["email", "sms"]
    assert {n.pk for n in again} == set(Notice.objects.values_list("pk", flat=True))


# --- bad input: the notice fails with a reason, the action succeeds ---------------------------
def test_a_landline_cannot_receive_sms_the_dossier_is_still_accepted(
    procedure, desk, sms_file, django_capture_on_commit_callbacks
):
    dossier = register(procedure, desk, django_capture_on_commit_callbacks, phone=LANDLINE)

    assert dossier.pk and dossier.status == "2"
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.FAILED
    assert notice.last_error == "+842583822500 is not a mobile number: it cannot receive SMS."
    assert notice.attempts == 0
    assert sent_sms(sms_file) == []


def test_an_invalid_email_fails_its_notice_only(
    procedure, desk, sms_file, django_capture_on_commit_callbacks
):
    register(procedure, desk, django_capture_on_commit_callbacks, consent_email=True, email="an@@x")

    email = Notice.objects.get(channel="email")
    assert email.status == Notice.Status.FAILED
    assert "“an@@x” is not a valid email address." in email.last_error
    assert Notice.objects.get(channel="sms").status == Notice.Status.SENT
    assert mail.outbox == []


def test_a_broken_template_fails_the_notice_not_the_dossier(
    settings, tmp_path, procedure, desk, sms_file, django_capture_on_commit_callbacks
):
    broken = tmp_path / "templates" / "notices" / "dossier_accepted"
    broken.mkdir(parents=True)
    (broken / "sms.txt").write_text("Hồ sơ {{ code|no_such_filter }}", encoding="utf-8")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]

    dossier = register(procedure, desk, django_capture_on_commit_callbacks)

    assert dossier.pk
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.FAILED
    assert notice.last_error.startswith(
        "The notice template notices/dossier_accepted/sms.txt has an error: "
    )
    assert "no_such_filter" in notice.last_error


def test_an_unreadable_gateway_answer_fails_the_notice_with_the_answer(
    procedure, desk, gateway, django_capture_on_commit_callbacks
):
    gateway.script("+84905123456", ["garbage"])

    register(procedure, desk, django_capture_on_commit_callbacks)

    notice = Notice.objects.get()
    assert notice.status == Notice.Status.FAILED
    assert notice.last_error == (
        "The SMS gateway's answer could not be read: <html>Service Unavailable</html>"
    )


def test_a_refusal_by_the_gateway_is_permanent(
    procedure, desk, gateway, django_capture_on_commit_callbacks
):
    gateway.script("+84905123456", [401])

    register(procedure, desk, django_capture_on_commit_callbacks)

    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == (Notice.Status.FAILED, 1)
    assert notice.last_error.startswith("The SMS gateway refused the message: HTTP 401")
    assert len(gateway.requests) == 1


# --- retries, back-off, lease -----------------------------------------------------------------
@pytest.fixture
def pending_sms(procedure, desk):
    """A dossier whose SMS notice is recorded but not yet sent (no commit in this test)."""
    register_dossier(procedure=procedure, user=desk)
    return Notice.objects.get()


def test_transient_errors_back_off_exponentially_then_send(settings, gateway, pending_sms):
    settings.NOTICE_RETRY_BASE_SECONDS = 30
    gateway.script("+84905123456", [503, 500])
    start = timezone.now()

    first = services.notice_send(notice_id=pending_sms.pk)
    assert (first.status, first.retry_in) == ("pending", 30)
    assert services.notice_send(notice_id=pending_sms.pk).detail == "not due yet"
    with time_machine.travel(start + timedelta(seconds=31)):
        second = services.notice_send(notice_id=pending_sms.pk)
    with time_machine.travel(start + timedelta(seconds=31 + 61)):
        third = services.notice_send(notice_id=pending_sms.pk)

    assert (second.status, second.retry_in) == ("pending", 60)
    assert third.status == "sent"
    notice = Notice.objects.get()
    assert notice.attempts == 3
    assert notice.last_error == "The SMS gateway answered HTTP 500."
    assert len(gateway.requests) == 3 and len(gateway.delivered) == 1


def test_back_off_is_capped_and_attempts_are_capped(settings, gateway, pending_sms):
    settings.NOTICE_RETRY_BASE_SECONDS = 30
    settings.NOTICE_RETRY_MAX_SECONDS = 100
    settings.NOTICE_MAX_ATTEMPTS = 2
    assert [services.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    gateway.script("+84905123456", [500, 502])

    services.notice_send(notice_id=pending_sms.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        outcome = services.notice_send(notice_id=pending_sms.pk)

    assert outcome.status == "failed" and outcome.retry_in is None
    notice = Notice.objects.get()
    assert notice.last_error == (
        "Gave up after 2 attempts. Last error: The SMS gateway answered HTTP 502."
    )


def test_an_unreachable_gateway_is_transient(settings, pending_sms):
    settings.NOTICE_SMS_BACKEND = "http"
    settings.NOTICE_SMS_HTTP_URL = "http://127.0.0.1:9/sms"  # discard port: nothing listens

    outcome = services.notice_send(notice_id=pending_sms.pk)

    assert outcome.status == "pending" and outcome.retry_in
    assert Notice.objects.get().last_error.startswith("The SMS gateway cannot be reached")


@pytest.mark.parametrize("idempotent", [False, True])
def test_a_timeout_after_sending_is_repeated_only_with_an_idempotent_gateway(
    settings, gateway, pending_sms, idempotent
):
    settings.NOTICE_SMS_HTTP_TIMEOUT = 0.3
    settings.NOTICE_SMS_HTTP_IDEMPOTENT = idempotent
    gateway.delay("+84905123456", 0.6)

    outcome = services.notice_send(notice_id=pending_sms.pk)

    notice = Notice.objects.get()
    assert len(gateway.delivered) == 1  # the gateway got it, the worker never heard back
    if idempotent:
        assert outcome.status == "pending" and outcome.retry_in
        with time_machine.travel(timezone.now() + timedelta(seconds=outcome.retry_in + 1)):
            assert services.notice_send(notice_id=pending_sms.pk).status == "sent"
        assert len(gateway.requests) == 2 and len(gateway.delivered) == 1
        assert Notice.objects.get().provider_id == "FG-1"
    else:
        assert outcome.status == "failed"
        assert "may or may not have been sent" in notice.last_error
        assert "not sent again automatically" in notice.last_error
        assert len(gateway.requests) == 1


def test_a_notice_being_sent_by_another_worker_is_left_alone(gateway, pending_sms):
    Notice.objects.filter(pk=pending_sms.pk).update(
        status="sending", attempts=1, sending_started_at=timezone.now()
    )

    outcome = services.notice_send(notice_id=pending_sms.pk)

    assert outcome.detail == "held by another worker"
    assert gateway.requests == []


@pytest.mark.parametrize("idempotent", [False, True])
def test_an_interrupted_send_past_its_lease(settings, gateway, pending_sms, idempotent):
    settings.NOTICE_SMS_HTTP_IDEMPOTENT = idempotent
    started = timezone.now() - timedelta(seconds=services.lease_seconds("sms") + 1)
    Notice.objects.filter(pk=pending_sms.pk).update(
        status="sending", attempts=1, sending_started_at=started
    )

    outcome = services.notice_send(notice_id=pending_sms.pk)

    notice = Notice.objects.get()
    if idempotent:
        assert outcome.status == "sent" and notice.attempts == 2
        assert gateway.requests[0]["reference"] == str(notice.reference)
    else:
        assert outcome.status == "failed" and gateway.requests == []
        assert notice.last_error.startswith("Sending was interrupted")


def test_sent_and_failed_notices_are_never_sent_again(gateway, pending_sms):
    services.notice_send(notice_id=pending_sms.pk)
    services.notice_send(notice_id=pending_sms.pk)

    assert len(gateway.requests) == 1


def test_a_notice_too_old_to_be_useful_is_dropped(settings, gateway, pending_sms):
    settings.NOTICE_EXPIRE_AFTER_HOURS = 72
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        outcome = services.notice_send(notice_id=pending_sms.pk)

    assert outcome.status == "failed"
    assert "more than 72 hours passed since the event" in Notice.objects.get().last_error
    assert gateway.requests == []


def test_in_process_mode_fails_transient_errors_at_once_for_staff(
    procedure, desk, gateway, django_capture_on_commit_callbacks
):
    gateway.script("+84905123456", [503])

    register(procedure, desk, django_capture_on_commit_callbacks)

    notice = Notice.objects.get()
    assert (notice.status, notice.last_error) == ("failed", "The SMS gateway answered HTTP 503.")


# --- the beat job -----------------------------------------------------------------------------
def test_redispatch_publishes_forgotten_and_interrupted_notices_only(
    settings, procedure, desk, sms_file
):
    settings.NOTICE_SMS_HTTP_IDEMPOTENT = False
    register_dossier(procedure=procedure, user=desk)  # no commit here: never dispatched
    register_dossier(procedure=procedure, user=desk)
    register_dossier(procedure=procedure, user=desk)
    forgotten, fresh, interrupted = Notice.objects.order_by("id")
    old = timezone.now() - timedelta(minutes=5)
    Notice.objects.filter(pk=forgotten.pk).update(next_attempt_at=old)
    Notice.objects.filter(pk=interrupted.pk).update(
        status="sending", attempts=1, sending_started_at=old
    )

    published = services.notice_redispatch_pending()

    assert published == 2
    states = dict(Notice.objects.values_list("pk", "status"))
    assert states == {forgotten.pk: "sent", fresh.pk: "pending", interrupted.pk: "failed"}
    assert len(sent_sms(sms_file)) == 1


# --- staff: dossier page, retry, preview ------------------------------------------------------
@pytest.fixture
def failed_sms(procedure, desk, gateway, django_capture_on_commit_callbacks):
    gateway.script("+84905123456", [503])
    dossier = register(procedure, desk, django_capture_on_commit_callbacks)
    assert Notice.objects.get().status == "failed"
    return dossier


def test_the_dossier_page_shows_each_notice_state_and_a_retry_button(client, desk, failed_sms):
    client.force_login(desk)

    page = client.get(failed_sms.get_absolute_url()).content.decode()

    assert "Notices to the applicant" in page
    assert "The SMS gateway answered HTTP 503." in page
    assert "+84905123456" in page
    assert "Send again" in page
    assert reverse("core:notice-retry", args=[Notice.objects.get().pk]) in page


def test_retry_sends_again_with_a_new_reference(
    client, desk, failed_sms, gateway, django_capture_on_commit_callbacks
):
    notice = Notice.objects.get()
    client.force_login(desk)
    url = reverse("core:notice-retry", args=[notice.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": failed_sms.get_absolute_url()})

    assert response.status_code == 302 and response["Location"] == failed_sms.get_absolute_url()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.retry_count) == ("sent", 1, 1)
    assert notice.retried_by == desk
    references = [r["reference"] for r in gateway.requests]
    assert len(references) == 2 and references[0] != references[1]
    page = client.get(failed_sms.get_absolute_url()).content.decode()
    assert "Send again" not in page


def test_retry_needs_post_csrf_and_the_permission(agency, desk, failed_sms):
    url = reverse("core:notice-retry", args=[Notice.objects.get().pk])
    specialist = staff(agency, Role.SPECIALIST)
    client = Client(enforce_csrf_checks=True)

    client.force_login(desk)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    client.force_login(specialist)
    page = client.get(failed_sms.get_absolute_url()).content.decode()
    assert "Send again" not in page
    plain = Client()
    plain.force_login(specialist)
    assert plain.post(url).status_code == 403
    assert Notice.objects.get().status == "failed"


def test_only_a_failed_notice_can_be_retried(client, desk, procedure, sms_file):
    register_dossier(procedure=procedure, user=desk)
    notice = Notice.objects.get()
    client.force_login(desk)

    response = client.post(reverse("core:notice-retry", args=[notice.pk]), follow=True)

    assert "Only a failed notice can be sent again." in response.content.decode()
    assert Notice.objects.get().status == "pending"


def test_the_preview_page_renders_every_template_with_sample_data(client, desk, agency):
    client.force_login(desk)

    page = client.get(reverse("core:notice-templates")).content.decode()

    for key in ("dossier_accepted", "dossier_supplement_requested", "dossier_refused"):
        assert key in page
    assert "000.00.20.H32-260305-0012" in page
    assert "characters, GSM-7, 1 message" in page
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in page  # the email's HTML, escaped into the frame

    nobody = staff(agency, Role.SPECIALIST)
    nobody.groups.clear()
    client.force_login(nobody)
    assert client.get(reverse("core:notice-templates")).status_code == 403


# --- delivery reports and health --------------------------------------------------------------
def test_delivery_reports_need_the_token_and_update_the_notice(
    client, settings, gateway, pending_sms
):
    url = reverse("core:sms-receipt")
    assert client.post(url, {}).status_code == 404  # no token configured: no endpoint
    settings.NOTICE_SMS_RECEIPT_TOKEN = "s3cret"
    services.notice_send(notice_id=pending_sms.pk)
    body = json.dumps({"id": "FG-1", "status": "DELIVRD"})

    denied = client.post(
        url, body, content_type="application/json", headers={"X-Notice-Token": "x"}
    )
    ok = client.post(
        url, body, content_type="application/json", headers={"X-Notice-Token": "s3cret"}
    )

    assert denied.status_code == 403
    assert ok.status_code == 200
    notice = Notice.objects.get()
    assert notice.delivered_at is not None and notice.delivery_status == "DELIVRD"

    failed = client.post(
        f"{url}?token=s3cret", {"id": "FG-1", "status": "UNDELIV"}
    )  # form-encoded, token in the query
    assert failed.json() == {"ok": True, "status": "failed"}
    assert Notice.objects.get().last_error == (
        "The carrier could not deliver the message (report: UNDELIV)."
    )
    unknown = client.post(f"{url}?token=s3cret", {"id": "nope", "status": "DELIVRD"})
    assert unknown.status_code == 404


def test_healthz_reports_the_oldest_pending_notice(client, settings, pending_sms):
    settings.NOTICE_PENDING_ALERT_SECONDS = 600
    body = client.get(reverse("core:healthz")).json()
    assert body["notices"]["ok"] is True
    assert body["notices"]["pending"] == 1
    assert 0 <= body["notices"]["oldest_pending_age_seconds"] < 60

    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        late = client.get(reverse("core:healthz"))
    assert late.status_code == 200
    assert late.json()["ok"] is False
    assert late.json()["notices"]["oldest_pending_age_seconds"] >= 1200

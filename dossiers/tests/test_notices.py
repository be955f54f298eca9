"""The result-ready notice invites the citizen to rate the service (dossiers.notices, issue 7):
the survey link is always in the email, and in the SMS only when the text still fits."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core.models import Notice
from core.notices.rendering import sms_measure
from dossiers import services
from dossiers.tests.factories import register_dossier
from satisfaction.models import Invitation

pytestmark = pytest.mark.django_db
PRODUCTION_BASE = "https://dichvucong.nhatrang.khanhhoa.gov.vn"
SURVEY_LINK = re.compile(r"https?://[^\s\"<]+/danh-gia/[A-Za-z0-9_-]{32}/")


def resolve(procedure, desk, officer, **applicant):
    dossier = register_dossier(procedure=procedure, user=desk, **applicant)
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    services.dossier_resolve(dossier=dossier, user=officer)
    return dossier


def notice(channel) -> Notice:
    return Notice.objects.get(template_key="dossier_result_ready", channel=channel)


def test_the_result_email_carries_the_dossier_s_survey_link(procedure, desk, officer, settings):
    settings.PUBLIC_BASE_URL = PRODUCTION_BASE
    dossier = resolve(procedure, desk, officer, consent_email=True, email="an@example.com")

    email = notice(Notice.Channel.EMAIL)
    token = Invitation.objects.get(dossier=dossier).token
    link = f"{PRODUCTION_BASE}/danh-gia/{token}/"
    assert link in email.body_text
    assert f'href="{link}"' in email.body_html
    assert "đánh giá mức độ hài lòng" in email.body_text


def test_the_sms_stays_one_message_and_leaves_the_survey_link_out_when_it_does_not_fit(
    procedure, desk, officer, settings
):
    settings.PUBLIC_BASE_URL = PRODUCTION_BASE
    settings.NOTICE_SMS_MAX_SEGMENTS = 1
    resolve(procedure, desk, officer, consent_sms=True, consent_email=True)

    sms = notice(Notice.Channel.SMS)
    measured = sms_measure(sms.body_text)
    assert sms.status != Notice.Status.FAILED
    assert measured.encoding == "GSM-7" and measured.units <= 160
    assert "da co ket qua" in sms.body_text and "/tra-cuu/" in sms.body_text
    assert "/danh-gia/" not in sms.body_text
    assert SURVEY_LINK.search(notice(Notice.Channel.EMAIL).body_text)


def test_the_sms_carries_the_survey_link_when_it_fits(procedure, desk, officer, settings):
    """An office that sends two-part SMS (NOTICE_SMS_MAX_SEGMENTS = 2) has room for it."""
    settings.PUBLIC_BASE_URL = PRODUCTION_BASE
    settings.NOTICE_SMS_MAX_SEGMENTS = 2
    dossier = resolve(procedure, desk, officer, consent_sms=True)

    sms = notice(Notice.Channel.SMS)
    token = Invitation.objects.get(dossier=dossier).token
    assert sms.body_text.endswith(f"Danh gia: {PRODUCTION_BASE}/danh-gia/{token}/")
    assert "/tra-cuu/" in sms.body_text  # the look-up link stays
    measured = sms_measure(sms.body_text)
    assert measured.encoding == "GSM-7" and measured.segments <= 2


def test_the_link_of_the_notice_opens_the_survey(procedure, desk, officer, settings):
    dossier = resolve(procedure, desk, officer, consent_email=True, email="an@example.com")
    services.dossier_return_result(dossier=dossier, user=desk)

    link = SURVEY_LINK.search(notice(Notice.Channel.EMAIL).body_text).group(0)
    response = Client().get(link.removeprefix(settings.PUBLIC_BASE_URL.rstrip("/")))

    assert response.status_code == 200
    assert dossier.procedure.name in response.content.decode()


def test_the_accepted_notice_does_not_invite_to_rate(procedure, desk, settings):
    register_dossier(procedure=procedure, user=desk, consent_email=True, email="an@example.com")

    accepted = Notice.objects.get(template_key="dossier_accepted", channel=Notice.Channel.EMAIL)
    assert "/danh-gia/" not in accepted.body_text
    assert not Invitation.objects.exists()

"""Which dossier events notify the applicant, on which channels, with what (DOMAIN.md §13).

`dossier_event_notify(event)` is called by dossiers.services, one line per service, inside the
transaction of the event: accepted, supplement requested, refused, apology and new
appointment, result ready. The applicant's consent recorded at intake decides the channels
(Law 91/2025: explicit and per purpose; no consent, no message). Each channel gets one
core.models.Notice, keyed by the event, so the same event never makes two.

The SMS says the dossier code and the look-up link; when the signed link (dossiers.tokens)
makes the text longer than one message, the look-up page's address is used instead (the
citizen types the code and the last 4 digits of the phone). The email carries the same facts
and the slip of the event as a PDF, rendered when the email is sent.

Result ready: the notice invites the citizen to rate the service (issue 7) with the dossier's
survey link (satisfaction.services.invitation_for_dossier): always in the email; in the SMS only
when the whole text still fits the configured messages (one GSM-7 message of 160 characters by
default), see `_sms_values`. This is the one place the dossiers app calls the satisfaction app,
imported lazily so the dependency stays one-way at import time.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Notice
from core.notices.email import NoticeFile, notice_attachment
from core.notices.errors import NoticeTemplateError
from core.notices.registry import NoticeKind, register
from core.notices.rendering import render_sms
from core.notices.services import notice_create
from core.pdf import official_datetime

from .constants import EventType, PauseKind
from .rules import Slip
from .tokens import lookup_url

logger = logging.getLogger("dossiers.notices")

ACCEPTED = "dossier_accepted"
SUPPLEMENT_REQUESTED = "dossier_supplement_requested"
REFUSED = "dossier_refused"
RESCHEDULED = "dossier_rescheduled"
RESULT_READY = "dossier_result_ready"

# Event type -> (notice template, slip attached to the email or None).
NOTIFIED_EVENTS = {
    EventType.ACCEPTED: (ACCEPTED, Slip.RECEIPT),
    EventType.SUPPLEMENT_REQUESTED: (SUPPLEMENT_REQUESTED, Slip.SUPPLEMENT),
    EventType.REFUSED: (REFUSED, Slip.REFUSAL),
    EventType.RESCHEDULED: (RESCHEDULED, Slip.APOLOGY),
    EventType.RESOLVED: (RESULT_READY, None),
}


def consented_channels(dossier) -> list[tuple[str, str]]:
    """(channel, recipient) pairs the applicant agreed to at intake."""
    channels = []
    if dossier.consent_sms and dossier.applicant_phone:
        channels.append((Notice.Channel.SMS, dossier.applicant_phone))
    if dossier.consent_email and dossier.applicant_email:
        channels.append((Notice.Channel.EMAIL, dossier.applicant_email))
    return channels


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}" if moment else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def lookup_page_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("dossiers:lookup")


def _common(dossier) -> dict:
    agency = dossier.agency
    procedure = dossier.procedure
    return {
        "code": dossier.code,
        "sender": agency.short_name or agency.name,
        "agency_name": agency.name,
        "agency_address": agency.address,
        "hotline": agency.hotline,
        "procedure_name": procedure.name,
        "received_on": _day(dossier.received_at),
        "link": lookup_url(dossier.code),
        "lookup_page": lookup_page_url(),
        "result_place": procedure.receiving_address
        or f"Bộ phận Một cửa - {agency.name}, {agency.address}",
    }


def _event_context(dossier, event) -> dict:
    context = _common(dossier)
    new = (event.data or {}).get("new", {})
    if event.type == EventType.ACCEPTED:
        context.update(
            due_on=_day(dossier.appointment_at),
            due_text=official_datetime(dossier.appointment_at) if dossier.appointment_at else "",
        )
    elif event.type == EventType.SUPPLEMENT_REQUESTED:
        context.update(items=[str(item) for item in new.get("items", [])], reason=event.note)
    elif event.type == EventType.REFUSED:
        context.update(reasons=_lines(dossier.refusal_reason or event.note))
    elif event.type == EventType.RESCHEDULED:
        new_due = dossier.rescheduled_due_at
        context.update(
            new_due_on=_day(new_due),
            new_due_text=official_datetime(new_due) if new_due else "",
            reason=event.note,
        )
    elif event.type == EventType.RESOLVED:
        context.update(
            fee=dossier.procedure.fee_description.strip(),
            has_electronic_result=bool(dossier.result_file),
            result_summary=dossier.result_summary,
            survey_link=survey_link(dossier),
        )
    return context


def survey_link(dossier) -> str:
    """The dossier's satisfaction survey link ("" if it cannot be made: the notice still goes)."""
    from satisfaction.services import invitation_for_dossier
    from satisfaction.tokens import survey_url

    try:
        return survey_url(invitation_for_dossier(dossier=dossier).token)
    except DatabaseError:
        raise
    except Exception:
        logger.exception("No survey link for dossier %s", dossier.pk)
        return ""


def _sms_fits(template_key: str, values: dict) -> bool:
    try:
        render_sms(template_key, values)
    except NoticeTemplateError:
        return False
    return True


def _sms_values(template_key: str, context: dict) -> tuple[dict, dict]:
    """The values and fallback of an SMS. The survey link of a result-ready notice joins the
    text only if it still fits NOTICE_SMS_MAX_SEGMENTS messages: with the signed look-up link,
    else with the look-up page's address; otherwise the SMS is the usual one without it."""
    fallback = {"link": context["lookup_page"], "sms_survey_link": ""}
    survey = context.get("survey_link")
    if template_key == RESULT_READY and survey:
        for link in (context["link"], context["lookup_page"]):
            values = {**context, "link": link, "sms_survey_link": survey}
            if _sms_fits(template_key, values):
                return values, fallback
    return context, fallback


def _attachments(dossier, slip) -> list[dict]:
    if slip is None:
        return []
    kwargs = {"dossier_id": dossier.pk, "slip": str(slip)}
    if slip == Slip.SUPPLEMENT:
        pause = (
            dossier.pauses.filter(kind=PauseKind.SUPPLEMENT).order_by("-started_at", "-id").first()
        )
        kwargs["pause_id"] = pause.pk if pause else None
    return [{"builder": "dossiers.notices.slip_pdf", "kwargs": kwargs}]


def dossier_event_notify(event) -> list[Notice]:
    """Record the notices of a dossier event (inside its transaction); [] when the event is not
    one citizens hear about or the applicant consented to no channel.

    Never breaks the action that caused the event: a bad phone, a bad address or a template
    error give a failed notice (core.notices.services.notice_create); any other error is
    logged and the event goes on without its notices. Database errors are raised, since the
    transaction could not go on anyway.
    """
    spec = NOTIFIED_EVENTS.get(event.type)
    if spec is None:
        return []
    dossier = event.dossier
    channels = consented_channels(dossier)
    if not channels:
        return []
    template_key, slip = spec
    try:
        context = _event_context(dossier, event)
        notices = []
        for channel, recipient in channels:
            values, fallback = context, {"link": context["lookup_page"]}
            if channel == Notice.Channel.SMS:
                values, fallback = _sms_values(template_key, context)
            notices.append(
                notice_create(
                    channel=channel,
                    recipient=recipient,
                    template_key=template_key,
                    context=values,
                    event_key=f"dossiers.dossierevent:{event.pk}",
                    about=dossier,
                    attachments=_attachments(dossier, slip)
                    if channel == Notice.Channel.EMAIL
                    else [],
                    sms_fallback=fallback,
                )
            )
        return notices
    except DatabaseError:
        raise
    except Exception:
        logger.exception("The notices of dossier event %s could not be recorded", event.pk)
        return []


@notice_attachment
def slip_pdf(*, dossier_id: int, slip: str, pause_id: int | None = None) -> NoticeFile:
    """The slip of the event as a PDF (as printed at the desk), for the email."""
    from core.pdf import render_pdf

    from . import slips
    from .models import Dossier

    dossier = Dossier.objects.select_related("agency", "procedure", "received_by", "handler").get(
        pk=dossier_id
    )
    context = slips.slip_context(dossier, slip, pause_id=pause_id)
    pdf = render_pdf(slips.slip_template(slip), context)
    return NoticeFile(filename=f"{dossier.code}-{slip}.pdf", content=pdf)


# --- the staff preview page: each notice with sample data -------------------------------------
def _sample() -> dict:
    code = "000.00.20.H32-260305-0012"
    return {
        "code": code,
        "sender": "Phòng VH&TT Nha Trang",
        "agency_name": "Phòng Văn hóa và Thông tin thành phố Nha Trang",
        "agency_address": "01 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
        "hotline": "0258 3822 500",
        "procedure_name": "Cấp Giấy phép kinh doanh dịch vụ karaoke",
        "received_on": "05/03/2026",
        "link": lookup_url(code),
        "lookup_page": lookup_page_url(),
        "result_place": "Bộ phận Một cửa - Phòng Văn hóa và Thông tin thành phố Nha Trang",
    }


def _sample_fallback() -> dict:
    return {"link": lookup_page_url()}


SAMPLES = {
    ACCEPTED: lambda: {
        **_sample(),
        "due_on": "12/03/2026",
        "due_text": "17 giờ 00 phút, ngày 12 tháng 3 năm 2026",
    },
    SUPPLEMENT_REQUESTED: lambda: {
        **_sample(),
        "items": ["Bản sao Giấy chứng nhận đăng ký kinh doanh", "Sơ đồ phòng hát"],
        "reason": "Hồ sơ thiếu giấy tờ theo quy định.",
    },
    REFUSED: lambda: {
        **_sample(),
        "reasons": ["Thủ tục không thuộc thẩm quyền giải quyết của cơ quan."],
    },
    RESCHEDULED: lambda: {
        **_sample(),
        "new_due_on": "19/03/2026",
        "new_due_text": "17 giờ 00 phút, ngày 19 tháng 3 năm 2026",
        "reason": "Cần xác minh thêm tại địa điểm kinh doanh.",
    },
    RESULT_READY: lambda: {
        **_sample(),
        "fee": "Lệ phí: 2.000.000 đồng",
        "has_electronic_result": True,
        "result_summary": "Giấy phép số 12/GP-VHTT",
        # In the email only: the SMS gets it as `sms_survey_link` when it fits (_sms_values).
        "survey_link": settings.PUBLIC_BASE_URL.rstrip("/") + "/danh-gia/" + "x" * 32 + "/",
    },
}
LABELS = {
    ACCEPTED: _("Dossier accepted"),
    SUPPLEMENT_REQUESTED: _("Additional documents requested"),
    REFUSED: _("Dossier refused"),
    RESCHEDULED: _("Apology and new appointment"),
    RESULT_READY: _("Result ready"),
}
for _key, _label in LABELS.items():
    register(
        NoticeKind(
            key=_key,
            label=_label,
            sample_context=SAMPLES[_key],
            sample_sms_fallback=_sample_fallback,
        )
    )

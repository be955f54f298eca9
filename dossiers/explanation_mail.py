"""Emails to officers about their explanations of late dossiers: asked for, or returned.

Internal mail between staff, so plain Django email (settings EMAIL_*), not the citizens'
notice outbox. Sent by the task `dossiers.email_explanation_officer`, which services queue on
commit; one email per officer per run of the morning job, listing every dossier to explain.
Written in the office's language whatever language the acting user's screen uses.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import DossierExplanation

logger = logging.getLogger("dossiers.explanations")

KINDS = ("requested", "returned")


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def build_officer_email(*, kind: str, officer, explanations: list) -> tuple[str, str]:
    """(subject, body) of the email about `explanations` of `officer`."""
    if kind not in KINDS:
        raise ValueError(f"unknown explanation email {kind!r}")
    context = {
        "officer": officer,
        "explanations": [
            {"explanation": e, "url": _absolute(e.get_absolute_url())} for e in explanations
        ],
        "list_url": _absolute(reverse("dossiers:explanation-list")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"dossiers/email/explanation_{kind}_subject.txt", context)
        body = render_to_string(f"dossiers/email/explanation_{kind}_body.txt", context)
    return " ".join(subject.split()), body


def send_officer_email(*, kind: str, officer_id: int, explanation_ids: list[int]) -> bool:
    """Send the email if the officer has an address and the explanations still wait for them.

    Returns whether an email went out. Explanations already written (or accepted) by the time
    the task runs are left out; nothing is sent when none is left.
    """
    officer = get_user_model().objects.filter(pk=officer_id, is_active=True).first()
    if officer is None or not officer.email:
        return False
    explanations = list(
        DossierExplanation.objects.filter(
            pk__in=explanation_ids, officer_id=officer_id, status__in=["requested", "returned"]
        )
        .select_related("dossier", "dossier__procedure", "reviewed_by")
        .order_by("explain_by", "id")
    )
    if not explanations:
        return False
    subject, body = build_officer_email(kind=kind, officer=officer, explanations=explanations)
    send_mail(subject, body, None, [officer.email])
    logger.info("Explanation email (%s) sent to officer %s", kind, officer_id)
    return True

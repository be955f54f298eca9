"""Reads of notices: a dossier page's list, /healthz, the staff preview page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from core.models import Notice

from .errors import NoticeTemplateError
from .registry import kinds
from .rendering import EMAIL, SMS, RenderedNotice, render_notice


def notices_about(obj) -> QuerySet[Notice]:
    """The notices about `obj` (any model instance), oldest first, in one query (the content
    type is matched by a join, not looked up)."""
    meta = obj._meta
    return (
        Notice.objects.filter(
            about_type__app_label=meta.app_label,
            about_type__model=meta.model_name,
            about_id=obj.pk,
        )
        .select_related("retried_by")
        .order_by("created_at", "id")
    )


def pending_notices_summary(*, now=None) -> dict:
    """How many notices wait to be sent and the age of the oldest, in seconds (None if none)."""
    now = now or timezone.now()
    row = Notice.objects.filter(status=Notice.Status.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    age = (now - row["oldest"]).total_seconds() if row["oldest"] else None
    return {"pending": row["count"], "oldest_pending_age_seconds": age}


@dataclass(frozen=True)
class TemplatePreview:
    key: str
    label: str
    sms: RenderedNotice | None
    sms_error: str
    email: RenderedNotice | None
    email_error: str


def notice_template_previews() -> list[TemplatePreview]:
    """Every registered notice rendered with its sample data, for the staff preview page.
    A broken template shows its error instead of breaking the page."""
    previews = []
    for kind in kinds():
        context = kind.sample_context()
        fallback = kind.sample_sms_fallback()
        rendered = {SMS: (None, ""), EMAIL: (None, "")}
        for channel in kind.channels:
            try:
                result = render_notice(kind.key, context, channel=channel, sms_fallback=fallback)
                rendered[channel] = (result, "")
            except NoticeTemplateError as error:
                rendered[channel] = (None, error.reason)
        previews.append(
            TemplatePreview(
                key=kind.key,
                label=str(kind.label),
                sms=rendered[SMS][0],
                sms_error=rendered[SMS][1],
                email=rendered[EMAIL][0],
                email_error=rendered[EMAIL][1],
            )
        )
    return previews

"""Template helpers of the public catalogue: durations in plain words, file types, badges."""

import os
from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import ngettext

from core.calendar import TimeUnit
from procedures.constants import OnlineLevel, SubmissionChannel

register = template.Library()

ONLINE_BADGE_CLASSES = {
    OnlineLevel.FULL: "text-bg-success",
    OnlineLevel.PARTIAL: "text-bg-primary",
    OnlineLevel.NONE: "text-bg-secondary",
}


def _amount_text(amount) -> tuple[str, int]:
    """The amount as shown ("5", "0,5" in Vietnamese) and the count that picks the plural."""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        whole = int(amount)
        return str(whole), whole  # no thousands in a processing time
    # A fraction ("0.5 working days") takes the plural form in English; Vietnamese has one form.
    return number_format(amount.normalize()), 2


def duration_words(amount, unit: str) -> str:
    """'5 working days', '15 days', '4 working hours', translated with plural forms."""
    if amount is None or amount == "":
        return ""
    text, count = _amount_text(amount)
    if unit == TimeUnit.CALENDAR_DAYS:
        template_text = ngettext("%(amount)s day", "%(amount)s days", count)
    elif unit == TimeUnit.WORKING_HOURS:
        template_text = ngettext("%(amount)s working hour", "%(amount)s working hours", count)
    else:
        template_text = ngettext("%(amount)s working day", "%(amount)s working days", count)
    return template_text % {"amount": text}


@register.filter
def processing_time(procedure) -> str:
    """`{{ procedure|processing_time }}` -> "5 working days"."""
    return duration_words(procedure.processing_time_amount, procedure.processing_time_unit)


@register.filter
def file_type(field_file) -> str:
    """`{{ component.form_file|file_type }}` -> "DOCX" (from the name; no disk access)."""
    if not field_file:
        return ""
    return os.path.splitext(field_file.name)[1].lstrip(".").upper()


@register.filter
def online_badge_class(level: str) -> str:
    return ONLINE_BADGE_CLASSES.get(level, "text-bg-secondary")


@register.filter
def methods_by_channel(procedure) -> dict:
    """{"in_person": method, "online": method, "postal": method} from the prefetched methods."""
    names = {channel.value: channel.name.lower() for channel in SubmissionChannel}
    return {names[m.channel]: m for m in procedure.methods.all() if m.channel in names}

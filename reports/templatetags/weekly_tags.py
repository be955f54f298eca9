"""Number formatting of the weekly report pages: shares as percentages, changes with a sign.

Formatting only (the figures come from reports.selectors); numbers follow the active language's
decimal separator (django.utils.formats).
"""

from datetime import timedelta

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value) -> str:
    """A share in [0, 1] as "85.3%" ("85,3%" in Vietnamese); None (nothing to divide) as N/A."""
    if value is None or value == "":
        return _("N/A")
    return f"{number_format(round(float(value) * 100, 1), 1)}%"


@register.filter
def signed(value) -> str:
    """A change in a count: "+3", "−2", "0"; None (no previous week) as "—"."""
    if value is None or value == "":
        return "—"
    value = int(value)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "0"


@register.filter
def points(value) -> str:
    """A change in a share, in percentage points: "+2.5 pts"; None as "—"."""
    if value is None or value == "":
        return "—"
    amount = round(float(value) * 100, 1)
    sign = "+" if amount > 0 else ("−" if amount < 0 else "")
    return _("%(sign)s%(amount)s pts") % {
        "sign": sign,
        "amount": number_format(abs(amount), 1),
    }


@register.filter
def add_days(day, days):
    """`day` plus `days` days (a week's Sunday from its Monday)."""
    return day + timedelta(days=int(days))

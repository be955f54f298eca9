"""Template filters of the satisfaction index pages (staff and public)."""

from django import template
from django.utils.formats import number_format

from core.charts import format_value

register = template.Library()


@register.filter
def share(value):
    """A percentage 0..100 as "87,5%" in the active language; None (no answers) as "N/A"."""
    if value is None or value == "":
        return format_value(None)
    return format_value(round(float(value), 1), "%")


@register.filter
def score(value):
    """A mean score 1..5 with two decimals ("4,33"); None as "N/A"."""
    if value is None or value == "":
        return format_value(None)
    return number_format(round(float(value), 2), decimal_pos=2)


@register.filter
def at(sequence, position):
    """sequence[position] in a template (a row's count for the column being drawn)."""
    try:
        return sequence[int(position)]
    except (IndexError, TypeError, ValueError):
        return ""

"""Template filters of the leadership dashboard."""

from django import template

from core.charts import format_value

register = template.Library()


@register.filter
def percent(rate):
    """A ratio 0..1 as "87,5%" in the active language; None (nothing counted) as "N/A"."""
    if rate is None or rate == "":
        return format_value(None)
    return format_value(round(float(rate) * 100, 1), "%")

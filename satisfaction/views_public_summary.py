"""The public summary of the satisfaction survey (`/danh-gia/ket-qua/`, no login).

Aggregates only (satisfaction.selectors.public_summary): the overall index, per criterion the
share of satisfied answers and the mean, the monthly trend and the response counts of the last
SATISFACTION_TREND_MONTHS months. No comment, expectation, name, officer, dossier or procedure
figure; a group smaller than SATISFACTION_PUBLIC_MIN_RESPONSES shows no figure, so no answer can
be tied to a citizen. The figures are kept in the cache for SATISFACTION_PUBLIC_CACHE_SECONDS:
a busy day costs a few queries every few minutes, not per visitor.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.selectors import primary_agency
from core.charts import Series, line_chart

from . import selectors

CACHE_KEY = "satisfaction:public-summary:v1:{agency}:{day}"


def summary_for(agency) -> selectors.PublicSummary:
    """The agency's public summary, from the cache when fresh (keyed by agency and local day)."""
    key = CACHE_KEY.format(agency=agency.pk, day=timezone.localdate().isoformat())
    summary = cache.get(key)
    if summary is None:
        summary = selectors.public_summary(agency_id=agency.pk, until=timezone.now())
        cache.set(key, summary, settings.SATISFACTION_PUBLIC_CACHE_SECONDS)
    return summary


@login_not_required
@require_GET
def public_summary(request):
    agency = primary_agency()
    summary = summary_for(agency) if agency is not None else None
    chart = None
    if summary is not None:
        chart = line_chart(
            title=_("Overall satisfaction index by month"),
            labels=[f"{month.first_day:%m/%Y}" for month in summary.months],
            series=[Series(_("Overall index"), [month.overall for month in summary.months])],
            y_max=100,
            y_suffix="%",
        )
    return render(
        request, "satisfaction/public_summary.html", {"summary": summary, "trend_chart": chart}
    )

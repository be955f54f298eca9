from django.db import models
from django.db.models import Case, Q, Value, When

from core.text import fold

from .constants import OPEN_STATUSES, PAUSED_STATUSES, DossierStatus


class DossierQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def running(self):
        """Open dossiers whose clock runs (not paused, not awaiting acceptance)."""
        return self.filter(status__in=[DossierStatus.ACCEPTED, DossierStatus.PROCESSING])

    def overdue(self, now):
        """Running dossiers past their due time. A paused dossier is not overdue: its clock is
        stopped and its due date moves when it resumes (DOMAIN.md §3.6, §3.8)."""
        return self.running().filter(due_at__lt=now)

    def due_by(self, moment):
        """Running dossiers due no later than `moment` (thresholds come from core.calendar)."""
        return self.running().filter(due_at__lte=moment)

    def received_between(self, start, end):
        return self.filter(received_at__gte=start, received_at__lt=end)

    def with_urgency(self, *, now, amber_until):
        """Annotate `urgency`: 0 overdue, 1 due by `amber_until`, 2 on track or paused, 3 closed."""
        return self.annotate(
            urgency=Case(
                When(~Q(status__in=OPEN_STATUSES), then=Value(3)),
                When(status__in=PAUSED_STATUSES, then=Value(2)),
                When(due_at__lt=now, then=Value(0)),
                When(due_at__lte=amber_until, then=Value(1)),
                default=Value(2),
                output_field=models.IntegerField(),
            )
        )

    def search(self, text):
        """Staff free-text search: code fragment, applicant or organisation name (with or without
        diacritics) or phone digits."""
        text = (text or "").strip()[:100]
        if not text:
            return self
        digits = "".join(ch for ch in text if ch.isdigit())
        query = Q(code__icontains=text) | Q(applicant_search__contains=fold(text))
        if len(digits) >= 4:
            query |= Q(applicant_phone__contains=digits[-9:])
        return self.filter(query)

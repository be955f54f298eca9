"""Small side-effect-free filters of feedback items that selectors combine."""

from django.db import models
from django.db.models import Case, Q, Value, When

from core.text import fold

from .constants import OPEN_STATUSES, FeedbackStatus

# Longest archive query we look at; anything longer is cut (a normal page, never an error).
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8


def search_terms(query: str) -> list[str]:
    """The folded words of a search, at most MAX_QUERY_TERMS, duplicates removed."""
    terms = fold((query or "")[:MAX_QUERY_LENGTH]).split()
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


class FeedbackQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FeedbackStatus.PUBLISHED)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now):
        """Open items whose current stage is past its due date."""
        return self.open().filter(due_at__lt=now)

    def with_overdue(self, now):
        """Annotate `is_overdue` (bool) for lists."""
        return self.annotate(
            is_overdue=Case(
                When(Q(status__in=OPEN_STATUSES, due_at__lt=now), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def search(self, query: str):
        """Rows whose folded public text contains every folded term of `query`.

        `search_text` is stored lower-case and without diacritics (core.text.fold), so "le phi"
        and "lệ phí" match the same rows; on PostgreSQL a trigram GIN index serves the LIKE
        (migration feedback 0002).
        """
        qs = self
        for term in search_terms(query):
            qs = qs.filter(search_text__contains=term)
        return qs

from django.db import models
from django.db.models import (
    Case,
    CharField,
    ExpressionWrapper,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Concat

from core.text import fold

from .constants import ProcedureStatus

# Longest query we search for; anything longer is cut (a normal page, never an error).
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
# Shorter syllables ("ky", "thu", "the") match too much on their own to be worth a fallback result.
MIN_FALLBACK_TERM_LENGTH = 4


def search_terms(query: str) -> list[str]:
    """The folded words of a search, at most MAX_QUERY_TERMS, duplicates removed."""
    terms = fold((query or "")[:MAX_QUERY_LENGTH]).split()
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ProcedureStatus.PUBLISHED)

    def search(self, query: str):
        """Rows whose folded text contains every folded term of `query` (diacritics ignored).

        `search_text` is stored lower-case and without diacritics, so a plain LIKE on it is
        case- and accent-insensitive on SQLite and PostgreSQL alike; on PostgreSQL a trigram
        GIN index serves it (migration procedures 0002).
        """
        qs = self
        for term in search_terms(query):
            qs = qs.filter(search_text__contains=term)
        return qs

    def search_any(self, query: str):
        """Rows containing at least one whole word of `query` (of 4 letters or more), annotated
        `matched_terms` (how many). The fallback when no row contains every word: "dang ky
        karaoke" still finds the karaoke licence, whose name does not say "đăng ký".
        It runs only after a search found nothing.
        """
        terms = [t for t in search_terms(query) if len(t) >= MIN_FALLBACK_TERM_LENGTH]
        if not terms:
            return self.annotate(matched_terms=Value(0, output_field=IntegerField())).none()
        words = [f" {t} " for t in terms]
        padded = Concat(Value(" "), "search_text", Value(" "), output_field=CharField())
        qs = self.annotate(padded_text=padded)
        matched = sum(
            (Case(When(padded_text__contains=w, then=Value(1)), default=Value(0)) for w in words),
            Value(0),
        )
        # The plain `contains` lets the trigram index find candidates; the padded one keeps
        # whole words only.
        any_word = Q()
        for term, word in zip(terms, words, strict=True):
            any_word |= Q(search_text__contains=term) & Q(padded_text__contains=word)
        return qs.filter(any_word).annotate(
            matched_terms=ExpressionWrapper(matched, output_field=IntegerField())
        )

from django.db import models

from core.text import fold

from .constants import ProcedureStatus

# Longest query we search for; anything longer is cut (a normal page, never an error).
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ProcedureStatus.PUBLISHED)

    def search(self, query: str):
        """Rows whose folded text contains every folded term of `query` (diacritics ignored).

        `search_text` is stored lower-case and without diacritics, so a plain LIKE on it is
        case- and accent-insensitive on SQLite and PostgreSQL alike; on PostgreSQL a trigram
        GIN index serves it (migration procedures 0002).
        """
        terms = fold(query[:MAX_QUERY_LENGTH]).split()[:MAX_QUERY_TERMS]
        qs = self
        for term in terms:
            qs = qs.filter(search_text__contains=term)
        return qs

"""Reads of the public catalogue: only published versions ever leave this module.

Called by the public catalogue views (procedures.views); other apps may call them too (the
dossier look-up and feedback forms show the procedure they refer to). Every selector runs a
bounded number of queries whatever the number of rows.
"""

import re

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Collate

from core.text import fold

from .constants import ProcedureStatus
from .models import DossierComponent, Field, Procedure, ProcedureStep, SubmissionMethod
from .querysets import MAX_QUERY_LENGTH, search_terms

# Names sort in Vietnamese order ("Đăng ký" between "Cấp" and "Gia hạn") where the database can.
# PostgreSQL ships the ICU collation with Debian's packages; SQLite sorts by code point.
VIETNAMESE_COLLATION = "vi-x-icu"
_NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
# The columns a catalogue line shows (procedure_list.html); the long texts stay in the database.
LIST_COLUMNS = [
    "code",
    "name",
    "field__name",
    "processing_time_amount",
    "processing_time_unit",
    "fee_description",
    "online_level",
    "is_illustrative",
]
# Beyond this a page number goes through Paginator's range check (no absurd SQL OFFSET).
MAX_PAGE_NUMBER = 10_000
FIELD_CHOICES_CACHE_KEY = "procedures:field-choices:v1"
FIELD_CHOICES_CACHE_SECONDS = 60


def _by_name(expression: str):
    if connection.vendor == "postgresql":
        return Collate(expression, VIETNAMESE_COLLATION)
    return F(expression)


def procedure_list(
    *, query: str = "", field: str = "", online_level: str = "", match_all: bool = True
) -> QuerySet[Procedure]:
    """Published procedures matching the citizen's search, ready to paginate.

    - `query`: every word must appear in the code, local code, name or field, ignoring case and
      diacritics ("dang ky" finds "Đăng ký"); see ProcedureQuerySet.search.
    - `field`: a Field code; `online_level`: an OnlineLevel value. Empty means no filter.

    Order: when searching, procedures whose name (or code, field) contains the whole phrase
    first, then by name; when browsing, by field then name. The field is joined for the list
    line (select_related); only the columns a list line shows are loaded (LIST_COLUMNS).
    """
    qs = Procedure.objects.published().select_related("field").only(*LIST_COLUMNS)
    if field:
        qs = qs.filter(field__code=field)
    if online_level:
        qs = qs.filter(online_level=online_level)
    phrase = fold(query[:MAX_QUERY_LENGTH])
    if phrase and not match_all:
        # Fallback: the procedures containing the most of the words first.
        return qs.search_any(query).order_by("-matched_terms", _by_name("name"), "code")
    if phrase:
        qs = qs.search(query).annotate(
            phrase_rank=Case(
                When(search_text__contains=phrase, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        return qs.order_by("phrase_rank", _by_name("name"), "code")
    return qs.order_by(_by_name("field__name"), _by_name("name"), "code")


def procedure_page(
    *, query: str = "", field: str = "", online_level: str = "", page=None, page_size: int
) -> Page:
    """Page `page` of procedure_list(...) for the public catalogue, with the total count.

    The page rows and the total come from one query (COUNT(*) OVER ()), so a search costs one
    scan instead of two. Like Paginator.get_page, a page that is not a number gives the first
    page and one out of range gives the last (two more queries, on that rare path only).
    """
    page = _page_of(
        procedure_list(query=query, field=field, online_level=online_level), page, page_size
    )
    if page.paginator.count == 0 and len(search_terms(query)) > 1:
        # No procedure contains every word: show those containing some of them, marked so.
        procedures = procedure_list(
            query=query, field=field, online_level=online_level, match_all=False
        )
        page = _page_of(procedures, page.number, page_size)
        page.is_partial_match = page.paginator.count > 0
    return page


def _page_of(procedures, page, page_size: int) -> Page:
    paginator = Paginator(procedures, page_size)
    try:
        number = int(page) if page is not None else 1
    except (TypeError, ValueError):
        number = 1
    if 1 <= number <= MAX_PAGE_NUMBER:
        start = (number - 1) * paginator.per_page
        rows = list(
            procedures.annotate(total_count=Window(Count("pk")))[start : start + paginator.per_page]
        )
        if rows or number == 1:
            paginator.count = rows[0].total_count if rows else 0
            return Page(rows, number, paginator)
    return paginator.get_page(number)


def procedure_detail(*, code: str) -> Procedure | None:
    """The published version of the procedure with national code `code`, or None.

    Steps, submission methods and dossier components come prefetched in their public order
    (three queries); the field and the receiving agency are joined.
    """
    if not isinstance(code, str) or not _NATIONAL_CODE.match(code):
        return None
    return (
        Procedure.objects.published()
        .select_related("field", "agency")
        .prefetch_related(
            # Explicit orders: the models' default ordering starts with the procedure, which
            # would join the procedure table again for nothing.
            Prefetch("steps", queryset=ProcedureStep.objects.order_by("position", "id")),
            Prefetch("methods", queryset=SubmissionMethod.objects.order_by("channel")),
            Prefetch("components", queryset=DossierComponent.objects.order_by("position", "id")),
        )
        .filter(code=code)
        .first()
    )


def component_form(*, code: str, component_id: int) -> DossierComponent | None:
    """The dossier component `component_id` of the *published* version of `code`, if it has a
    form file to download; None otherwise (drafts and retired versions stay private)."""
    if not isinstance(code, str) or not _NATIONAL_CODE.match(code):
        return None
    return (
        DossierComponent.objects.select_related("procedure")
        .filter(
            pk=component_id,
            procedure__code=code,
            procedure__status=ProcedureStatus.PUBLISHED,
        )
        .exclude(form_file="")
        .first()
    )


def field_choices() -> list[Field]:
    """Fields with at least one published procedure, by name: the catalogue's field filter.

    Cached for a minute (fields change a few times a year): a field shows up in the filter at
    most a minute after its first procedure is published.
    """
    fields = cache.get(FIELD_CHOICES_CACHE_KEY)
    if fields is None:
        published = Procedure.objects.published().filter(field=OuterRef("pk"))
        fields = list(
            Field.objects.filter(Exists(published)).only("code", "name").order_by(_by_name("name"))
        )
        cache.set(FIELD_CHOICES_CACHE_KEY, fields, FIELD_CHOICES_CACHE_SECONDS)
    return fields

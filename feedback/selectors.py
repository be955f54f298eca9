"""Reads of feedback that carry rules: the staff register, the public archive and tracking,
the figures for leadership.

Public reads never load the sender's fields: they select the public texts only (`.only()`),
so personal data cannot reach a public template by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, Sum
from django.utils import timezone

from procedures.models import Field, Procedure

from .constants import (
    DECIDED_STATUSES,
    OPEN_STATUSES,
    Category,
    Channel,
    FeedbackStatus,
)
from .models import Feedback, FeedbackEvent
from .permissions import FeedbackNotFound, visible_feedback
from .querysets import search_terms
from .tokens import check_tracking_token, normalize_code

# The archive shows at most this many pages: every query of the public archive stays bounded,
# whatever the size of the table.
ARCHIVE_MAX_PAGE = 50
# A search first looks among this many newest answers per page asked for (see archive_search).
ARCHIVE_WINDOW_ROWS = 2000
PUBLIC_FIELDS = (
    "pk",
    "kind",
    "category",
    "public_question",
    "public_answer",
    "published_at",
    "helpful_count",
    "not_helpful_count",
    "procedure__name",
    "procedure__code",
    "field__name",
)


# --- public archive --------------------------------------------------------------------------
def _public(queryset):
    return queryset.published().select_related("procedure", "field").only(*PUBLIC_FIELDS)


@dataclass(frozen=True)
class ArchivePage:
    items: list
    number: int
    page_size: int
    has_next: bool
    # How many answers match, when this page shows them all (no count query otherwise).
    total: int | None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else 0


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _window_ids(*, terms, procedure_ids, field_id, offset, limit, window) -> list[int] | None:
    """Ids of the matches among the `window` newest answers, newest first; None when the window
    holds fewer than offset + limit matches (then only the whole table can answer).

    The LIMITed subquery cannot be flattened, so PostgreSQL walks the newest-first index for
    `window` rows and filters them: a fixed cost, whatever the words. Without it a search for
    words that often occur together ("quảng cáo rao vặt") is estimated rare, read through the
    trigram index, and every match is fetched and sorted (150 ms at 100,000 answers).
    """
    conditions, params = [], [FeedbackStatus.PUBLISHED, window]
    for term in terms:
        conditions.append("search_text LIKE %s")
        params.append(_like(term))
    if procedure_ids is not None:
        conditions.append("procedure_id = ANY(%s)")
        params.append(procedure_ids)
    if field_id:
        conditions.append("field_id = %s")
        params.append(field_id)
    # Only the fixed strings above are joined in; every value is a parameter.
    sql = " ".join(
        [
            "SELECT id FROM (SELECT id, search_text, procedure_id, field_id, published_at",
            "FROM feedback_feedback WHERE status = %s",
            "ORDER BY published_at DESC, id DESC LIMIT %s) AS recent",
            "WHERE",
            " AND ".join(conditions),
            "ORDER BY published_at DESC, id DESC LIMIT %s OFFSET %s",
        ]
    )
    params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) == limit else None


def archive_search(
    *, query: str = "", procedure_code: str = "", field_id: int | None = None, page: int = 1
) -> ArchivePage:
    """Published answers matching every word of `query` (diacritics and case ignored), newest
    first, optionally of one procedure (all its versions) or one field.

    Bounded whatever the table size: at most ARCHIVE_MAX_PAGE pages, no count query (the total
    is given only when one page holds every match). A search with words first looks among the
    newest answers (ARCHIVE_WINDOW_ROWS per page asked for): enough matches there are the
    newest matches of all. Otherwise the words are rare and the trigram index finds them.
    """
    page_size = settings.FEEDBACK_ARCHIVE_PAGE_SIZE
    page = min(max(page, 1), ARCHIVE_MAX_PAGE)
    offset = (page - 1) * page_size
    limit = page_size + 1
    terms = search_terms(query)
    procedure_ids = None
    if procedure_code:
        procedure_ids = list(
            Procedure.objects.filter(code=procedure_code[:20]).values_list("pk", flat=True)
        )
    rows = None
    if terms and connection.vendor == "postgresql" and procedure_ids != []:
        ids = _window_ids(
            terms=terms,
            procedure_ids=procedure_ids,
            field_id=field_id,
            offset=offset,
            limit=limit,
            window=ARCHIVE_WINDOW_ROWS * page,
        )
        if ids is not None:
            by_pk = {row.pk: row for row in _public(Feedback.objects.filter(pk__in=ids))}
            rows = [by_pk[pk] for pk in ids if pk in by_pk]
    if rows is None:
        queryset = Feedback.objects.published().search(query)
        if procedure_ids is not None:
            queryset = queryset.filter(procedure_id__in=procedure_ids)
        if field_id:
            queryset = queryset.filter(field_id=field_id)
        rows = list(_public(queryset).order_by("-published_at", "-id")[offset : offset + limit])
    has_next = len(rows) > page_size and page < ARCHIVE_MAX_PAGE
    rows = rows[:page_size]
    return ArchivePage(
        items=rows,
        number=page,
        page_size=page_size,
        has_next=has_next,
        total=len(rows) if page == 1 and not has_next else None,
    )


def archive_filters() -> dict:
    """Choices of the archive's filters: published procedures (one per code) and fields."""
    procedures = (
        Procedure.objects.published().order_by("name").values_list("code", "name").distinct()
    )
    return {
        "procedures": list(procedures),
        "fields": list(Field.objects.order_by("name").values_list("pk", "name")),
    }


def archive_answer(*, pk: int) -> Feedback | None:
    """One published answer, public texts only; None if missing or not published."""
    return _public(Feedback.objects.filter(pk=pk)).first()


def procedure_questions(*, procedure, limit: int | None = None) -> list[Feedback]:
    """Published answers about a procedure (any version), most helpful first: the questions
    and answers of the procedure's page."""
    limit = limit or settings.FEEDBACK_PROCEDURE_QA_COUNT
    return list(
        _public(Feedback.objects.filter(procedure__code=procedure.code)).order_by(
            "-helpful_count", "-published_at", "-id"
        )[:limit]
    )


# --- public tracking -------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackedFeedback:
    """What the tracking page shows: status and dates, never personal data or texts."""

    code: str
    kind_label: str
    status: str
    status_label: str
    received_at: datetime
    handle_due_at: datetime
    is_open: bool
    competent_body: str
    decided_at: datetime | None
    published_pk: int | None


def track(*, code: str, token: str) -> TrackedFeedback | None:
    """The item of a tracking link, if the token matches the code; None otherwise."""
    code = normalize_code(code)
    if code is None or not check_tracking_token(code, token):
        return None
    row = (
        Feedback.objects.filter(code=code)
        .only(
            "pk",
            "code",
            "kind",
            "status",
            "received_at",
            "handle_due_at",
            "competent_body",
            "decided_at",
        )
        .first()
    )
    if row is None:
        return None
    return TrackedFeedback(
        code=row.code,
        kind_label=row.get_kind_display(),
        status=row.status,
        status_label=row.get_status_display(),
        received_at=row.received_at,
        handle_due_at=row.handle_due_at,
        is_open=row.status in OPEN_STATUSES and row.status != FeedbackStatus.ANSWERED,
        competent_body=row.competent_body if row.status == FeedbackStatus.FORWARDED else "",
        decided_at=row.decided_at,
        published_pk=row.pk if row.status == FeedbackStatus.PUBLISHED else None,
    )


# --- staff register --------------------------------------------------------------------------
REGISTER_FIELDS = (
    "pk",
    "code",
    "agency_id",
    "register_year",
    "register_number",
    "kind",
    "category",
    "channel",
    "sender_name",
    "status",
    "classification",
    "received_at",
    "due_at",
    "is_on_time",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__username",
    "procedure__name",
)


def feedback_register(*, user, filters: dict | None = None, now: datetime | None = None):
    """The register (sổ tiếp nhận) the user may see, filtered, newest first, with `is_overdue`.

    filters: status ("open", "overdue" or a status), category, channel, kind, year,
    assigned ("me"), q (receipt code, register number or part of the sender's name).
    """
    filters = filters or {}
    now = now or timezone.now()
    queryset = visible_feedback(user).select_related("assigned_to", "procedure")
    status = filters.get("status")
    if status == "open":
        queryset = queryset.open()
    elif status == "overdue":
        queryset = queryset.overdue(now)
    elif status in FeedbackStatus.values:
        queryset = queryset.filter(status=status)
    for name in ("category", "channel", "kind"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("year"):
        queryset = queryset.filter(register_year=filters["year"])
    if filters.get("assigned") == "me":
        queryset = queryset.filter(assigned_to=user)
    query = (filters.get("q") or "").strip()[:100]
    if query:
        condition = Q(code__iexact=query) | Q(sender_name__icontains=query)
        number, _sep, year = query.partition("/")
        if number.isdigit() and len(number) < 9:
            condition |= Q(register_number=int(number)) & (
                Q(register_year=int(year)) if year.isdigit() and len(year) == 4 else Q()
            )
        queryset = queryset.filter(condition)
    return (
        queryset.with_overdue(now)
        .only(*REGISTER_FIELDS)
        .order_by("-register_year", "-register_number")
    )


def register_counts(*, user, now: datetime | None = None) -> dict:
    """Totals over everything the user may see (one query): all, open, overdue."""
    now = now or timezone.now()
    return visible_feedback(user).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
    )


def feedback_for_staff(*, user, code: str) -> Feedback:
    """One item with its history and files, if the user may see it (404 otherwise)."""
    feedback = (
        visible_feedback(user)
        .select_related("agency", "procedure", "field", "assigned_to", "received_by", "answered_by")
        .prefetch_related(
            Prefetch("events", queryset=FeedbackEvent.objects.select_related("actor")),
            "attachments",
        )
        .filter(code=code)
        .first()
    )
    if feedback is None:
        raise FeedbackNotFound
    return feedback


def assignable_officers(*, feedback):
    """Active staff of the item's agency who may answer feedback."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(
        content_type__app_label="feedback", codename="answer_feedback"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, department__agency_id=feedback.agency_id)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
        .order_by("last_name", "first_name")
    )


# --- figures ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    total: int
    by_category: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    decided: int
    decided_on_time: int
    open: int
    overdue: int
    published: int
    helpful: int
    not_helpful: int
    voted_items: int
    satisfied_items: int

    @property
    def on_time_rate(self) -> float | None:
        """Share of decisions (refusal, forwarding, answer) made within their time limit."""
        return self.decided_on_time / self.decided if self.decided else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of voted answers with at least as many "helpful" as "not helpful" votes (the
        national index counts dislike > like as not satisfied [S])."""
        return self.satisfied_items / self.voted_items if self.voted_items else None


def feedback_figures(
    *, agency, since: datetime | None = None, until: datetime | None = None
) -> Figures:
    """Counts by category and channel, on-time decisions, helpfulness of published answers, for
    items of `agency` received in [since, until). One aggregate query. Read by the staff figures
    page and by the leadership dashboard."""
    now = timezone.now()
    queryset = Feedback.objects.filter(agency=agency)
    if since is not None:
        queryset = queryset.filter(received_at__gte=since)
    if until is not None:
        queryset = queryset.filter(received_at__lt=until)
    aggregates = {
        "total": Count("pk"),
        "decided": Count("pk", filter=Q(status__in=DECIDED_STATUSES, is_on_time__isnull=False)),
        "decided_on_time": Count("pk", filter=Q(status__in=DECIDED_STATUSES, is_on_time=True)),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        "published": Count("pk", filter=Q(status=FeedbackStatus.PUBLISHED)),
        "helpful": Sum("helpful_count", default=0),
        "not_helpful": Sum("not_helpful_count", default=0),
        "voted_items": Count("pk", filter=Q(helpful_count__gt=0) | Q(not_helpful_count__gt=0)),
        "satisfied_items": Count(
            "pk",
            filter=(Q(helpful_count__gt=0) | Q(not_helpful_count__gt=0))
            & Q(helpful_count__gte=F("not_helpful_count")),
        ),
    }
    for value in Category.values:
        aggregates[f"category_{value}"] = Count("pk", filter=Q(category=value))
    for value in Channel.values:
        aggregates[f"channel_{value}"] = Count("pk", filter=Q(channel=value))
    row = queryset.aggregate(**aggregates)
    return Figures(
        total=row["total"],
        by_category=[(label, row[f"category_{value}"]) for value, label in Category.choices],
        by_channel=[(label, row[f"channel_{value}"]) for value, label in Channel.choices],
        decided=row["decided"],
        decided_on_time=row["decided_on_time"],
        open=row["open"],
        overdue=row["overdue"],
        published=row["published"],
        helpful=row["helpful"],
        not_helpful=row["not_helpful"],
        voted_items=row["voted_items"],
        satisfied_items=row["satisfied_items"],
    )

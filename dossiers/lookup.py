"""Selectors of the citizen's public dossier look-up (no login).

A citizen reaches a dossier with its code plus the last 4 digits of the applicant's phone, or
with the signed link printed as a QR code on the receipt slip (dossiers.tokens). What leaves this
module is a `PublicDossier`: a small view-model holding only what a citizen may see (STYLE.md
"Permissions and public access", DOMAIN.md §12.3). The applicant's personal data (name, ID
number, phone, email, address), attachments and internal notes are not even selected; officers'
names are read only to be removed from the public text (_Redactor).

Called by dossiers.views.lookup, which keeps rendered result pages in the cache. Every look-up
runs `find_dossier` / `find_dossier_by_token`: one indexed query answering whether the citizen
may see the dossier and which version of its public page is current (`LookupMatch.version`).
When that version's page is not cached, `public_dossier_of` builds it with bounded queries
whatever the history length: the dossier with its procedure and agency (1), its public events
(1), the open pause when the clock is paused (1), earlier handlers' names when the dossier was
handed over more than once (1), whether a later version of a retired procedure is published (1,
rare), the calendar overrides when no copy is cached (1). Reads return plain values, not model
instances: this is the hot path of a public page.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Agency, User
from core.calendar import TimeUnit, WorkingCalendar, get_calendar
from procedures.constants import ProcedureStatus
from procedures.models import Procedure
from procedures.templatetags.catalogue import duration_words

from .clock import DueDateExplanation, explain_due_date
from .constants import PAUSED_STATUSES, DossierStatus, EventType, PauseKind
from .models import Dossier, DossierEvent, DossierPause
from .tokens import check_lookup_token

logger = logging.getLogger(__name__)

CODE_MAX_LENGTH = 60  # Dossier.code
# Agency identifier, receipt date and sequence (DOMAIN.md §4.2), e.g. 000.00.20.H32-260212-0001.
_CODE_SHAPE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{4,59}$", re.ASCII)
_LAST4_SHAPE = re.compile(r"^[0-9]{4}$", re.ASCII)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")

# What each status means for the citizen, in plain words.
STATUS_TEXT = {
    DossierStatus.SUBMITTED: gettext_lazy(
        "We have your online submission. The one-stop desk has not checked it yet."
    ),
    DossierStatus.ACCEPTED: gettext_lazy(
        "Your dossier was accepted and will be handed to the office that processes it."
    ),
    DossierStatus.PROCESSING: gettext_lazy("Your dossier is being processed."),
    DossierStatus.SUPPLEMENT_REQUESTED: gettext_lazy(
        "We need more documents from you. The clock is paused until they arrive."
    ),
    DossierStatus.AWAITING_PAYMENT: gettext_lazy(
        "We are waiting for the fee payment. The clock is paused until it is paid."
    ),
    DossierStatus.REFUSED: gettext_lazy("Your dossier was not accepted."),
    DossierStatus.WITHDRAWN: gettext_lazy("Your dossier was withdrawn at your request."),
    DossierStatus.STOPPED: gettext_lazy("Processing of your dossier was stopped."),
    DossierStatus.RESOLVED: gettext_lazy("Your result is ready."),
    DossierStatus.RETURNED: gettext_lazy("Your result has been handed over."),
}


class NextStep:
    """What the citizen must do next (the template words each case)."""

    WAIT_FOR_CHECK = "wait_for_check"
    WAIT = "wait"
    BRING_DOCUMENTS = "bring_documents"
    PAY_FEE = "pay_fee"
    COLLECT_RESULT = "collect_result"
    READ_NOTICE = "read_notice"
    NOTHING = "nothing"


_NEXT_STEP = {
    DossierStatus.SUBMITTED: NextStep.WAIT_FOR_CHECK,
    DossierStatus.ACCEPTED: NextStep.WAIT,
    DossierStatus.PROCESSING: NextStep.WAIT,
    DossierStatus.SUPPLEMENT_REQUESTED: NextStep.BRING_DOCUMENTS,
    DossierStatus.AWAITING_PAYMENT: NextStep.PAY_FEE,
    DossierStatus.RESOLVED: NextStep.COLLECT_RESULT,
    DossierStatus.REFUSED: NextStep.READ_NOTICE,
    DossierStatus.STOPPED: NextStep.READ_NOTICE,
    DossierStatus.WITHDRAWN: NextStep.NOTHING,
    DossierStatus.RETURNED: NextStep.NOTHING,
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str


@dataclass(frozen=True)
class Desk:
    """Where to bring documents and collect the result (public contact data of the agency)."""

    name: str
    address: str
    office_hours: str
    hotline: str


@dataclass(frozen=True)
class PublicDossier:
    code: str
    procedure_name: str
    procedure_url: str  # "" when no version of the procedure is published any more
    processing_time_amount: Decimal
    processing_time_unit: str
    status: str
    status_label: str
    status_text: str
    received_at: datetime
    due_at: datetime | None
    rescheduled_due_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    explanation: DueDateExplanation | None
    paused_duration: str  # "2 working days" when pauses moved the due date, else ""
    is_paused: bool
    is_overdue: bool
    # When the page starts saying "late" (the appointment of a dossier still being processed);
    # None when it never will. Pages kept in a cache must not outlive it.
    overdue_at: datetime | None
    current_place: str
    timeline: list[TimelineEntry]
    next_step: str
    requested_items: list[str]
    desk: Desk

    @property
    def appointment_at(self) -> datetime | None:
        return self.rescheduled_due_at or self.due_at

    @property
    def is_in_working_days(self) -> bool:
        return self.processing_time_unit == TimeUnit.WORKING_DAYS

    @property
    def is_in_working_hours(self) -> bool:
        return self.processing_time_unit == TimeUnit.WORKING_HOURS

    @property
    def holidays(self) -> list[tuple[date, str]]:
        return self.explanation.holidays if self.explanation else []


# --- input --------------------------------------------------------------------------------
def normalize_code(value: str) -> str | None:
    """The dossier code as stored, from what a citizen typed; None if it cannot be one.

    Spaces are dropped, letters upper-cased, typographic dashes and full-width characters
    folded (NFKC); anything outside A-Z 0-9 . - is refused.
    """
    if not isinstance(value, str) or len(value) > CODE_MAX_LENGTH * 2:
        return None
    text = unicodedata.normalize("NFKC", value).translate(_DASHES)
    text = "".join(text.split()).upper()
    return text if _CODE_SHAPE.match(text) else None


def normalize_last4(value: str) -> str | None:
    """Exactly four ASCII digits (spaces ignored, full-width digits folded), else None."""
    if not isinstance(value, str) or len(value) > 20:
        return None
    text = "".join(unicodedata.normalize("NFKC", value).split())
    return text if _LAST4_SHAPE.match(text) else None


# --- selectors ----------------------------------------------------------------------------
def public_dossier(
    *, code: str, phone_last4: str, calendar: WorkingCalendar | None = None
) -> PublicDossier | None:
    """The public view of the dossier `code` if `phone_last4` matches, else None.

    A wrong code and a wrong phone give the same None through the same single query, so the
    answer (and its timing) does not tell which one was wrong. Inputs are normalised here
    (normalize_code / normalize_last4); malformed ones return None without a query.
    """
    code, phone_last4 = normalize_code(code), normalize_last4(phone_last4)
    if code is None or phone_last4 is None:
        return None
    dossier = _load(code=code, phone_last4=phone_last4)
    return _build(dossier, calendar=calendar) if dossier else None


def public_dossier_by_token(
    *, code: str, token: str, calendar: WorkingCalendar | None = None
) -> PublicDossier | None:
    """The public view of `code` opened with the signed QR link; None if the token is not valid
    for this code (checked before any query) or the dossier does not exist."""
    if not isinstance(code, str) or len(code) > CODE_MAX_LENGTH or not isinstance(token, str):
        return None
    if not check_lookup_token(code, token):
        return None
    dossier = _load(code=code)
    return _build(dossier, calendar=calendar) if dossier else None


@dataclass(frozen=True)
class LookupMatch:
    """A dossier the citizen may see, and the version of what its public page shows."""

    dossier_id: int
    code: str
    version: tuple


def find_dossier(*, code: str, phone_last4: str) -> LookupMatch | None:
    """The dossier `code` if `phone_last4` matches, else None: the check of public_dossier in
    one indexed query that reads no more than the page's version (see _MATCH_SQL).

    A wrong code and a wrong phone give the same None through the same query; malformed inputs
    return None without a query.
    """
    code, phone_last4 = normalize_code(code), normalize_last4(phone_last4)
    if code is None or phone_last4 is None:
        return None
    return _match(_BY_CODE_AND_PHONE, [code, phone_last4])


def find_dossier_by_token(*, code: str, token: str) -> LookupMatch | None:
    """The dossier `code` opened with the signed QR link (token checked before any query)."""
    if not isinstance(code, str) or len(code) > CODE_MAX_LENGTH or not isinstance(token, str):
        return None
    if not check_lookup_token(code, token):
        return None
    return _match(_BY_CODE, [code])


def public_dossier_of(
    match: LookupMatch, *, calendar: WorkingCalendar | None = None
) -> PublicDossier | None:
    """The public view of a dossier found by find_dossier*; None if it was deleted since."""
    dossier = _load(pk=match.dossier_id)
    return _build(dossier, calendar=calendar) if dossier else None


# What a public page shows changes only when one of these does: the dossier row (every service
# that changes it saves updated_at), its newest public event (events are append-only), its
# procedure version and whether a version of that procedure is published (the link), its agency
# (the desk's address, hours and hotline). Plain SQL: this runs on every look-up, and building
# the same query with the ORM takes longer than PostgreSQL takes to answer it.
_MATCH_SQL = f"""
    SELECT d.id, d.code, d.updated_at,
        (SELECT max(e.id) FROM {DossierEvent._meta.db_table} e
            WHERE e.dossier_id = d.id AND e.is_public),
        p.updated_at,
        p.status = %s OR EXISTS (
            SELECT 1 FROM {Procedure._meta.db_table} q WHERE q.code = p.code AND q.status = %s
        ),
        a.updated_at
    FROM {Dossier._meta.db_table} d
    JOIN {Procedure._meta.db_table} p ON p.id = d.procedure_id
    JOIN {Agency._meta.db_table} a ON a.id = d.agency_id
    WHERE d.code = %s"""  # noqa: S608 (table names from the models, values as parameters)


@dataclass(frozen=True)
class _Statement:
    name: str  # of the prepared statement (PostgreSQL)
    sql: str  # with %s placeholders
    prepare: str  # PREPARE ... AS the same SQL with $1, $2...
    execute: str  # EXECUTE name (%s, ...)


def _statement(name: str, sql: str) -> _Statement:
    count = sql.count("%s")
    numbered = sql
    for n in range(1, count + 1):
        numbered = numbered.replace("%s", f"${n}", 1)
    placeholders = ", ".join(["%s"] * count)
    prepare, execute = f"PREPARE {name} AS {numbered}", f"EXECUTE {name} ({placeholders})"
    return _Statement(name, sql, prepare, execute)


_BY_CODE = _statement("dossiers_lookup_by_code", _MATCH_SQL)
_BY_CODE_AND_PHONE = _statement(
    "dossiers_lookup_by_code_phone", _MATCH_SQL + " AND d.phone_last4 = %s"
)

# PostgreSQL plans a statement every time it receives one, and planning this one (three tables,
# two subqueries) takes it several times longer than running it: ~0.3 ms against ~0.05 ms
# (bench/lookup.py). Prepared once per connection (connections live CONN_MAX_AGE seconds), it
# is planned once. Prepared statements belong to the server session: behind a connection pooler
# in transaction mode they can vanish, and the first sign of that switches this process back to
# plain queries.
_prepared: WeakKeyDictionary = WeakKeyDictionary()  # DB-API connection -> statement names
_use_prepared = True
_STATEMENT_MISSING = "26000"  # SQLSTATE invalid_sql_statement_name
_STATEMENT_EXISTS = "42P05"  # SQLSTATE duplicate_prepared_statement


def _fetch(statement: _Statement, params: list) -> tuple | None:
    global _use_prepared
    with connection.cursor() as cursor:
        if _use_prepared and connection.vendor == "postgresql":
            names = _prepared.setdefault(connection.connection, set())
            try:
                if statement.name not in names:
                    _prepare(cursor, statement)
                    names.add(statement.name)
                cursor.execute(statement.execute, params)
                return cursor.fetchone()
            except DatabaseError as error:
                code = getattr(error.__cause__, "pgcode", None)
                if code != _STATEMENT_MISSING or connection.in_atomic_block:
                    raise
                logger.warning("dossier look-up: prepared statement lost, using plain queries")
                _use_prepared = False
        cursor.execute(statement.sql, params)
        return cursor.fetchone()


def _prepare(cursor, statement: _Statement) -> None:
    try:
        with transaction.atomic():  # a savepoint when a transaction is open (tests, callers)
            cursor.execute(statement.prepare)
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) != _STATEMENT_EXISTS:
            raise


def _match(statement: _Statement, params: list) -> LookupMatch | None:
    published = ProcedureStatus.PUBLISHED.value
    row = _fetch(statement, [published, published, *params])
    if row is None:
        return None
    dossier_id, code, *version = row
    return LookupMatch(
        dossier_id=dossier_id,
        code=code,
        version=tuple(v.timestamp() if isinstance(v, datetime) else v for v in version),
    )


# The only Dossier columns a public look-up reads: no personal data, no internal notes. The
# handler's name is read only to keep it *out* of what is shown (see _Redactor).
_PUBLIC_FIELDS = (
    "id",
    "code",
    "status",
    "received_at",
    "original_due_at",
    "due_at",
    "rescheduled_due_at",
    "paused_minutes",
    "processing_time_amount",
    "processing_time_unit",
    "current_step",
    "resolved_at",
    "returned_at",
    "procedure__code",
    "procedure__status",
    "procedure__name",
    "procedure__receipt_cutoff",
    "procedure__receiving_address",
    "agency__name",
    "agency__short_name",
    "agency__address",
    "agency__office_hours",
    "agency__hotline",
    "handler_id",
    "handler__first_name",
    "handler__last_name",
)


def _load(
    *, code: str | None = None, phone_last4: str | None = None, pk: int | None = None
) -> dict | None:
    """One row of plain values (no model instances: this is the hot path of a public page)."""
    filters = {"code": code} if pk is None else {"pk": pk}
    if phone_last4 is not None:
        filters["phone_last4"] = phone_last4
    rows = list(Dossier.objects.filter(**filters).order_by().values(*_PUBLIC_FIELDS)[:1])
    return rows[0] if rows else None


class _Redactor:
    """Keeps officers' names out of public text.

    Services write the receiving unit into `current_step` and the hand-over note; for an officer
    without a department that unit is the officer's own name (services.dossier_assign). The
    names of every officer the dossier was handed to (the current one included) and of the
    events' actors are replaced by a neutral phrase, in the office's language like the history
    records themselves (services._record).
    """

    def __init__(self):
        self.names: set[str] = set()
        with translation.override(settings.LANGUAGE_CODE):
            self.replacement = translation.gettext("the specialist office")

    def add(self, first: str | None, last: str | None) -> None:
        first, last = (first or "").strip(), (last or "").strip()
        for name in (f"{first} {last}".strip(), f"{last} {first}".strip()):
            if len(name) >= 3:
                self.names.add(name)

    def clean(self, text: str) -> str:
        for name in sorted(self.names, key=len, reverse=True):
            if name.casefold() in text.casefold():
                text = re.sub(re.escape(name), self.replacement, text, flags=re.I)
        return text


def _procedure_url(row: dict) -> str:
    """The public page of the procedure, if a version of its code is still published."""
    code = row["procedure__code"]
    # When this version is retired, a later one may be published (rare: one more query).
    if (
        row["procedure__status"] != ProcedureStatus.PUBLISHED
        and not Procedure.objects.published().filter(code=code).exists()
    ):
        return ""
    return Procedure(code=code).get_absolute_url()


def _build(row: dict, *, calendar: WorkingCalendar | None) -> PublicDossier:
    calendar = calendar or get_calendar()
    now = timezone.now()
    status = DossierStatus(row["status"])
    redactor = _Redactor()
    redactor.add(row["handler__first_name"], row["handler__last_name"])

    events = list(
        DossierEvent.objects.filter(dossier_id=row["id"], is_public=True)
        .order_by("at", "id")
        .values_list("at", "type", "public_note", "data", "actor__first_name", "actor__last_name")
    )
    earlier_handlers = set()
    for _at, event_type, _note, data, actor_first, actor_last in events:
        redactor.add(actor_first, actor_last)
        if event_type == EventType.ASSIGNED and isinstance(data, dict):
            handler_id = (data.get("new") or {}).get("handler")
            if isinstance(handler_id, int) and handler_id != row["handler_id"]:
                earlier_handlers.add(handler_id)
    if earlier_handlers:  # the dossier was handed over more than once (one more query)
        for first, last in User.objects.filter(pk__in=earlier_handlers).values_list(
            "first_name", "last_name"
        ):
            redactor.add(first, last)

    is_paused = status in PAUSED_STATUSES
    requested_items: list[str] = []
    if is_paused:
        pause = (
            DossierPause.objects.filter(dossier_id=row["id"], ended_at__isnull=True)
            .values_list("kind", "items")
            .first()
        )
        if pause and pause[0] == PauseKind.SUPPLEMENT:
            requested_items = [str(item) for item in pause[1] or [] if str(item).strip()]

    # explain_due_date reads these attributes of a dossier; no model instance is needed.
    clock = SimpleNamespace(
        procedure=SimpleNamespace(receipt_cutoff=row["procedure__receipt_cutoff"]),
        **{
            name: row[name]
            for name in (
                "received_at",
                "original_due_at",
                "due_at",
                "rescheduled_due_at",
                "paused_minutes",
                "processing_time_amount",
                "processing_time_unit",
            )
        },
    )
    explanation = explain_due_date(clock, calendar=calendar)
    appointment = row["rescheduled_due_at"] or row["due_at"]
    is_running = status in (DossierStatus.ACCEPTED, DossierStatus.PROCESSING)
    overdue_at = appointment if is_running else None
    return PublicDossier(
        code=row["code"],
        procedure_name=row["procedure__name"],
        procedure_url=_procedure_url(row),
        processing_time_amount=row["processing_time_amount"],
        processing_time_unit=row["processing_time_unit"],
        status=status.value,
        status_label=str(status.label),
        status_text=str(STATUS_TEXT[status]),
        received_at=row["received_at"],
        due_at=row["due_at"],
        rescheduled_due_at=row["rescheduled_due_at"],
        resolved_at=row["resolved_at"],
        returned_at=row["returned_at"],
        explanation=explanation,
        paused_duration=(
            duration_words(Decimal(str(explanation.paused_working_days)), TimeUnit.WORKING_DAYS)
            if explanation and explanation.paused_working_days
            else ""
        ),
        is_paused=is_paused,
        is_overdue=overdue_at is not None and now > overdue_at,
        overdue_at=overdue_at,
        current_place=_current_place(row["current_step"], status, redactor),
        timeline=[
            TimelineEntry(at=at, text=redactor.clean(note) or str(EventType(event_type).label))
            for at, event_type, note, *_rest in events
        ],
        next_step=_NEXT_STEP[status],
        requested_items=requested_items,
        desk=Desk(
            name=row["agency__short_name"] or row["agency__name"],
            address=row["procedure__receiving_address"] or row["agency__address"],
            office_hours=row["agency__office_hours"],
            hotline=row["agency__hotline"],
        ),
    )


def _current_place(current_step: str, status: DossierStatus, redactor: _Redactor) -> str:
    if status == DossierStatus.RESOLVED:
        return _("At the one-stop desk, ready for you to collect.")
    if status in PAUSED_STATUSES:
        return _("On hold at the one-stop desk until we receive what we asked for.")
    if status == DossierStatus.SUBMITTED:
        return _("At the one-stop desk, waiting to be checked.")
    if status in (DossierStatus.ACCEPTED, DossierStatus.PROCESSING):
        step = redactor.clean(current_step.strip())
        return step or _("With the office that processes it.")
    return ""

"""Writing: ids, COPY per batch in one transaction with the daily counters, the fork pipeline."""

from __future__ import annotations

import io
import multiprocessing
import time as timer
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction

from .plan import GenerationError, Result, build_plan
from .rows import (
    APOLOGY_COLUMNS,
    DOSSIER_COLUMNS,
    EVENT_COLUMNS,
    PAUSE_COLUMNS,
    TRANSFER_COLUMNS,
    Batch,
    Generator,
)


def _produce(generator: Generator, count: int, batch_size: int, ids: list[int], queue) -> None:
    """Child process: build the batches and hand them over; None marks the end."""
    try:
        for batch in generator.batches(count, batch_size, _id_source(ids)):
            queue.put(batch)
        queue.put(None)
    except BaseException as error:  # tell the parent instead of dying silently
        queue.put(GenerationError(f"generator process failed: {error!r}"))


def _id_source(ids: list[int]) -> Callable[[int], list[int]]:
    position = 0

    def take(n: int) -> list[int]:
        nonlocal position
        chunk = ids[position : position + n]
        position += n
        return chunk

    return take


def _reserve_ids(count: int) -> list[int]:
    """Take `count` ids from the dossier id sequence (unique even if intakes run meanwhile)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('dossiers_dossier', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]


def _can_skip_triggers() -> bool:
    """Whether this role may switch off foreign-key triggers (superusers only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


def _write(batch: Batch, *, agency_id: int, skip_triggers: bool) -> None:
    """One batch, one transaction: the rows and the raised daily code counters.

    `skip_triggers` turns off the foreign-key triggers for this transaction only (as
    pg_restore does): the rows point only at the agency, procedures and staff read before and
    at dossiers of the same batch, and checking millions of references doubled the load time.
    """
    from psycopg2.extras import execute_values

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        if skip_triggers:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for table, columns, text in (
            ("dossiers_dossier", DOSSIER_COLUMNS, batch.dossiers),
            ("dossiers_dossierevent", EVENT_COLUMNS, batch.events),
            ("dossiers_dossiertransfer", TRANSFER_COLUMNS, batch.transfers),
            ("dossiers_dossierpause", PAUSE_COLUMNS, batch.pauses),
            ("dossiers_dossierapology", APOLOGY_COLUMNS, batch.apologies),
        ):
            if text:
                sql = f"COPY {table} ({columns}) FROM STDIN"
                cursor.copy_expert(sql, io.StringIO(text), 1 << 20)
        execute_values(
            cursor.cursor,
            "INSERT INTO dossiers_dossiercodesequence (agency_id, day, last_number) VALUES %s "
            "ON CONFLICT (agency_id, day) DO UPDATE SET last_number = GREATEST("
            "dossiers_dossiercodesequence.last_number, EXCLUDED.last_number)",
            [(agency_id, day, number) for day, number in sorted(batch.last_numbers.items())],
        )
        if skip_triggers:  # back to normal for whatever follows in an enclosing transaction
            cursor.execute("SET LOCAL session_replication_role = origin")


def require_postgresql() -> None:
    """COPY is PostgreSQL's; on SQLite the generator refuses rather than crawl."""
    if connection.vendor != "postgresql":
        raise GenerationError(
            "generate_dossiers writes with PostgreSQL COPY, but the database is "
            f"{connection.vendor}. Point DATABASE_URL at PostgreSQL."
        )


def generate(
    *,
    agency,
    count: int,
    batch_size: int = 50_000,
    months: int = 12,
    seed: int = 2026,
    now: datetime | None = None,
    parallel: bool | None = None,
    check_foreign_keys: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Generate `count` dossiers of `agency` over the last `months` months (PostgreSQL only).

    Called by `manage.py generate_dossiers` and the tests. Each batch is one transaction (rows
    and code counters), so an interrupted run leaves whole batches and consistent counters.
    `parallel` (default: when there is more than one batch and `fork` exists) builds the next
    batch in a child process while this one is written. Foreign-key triggers are skipped
    when the role is a superuser, unless `check_foreign_keys`. Ends with ANALYZE of the tables.
    """
    require_postgresql()
    if count < 1 or batch_size < 1 or months < 1:
        raise GenerationError("--count, --batch and --months must be positive.")
    say = progress or (lambda message: None)
    started = timer.perf_counter()
    plan = build_plan(agency=agency, months=months, seed=seed, now=now)
    generator = Generator(plan)
    ids = _reserve_ids(count)
    if parallel is None:
        parallel = count > batch_size
    parallel = parallel and "fork" in multiprocessing.get_all_start_methods()
    skip_triggers = not check_foreign_keys and _can_skip_triggers()
    result = Result()

    def record(batch: Batch) -> None:
        _write(batch, agency_id=plan.agency_id, skip_triggers=skip_triggers)
        d, e, t, p, a = batch.counts
        result.dossiers += d
        result.events += e
        result.transfers += t
        result.pauses += p
        result.apologies += a
        elapsed = timer.perf_counter() - started
        say(
            f"{result.dossiers:>10,} / {count:,} dossiers, {result.events:,} events, "
            f"{result.transfers:,} transfers ({elapsed:.1f} s)"
        )

    if parallel:
        context = multiprocessing.get_context("fork")
        queue = context.Queue(maxsize=2)
        child = context.Process(
            target=_produce, args=(generator, count, batch_size, ids, queue), daemon=True
        )
        child.start()
        try:
            while (batch := queue.get()) is not None:
                if isinstance(batch, Exception):
                    raise batch
                record(batch)
        finally:
            child.join(timeout=5)
            if child.is_alive():
                child.terminate()
    else:
        for batch in generator.batches(count, batch_size, _id_source(ids)):
            record(batch)
    with connection.cursor() as cursor:
        for table in ("dossier", "dossierevent", "dossiertransfer", "dossierpause"):
            cursor.execute(f"ANALYZE dossiers_{table}")
    result.seconds = timer.perf_counter() - started
    return result

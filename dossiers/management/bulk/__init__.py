"""Bulk generator of realistic dossiers for benchmarks (`manage.py generate_dossiers`).

Writes dossiers with their history (DossierEvent), hand-overs (DossierTransfer), pauses and
apologies straight into PostgreSQL with `COPY`, in batches, without going through the services:
a million dossiers take minutes instead of days. The rows mirror what the services would have
written (same event types, statuses, notes and data), so pages and reports see ordinary data.
Nothing here is used by the portal itself; keep it in step with dossiers.services.

How the data is shaped:
- Receipts fall on the working days of the last `months` months (core.calendar, overrides
  included), inside office hours, about evenly per day, in time order within a day.
- Codes follow the per-agency daily sequence (`<agency>-<yymmdd>-<nnnn>`, DOMAIN.md §4.2),
  continuing after any number already used that day; `DossierCodeSequence` is raised in the
  same transaction as each batch, so later real intakes carry on without a collision.
- Each dossier lives a plausible life (accepted, handed over, sometimes paused for documents or
  a fee, resolved early / on time / late, sometimes with an apology, paper result, returned; a
  few refused, stopped or withdrawn) cut at "now": recent dossiers stay open, paused, overdue.
- Time is counted in "office minutes": working-day index x minutes per working day + minutes
  into the office day. Adding working time is an addition, pauses measure themselves, and every
  timestamp string is formatted once. Due dates come from core.calendar, cached per procedure
  and effective receipt day (a few hundred calendar calls for a million dossiers).

A forked child process builds the next batch while the parent streams the previous one into
PostgreSQL (one core builds text, the other ingests); `parallel=False` keeps one process.
"""

from .plan import GenerationError, Result
from .writer import generate, require_postgresql

__all__ = ["GenerationError", "Result", "generate", "require_postgresql"]

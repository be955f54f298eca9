#!/usr/bin/env python
"""Benchmark of the weekly late-dossier report against one hand-written SQL aggregate.

Target (issue 5): building the weekly report takes at most 2x a single hand-written SQL
aggregate that computes the same counts. Uses an existing database filled by
`manage.py generate_dossiers` (default `portal_bench_dossiers`, 1,000,000 dossiers; see
bench/README.md) and its primary agency. It WRITES to that database: weekly report revisions
(trigger "command") and, on the first run, the explanations the morning job would ask for.

Measured, each as the median (p50) of --runs runs after one warm-up, interleaved run by run
(the machine is shared):
1. hand SQL: one statement computing the same counts (totals, by procedure, by officer; the
   same reconstruction rules) with GROUPING SETS and a materialized CTE of guarded look-ups,
   with PostgreSQL's JIT on (the server's default) and off (what the portal's connections
   use); the ratio uses the faster one.
2. build: `reports.services.weekly_report_build(with_files=False)` for last week, with the
   week's previous week already built (steady state: its totals come from that snapshot), as
   the Monday beat runs it: the grouped counts by procedure x officer that also yield the late
   dossiers, what the list shows of those with their explanations' states, the labels, last
   week's snapshot, the snapshot row. No explanation requests (the 06:45 job's), no Excel,
   PDF or email (a Celery task after the commit).
3. the build's parts: the counts alone (`dossiers.reporting.period_breakdown`), the counts with
   the late list (`period_breakdown(with_late_list=True)`), and, outside the Monday build,
   `dossiers.services.explanation_request_overdue` (the morning job; the command and the
   button run it first) and `late_dossiers` (the late list on its own).
4. cold: the snapshot of a week whose previous week has no snapshot (counted as well).
5. files: the Excel workbook and the PDF of the built report (`weekly_report_files`, the
   Celery task), fewer runs.
The hand SQL's counts are checked against the build's before anything is timed.

    .venv/bin/python bench/weekly_report.py [--database-url URL] [--runs 9] [--export-runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_dossiers"
TARGET_RATIO = 2.0

# The same rules as dossiers.reporting (module docstring), written by hand: one row per dossier
# alive in the week, its state at the week's end looked up only where needed (CASE-guarded
# scalar sub-queries: PostgreSQL runs a sub-plan only when its branch is taken; LATERAL joins
# measured 2x slower; without MATERIALIZED every count re-ran them, 3x slower), then every
# count with FILTER, grouped three ways at once.
HAND_SQL = """
WITH alive AS (
  SELECT d.procedure_id,
         COALESCE(d.handler_id, d.received_by_id) AS officer,
         d.received_at >= %(start)s AS received,
         d.received_at >= %(start)s AND d.channel = '2' AS received_online,
         CASE WHEN d.finished_at >= %(start)s AND d.finished_at < %(end)s
              THEN d.timeliness END AS finished,
         d.finished_at >= %(start)s AND d.finished_at < %(end)s AND d.result_file <> ''
           AS e_result,
         (d.finished_at IS NULL OR d.finished_at >= %(end)s) AS open_at_end,
         d.id, d.due_at, d.paused_minutes, d.supplement_request_count, d.status,
         d.rescheduled_due_at
  FROM dossiers_dossier d
  WHERE d.agency_id = %(agency)s AND d.due_at IS NOT NULL AND d.received_at < %(end)s
    AND (d.finished_at IS NULL OR d.finished_at >= %(start)s)
), at_end AS MATERIALIZED (
  -- The state at the week's end, looked up only for the open dossiers that need it
  -- (materialized: each look-up runs once although several counts read it).
  SELECT a.*,
    CASE WHEN a.open_at_end AND (a.paused_minutes > 0 OR a.supplement_request_count > 0
                                 OR a.status IN ('5', '6', '7', '8'))
         THEN (SELECT p.started_at FROM dossiers_dossierpause p
               WHERE p.dossier_id = a.id AND p.started_at < %(end)s
                 AND (p.ended_at IS NULL OR p.ended_at >= %(end)s)
               ORDER BY p.started_at DESC LIMIT 1) END AS paused_since,
    CASE WHEN a.open_at_end AND a.paused_minutes > 0
         THEN COALESCE((SELECT (e.data -> 'old' ->> 'due_at')::timestamptz
                        FROM dossiers_dossierevent e
                        WHERE e.dossier_id = a.id AND e.type = 'resumed' AND e.at >= %(end)s
                        ORDER BY e.at, e.id LIMIT 1), a.due_at)
         ELSE a.due_at END AS due_then,
    CASE WHEN a.open_at_end AND a.supplement_request_count >= 2
         THEN (SELECT count(*) FROM dossiers_dossierpause p
               WHERE p.dossier_id = a.id AND p.kind = 'supplement'
                 AND p.started_at < %(end)s)
         ELSE a.supplement_request_count END AS supplements,
    CASE WHEN a.rescheduled_due_at IS NOT NULL
         THEN (SELECT count(*) FROM dossiers_dossierapology ap
               WHERE ap.dossier_id = a.id AND ap.issued_at >= %(start)s
                 AND ap.issued_at < %(end)s) ELSE 0 END AS apologies_in_period,
    a.rescheduled_due_at IS NOT NULL AND a.open_at_end AND EXISTS (
      SELECT 1 FROM dossiers_dossierapology ap
      WHERE ap.dossier_id = a.id AND ap.issued_at < %(end)s) AS apology_before_end,
    a.e_result AND EXISTS (
      SELECT 1 FROM dossiers_dossierattachment s
      WHERE s.dossier_id = a.id AND s.created_at < %(end)s) AS digitised
  FROM alive a
), classified AS (
  SELECT at_end.*,
         open_at_end AND (supplements >= 2 OR COALESCE(paused_since, %(end)s) > due_then)
           AS open_overdue
  FROM at_end
)
SELECT GROUPING(pr.code) AS by_code, GROUPING(c.officer) AS by_officer, pr.code, c.officer,
       count(*) FILTER (WHERE received) AS received,
       count(*) FILTER (WHERE received_online) AS received_online,
       count(*) FILTER (WHERE finished = 'early') AS resolved_early,
       count(*) FILTER (WHERE finished = 'on_time') AS resolved_on_time,
       count(*) FILTER (WHERE finished = 'late') AS resolved_late,
       count(*) FILTER (WHERE open_at_end AND NOT open_overdue) AS open_on_time,
       count(*) FILTER (WHERE open_overdue) AS open_overdue,
       count(*) FILTER (WHERE open_at_end AND NOT open_overdue AND paused_since IS NULL
                          AND due_then <= %(threshold)s AND NOT apology_before_end)
         AS due_soon_without_apology,
       sum(apologies_in_period) AS apologies_issued,
       count(*) FILTER (WHERE finished IN ('early', 'on_time', 'late')) AS finished,
       count(*) FILTER (WHERE e_result) AS finished_with_e_result,
       count(*) FILTER (WHERE digitised) AS digitised
FROM classified c JOIN procedures_procedure pr ON pr.id = c.procedure_id
GROUP BY GROUPING SETS ((), (pr.code), (c.officer))
"""
COUNT_COLUMNS = [
    "received",
    "received_online",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "open_on_time",
    "open_overdue",
    "due_soon_without_apology",
    "apologies_issued",
    "finished",
    "finished_with_e_result",
    "digitised",
]


def p50(timings: list[float]) -> float:
    return statistics.median(timings)


def timed(function, runs: int) -> tuple[list[float], object]:
    result = function()  # warm-up (caches, connection, first-run writes)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - start) * 1000)
    return timings, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--export-runs", type=int, default=2)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhatrang_portal.settings.dev")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("CONN_MAX_AGE", "60")
    os.environ["EXPLANATION_EMAIL_OFFICERS"] = "False"  # no mail to invented officers
    os.environ.setdefault("REPORTS_FILE_ROOT", tempfile.mkdtemp(prefix="bench-weekly-"))

    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Agency
    from core.calendar import get_calendar
    from dossiers import reporting
    from dossiers.models import Dossier
    from reports import services
    from reports.constants import ReportTrigger

    agency = Agency.objects.primary()
    calendar = get_calendar()
    now = timezone.now()
    week = services.last_complete_week(now, calendar)
    start, end = reporting.week_bounds(week, calendar)
    threshold = reporting._apology_deadline(end, calendar)
    params = {"agency": agency.pk, "start": start, "end": end, "threshold": threshold}
    print(f"database: {args.database_url}  dossiers: {Dossier.objects.count():,}")
    print(f"week: {week:%d/%m/%Y} - {week + timedelta(days=6):%d/%m/%Y}  agency: {agency.code}")

    def hand_sql(jit: bool):
        with transaction.atomic(), connection.cursor() as cursor:
            # The portal's connections have JIT off (settings); "on" is the server default.
            cursor.execute("SET LOCAL jit = on" if jit else "SET LOCAL jit = off")
            cursor.execute(HAND_SQL, params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def build(**kwargs):
        return services.weekly_report_build(
            agency=agency,
            week_start=week,
            trigger=ReportTrigger.COMMAND,
            now=now,
            with_files=False,
            **kwargs,
        )

    # The previous week's snapshot exists (steady state: Monday after Monday), built by this
    # code (a new revision: the latest one is last week's figures).
    previous_week = week - timedelta(days=7)
    services.weekly_report_build(
        agency=agency,
        week_start=previous_week,
        trigger=ReportTrigger.COMMAND,
        now=now,
        with_files=False,
    )

    # What the morning job (and the command, the button) asks for first: not in the build.
    from dossiers import services as dossier_services

    dossier_services.explanation_request_overdue(agency_id=agency.pk, now=now)

    # Same counts? The same late dossiers as the list on its own?
    report = build()
    rows = hand_sql(jit=False)
    total = next(row for row in rows if row["by_code"] and row["by_officer"])
    hand_totals = {name: int(total[name] or 0) for name in COUNT_COLUMNS}
    assert hand_totals == report.figures["totals"], (hand_totals, report.figures["totals"])
    by_code = sum(1 for row in rows if not row["by_code"])
    by_officer = sum(1 for row in rows if not row["by_officer"])
    assert by_code == len(report.figures["by_procedure"]), by_code
    assert by_officer == len(report.figures["by_officer"]), by_officer
    listed = [row[0] for row in json.loads(report.late_list)["rows"]]
    alone = reporting.late_dossiers(agency_id=agency.pk, start=start, end=end, calendar=calendar)
    assert listed == [row.dossier_id for row in alone], "late list differs"
    assert len(listed) == hand_totals["open_overdue"] + hand_totals["resolved_late"]
    print(
        f"same counts: yes ({hand_totals['received']:,} received, "
        f"{hand_totals['open_on_time'] + hand_totals['open_overdue']:,} open at the end, "
        f"{hand_totals['open_overdue']:,} overdue; {by_code} procedures, {by_officer} officers; "
        f"{len(listed):,} late dossiers listed)"
    )

    older = week - timedelta(days=14)  # its previous week has no snapshot
    build_label = "build (no files, no email), steady state"
    measures = [
        ("hand-written SQL aggregate, JIT on (server default)", lambda: hand_sql(jit=True)),
        ("hand-written SQL aggregate, JIT off", lambda: hand_sql(jit=False)),
        (
            "  counts only: reporting.period_breakdown",
            lambda: reporting.period_breakdown(
                agency_id=agency.pk, start=start, end=end, calendar=calendar
            ),
        ),
        (
            "  counts + late list: period_breakdown(with_late_list)",
            lambda: reporting.period_breakdown(
                agency_id=agency.pk, start=start, end=end, calendar=calendar, with_late_list=True
            ),
        ),
        (build_label, build),
        (
            "snapshot of a week whose previous week is not built",
            lambda: services.weekly_report_snapshot(
                agency=agency, week_start=older, calendar=calendar
            ),
        ),
        (
            "not in the build: explanation_request_overdue",
            lambda: dossier_services.explanation_request_overdue(agency_id=agency.pk, now=now),
        ),
        (
            "not in the build: reporting.late_dossiers alone",
            lambda: reporting.late_dossiers(
                agency_id=agency.pk, start=start, end=end, calendar=calendar
            ),
        ),
    ]
    # Interleaved: run i of every measure before run i+1 of any, so that a busy neighbour on
    # the shared machine slows all of them alike.
    timings: dict[str, list[float]] = {label: [] for label, _function in measures}
    for _label, function in measures:
        function()  # warm-up
    for _run in range(args.runs):
        for label, function in measures:
            begin = time.perf_counter()
            function()
            timings[label].append((time.perf_counter() - begin) * 1000)
    print(f"{'measure':62} {'p50 ms':>9} {'min ms':>9} {'runs':>5}")
    for label, _function in measures:
        print(f"{label:62} {p50(timings[label]):9.1f} {min(timings[label]):9.1f} {args.runs:5d}")
    label = "files: Excel + PDF (weekly_report_files, Celery task)"
    if args.export_runs:

        def files():
            fresh = build()  # a new revision has no files yet
            begin = time.perf_counter()
            services.weekly_report_files(report_id=fresh.pk)
            return (time.perf_counter() - begin) * 1000

        timings[label] = [files() for _run in range(args.export_runs)]
        print(
            f"{label:62} {p50(timings[label]):9.1f} {min(timings[label]):9.1f} "
            f"{args.export_runs:5d}"
        )

    baseline = min(p50(timings[measures[0][0]]), p50(timings[measures[1][0]]))
    build_p50 = p50(timings[build_label])
    counts_p50 = p50(timings[measures[2][0]])
    with_late_p50 = p50(timings[measures[3][0]])
    ratio = build_p50 / baseline
    print(
        f"ratio build / hand SQL = {ratio:.2f} (target <= {TARGET_RATIO}); counts only: "
        f"{counts_p50 / baseline:.2f}; counts + late list: {with_late_p50 / baseline:.2f}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())

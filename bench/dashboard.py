#!/usr/bin/env python
"""Benchmark of the leadership dashboard `/can-bo/dieu-hanh/` at 1,000,000 dossiers (<= 500 ms).

Uses an existing database filled by `manage.py generate_dossiers` (default
`portal_bench_dossiers`, 1,000,000 dossiers: see bench/README.md), logs in as the demo leader
(`lanhdao`, who sees the whole agency) and requests the full page through Django's test Client:
routing, middleware, permissions, filters, every figure (today, trend, by procedure and officer,
at risk, paused, 766 estimates), the SVG charts and the template. Prints p50/p95 per scenario
and the queries per request.

The trend's closed weeks are cached (reports.dashboard._trend): the first request of a filter
combination computes them ("cold"); every scenario below is measured warm, after one request,
except the "cold" line which clears the cache before each run.

    .venv/bin/python bench/dashboard.py [--database-url URL] [--runs 20] [--user lanhdao]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_dossiers"
TARGET_MS = 500.0


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--user", default="lanhdao")
    parser.add_argument("--officer", default="chuyenvien", help="an officer, for own figures")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhatrang_portal.settings.dev")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CONN_MAX_AGE", "60")

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from dossiers.models import Dossier
    from procedures.models import Procedure

    leader = User.objects.get(username=args.user)
    agency_id = leader.department.agency_id
    busiest = (
        Dossier.objects.filter(agency_id=agency_id)
        .values("procedure_id")
        .order_by("procedure_id")
        .first()
    )
    procedure = Procedure.objects.get(pk=busiest["procedure_id"]) if busiest else None
    url = reverse("reports:dashboard")
    today = timezone.localdate()
    scenarios = [
        ("this week (default)", args.user, {}),
        ("last week", args.user, {"period": "last_week"}),
        ("last 30 days", args.user, {"period": "last_30_days"}),
        (
            "this month, one procedure",
            args.user,
            {"period": "this_month", "procedure": procedure.pk},
        ),
        (
            "chosen dates: the last 91 days",
            args.user,
            {"period": "custom", "start": f"{today - timedelta(days=90)}", "end": f"{today}"},
        ),
        ("officer's own figures", args.officer, {}),
        ("export xlsx (this week)", args.user, None),
    ]
    clients = {}
    for username in {args.user, args.officer}:
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client

    print(f"database: {args.database_url}  dossiers: {Dossier.objects.count():,}")
    print(f"{'scenario':34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")

    client = clients[args.user]
    cold = []
    for _ in range(args.cold_runs):
        cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        cold.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    print(f"{'this week, empty cache (median)':34} {statistics.median(cold):8.1f} {'':>8} {'':>8}")

    default_p95 = 0.0
    for label, username, params in scenarios:
        client = clients[username]
        target = reverse("reports:dashboard-xlsx") if params is None else url
        params = params or {}
        client.get(target, params)  # warm: connection, calendar, the trend's closed weeks
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(target, params)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(target, params)
        p50, p95 = _percentiles(timings)
        if label.startswith("this week"):
            default_p95 = p95
        print(f"{label:34} {p50:8.1f} {p95:8.1f} {len(queries):8d}")
    load = os.getloadavg()[0]
    print(
        f"default page p95 {default_p95:.1f} ms (target <= {TARGET_MS:.0f} ms); "
        f"load average {load:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

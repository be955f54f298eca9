#!/usr/bin/env python
"""Benchmark of the staff dossier list's first page on a large data set (target <= 150 ms).

Uses an existing database filled by `manage.py generate_dossiers` (default
`portal_bench_dossiers`, 1,000,000 dossiers: see bench/README.md), logs in as the demo desk
officer (`motcua`, who sees every dossier of the agency) and requests the list through Django's
test Client: routing, middleware, permission policy, filters, urgency ordering, pagination
and full template rendering. Prints p50/p95 per scenario and the queries per request.

    .venv/bin/python bench/staff_list.py [--database-url URL] [--runs 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_dossiers"
TARGET_MS = 150.0

SCENARIOS = [
    ("first page (urgency order)", {}),
    ("overdue only", {"overdue": "on"}),
    ("due within 3 working days", {"due_within": "3"}),
    ("text: applicant name without diacritics", {"q": "nguyen van"}),
    ("text: code fragment", {"q": "-0012"}),
    ("status: being processed", {"status": "4"}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--user", default="motcua")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhatrang_portal.settings.dev")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CONN_MAX_AGE", "60")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from dossiers.models import Dossier

    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    url = reverse("dossiers:dossier-list")
    print(f"database: {args.database_url}  dossiers: {Dossier.objects.count():,}")
    print(f"{'scenario':45} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    worst = 0.0
    for label, params in SCENARIOS:
        client.get(url, params)  # warm caches and connection
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(0.95 * (len(timings) - 1))]
        if label.startswith("first page"):
            worst = p95
        print(f"{label:45} {p50:8.1f} {p95:8.1f} {len(queries):8d}")
    load = os.getloadavg()[0]
    print(f"first-page p95 {worst:.1f} ms (target <= {TARGET_MS:.0f} ms); load average {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

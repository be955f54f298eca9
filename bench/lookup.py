#!/usr/bin/env python
"""Benchmark of the citizen's dossier look-up (/tra-cuu/?code=…&phone_last4=…).

1. Data: a PostgreSQL database of its own (default `portal_bench_lookup`, created if missing,
   kept between runs) with the demo agency (`seed_demo --force`) and `--count` dossiers from
   `manage.py generate_dossiers` (history, hand-overs, pauses). Rows already there are reused;
   only the missing ones are generated.
2. Latency, one client: Django's test Client through the whole stack (URL routing, every
   middleware, rate limiting in Redis, the selectors' queries, template rendering) on random
   existing codes with their correct last 4 digits. Prints p50/p95/p99; target p95 <= 30 ms.
3. Throughput: gunicorn (`--workers`, sync) serving bench.lookup_settings (production settings,
   DEBUG off, plain HTTP) on 127.0.0.1, loaded by `wrk` (apt package) or, without it, by Python
   threads with http.client. The look-up page is compared with a bare Django view returning a
   page of the same size through the same middleware (bench/lookup_urls.py). Prints both req/s
   and the ratio; target >= 60 %.

    .venv/bin/python bench/lookup.py                          # 100,000 dossiers
    .venv/bin/python bench/lookup.py --count 1000000          # adds the missing 900,000
    .venv/bin/python bench/lookup.py --conn-max-age 0 --client python --duration 20

Rate limits stay on (so their Redis round trips are measured) but are raised through
LOOKUP_RATE_PER_IP / LOOKUP_RATE_PER_CODE in bench.lookup_settings. The database name must
contain "bench"; the Redis database (default 8) is flushed before the run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench_lookup"
DEFAULT_CACHE = "rediscache://127.0.0.1:6379/8"
TARGET_P95_MS = 30.0
TARGET_RATIO = 0.60


# --- setup ------------------------------------------------------------------------------------
def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: its name must contain 'bench'")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    admin.close()


def fill(count: int) -> None:
    from django.core.management import call_command

    from dossiers.models import Dossier

    call_command("migrate", verbosity=0, interactive=False)
    existing = Dossier.objects.count()
    if existing >= count:
        print(f"data: {existing:,} dossiers already there")
        return
    call_command("seed_demo", force=True, verbosity=0)
    started = time.perf_counter()
    call_command("generate_dossiers", count=count - existing)
    print(f"data: {count - existing:,} dossiers generated in {time.perf_counter() - started:.0f} s")


def sample_codes(size: int, seed: int) -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute(
            "SELECT code, phone_last4 FROM dossiers_dossier ORDER BY random() LIMIT %s", [size]
        )
        return list(cursor.fetchall())


def lookup_path(code: str, last4: str) -> str:
    return "/tra-cuu/?" + urlencode({"code": code, "phone_last4": last4})


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


# --- (a) latency through Django's test Client ---------------------------------------------------
def measure_latency(paths: list[str], requests: int, warmup: int, rng: random.Random) -> dict:
    from django.db import connection
    from django.test import Client

    client = Client(REMOTE_ADDR="10.1.0.1")
    sizes = []
    for path in paths[:warmup]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        sizes.append(len(response.content))
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        for path in paths[warmup : warmup + 20]:
            client.get(path)
    timings = []
    for _ in range(requests):
        path = rng.choice(paths)
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"unexpected {response.status_code} for {path}")
    return {
        "p50": percentile(timings, 50),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "mean": statistics.fmean(timings),
        "queries": len(queries) / 20,
        "bytes": round(statistics.fmean(sizes)),
    }


# --- (b) throughput under gunicorn --------------------------------------------------------------
def start_gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "nhatrang_portal.wsgi:application",
        "--workers", str(workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/bare/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    sys.exit("gunicorn did not start")


def stop_gunicorn(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def load_wrk(port: int, paths: list[str], seconds: int, connections: int) -> tuple[float, int]:
    lines = ",\n".join(f'"{p}"' for p in paths)
    script = (
        f"local paths = {{\n{lines}\n}}\n"
        "local n = 0\n"
        "request = function()\n  n = n + 1\n"
        "  return wrk.format('GET', paths[(n % #paths) + 1])\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", handle.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(handle.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*?read (\d+)", output)
    return rate, int(bad.group(1) if bad else 0) + int(errors.group(1) if errors else 0)


def load_python(port: int, paths: list[str], seconds: int, connections: int) -> tuple[float, int]:
    done, failed = [0] * connections, [0] * connections
    stop_at = time.monotonic() + seconds

    def worker(slot: int) -> None:
        rng = random.Random(slot)
        while time.monotonic() < stop_at:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", rng.choice(paths))
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    done[slot] += 1
                else:
                    failed[slot] += 1
            except OSError:
                failed[slot] += 1
            finally:
                connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(failed)


def measure_throughput(args, lookup_paths: list[str], page_bytes: int) -> dict:
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    load = load_wrk if use_wrk else load_python
    env = {**os.environ, "BENCH_BARE_BYTES": str(page_bytes), "PYTHONPATH": str(ROOT)}
    server = start_gunicorn(args.port, args.workers, env)
    try:
        results = {"client": "wrk" if use_wrk else "python threads"}
        pages = (("bare", ["/bench/bare/"]), ("home", ["/"]), ("lookup", lookup_paths))
        for name, paths in pages:
            load(args.port, paths, 2, args.connections)  # warm up workers and caches
            rate, bad = load(args.port, paths, args.duration, args.connections)
            if bad:
                print(f"warning: {bad} failed or non-200 responses during the {name} run")
            results[name] = rate
    finally:
        stop_gunicorn(server)
    return results


# --- main ---------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE))
    parser.add_argument("--count", type=int, default=100_000, help="dossiers in the database")
    parser.add_argument("--requests", type=int, default=2000, help="timed Client requests")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--conn-max-age",
        default=os.environ.get("CONN_MAX_AGE", "0"),
        help="CONN_MAX_AGE for the run (0, the shipped default, opens a connection per request)",
    )
    parser.add_argument(
        "--ratelimit",
        choices=["on", "off"],
        default="on",
        help="on: limits raised but counted in Redis (the production cost); off: RATELIMIT_ENABLE",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.lookup_settings"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CACHE_URL"] = args.cache_url
    os.environ["CONN_MAX_AGE"] = str(args.conn_max_age)
    os.environ["RATELIMIT_ENABLE"] = "True" if args.ratelimit == "on" else "False"

    import django

    django.setup()
    from django.core.cache import cache

    fill(args.count)
    cache.clear()
    rng = random.Random(args.seed)
    sample = sample_codes(max(2000, args.warmup + 20), args.seed)
    paths = [lookup_path(code, last4) for code, last4 in sample]

    from dossiers.models import Dossier

    total = Dossier.objects.count()
    print(
        f"\nlook-up benchmark: {total:,} dossiers, CONN_MAX_AGE={args.conn_max_age}, "
        f"rate limits {args.ratelimit}, load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
    latency = measure_latency(paths, args.requests, args.warmup, rng)
    print(
        f"(a) one client, Django test Client, {args.requests} look-ups: "
        f"p50 {latency['p50']:.1f} ms  p95 {latency['p95']:.1f} ms  "
        f"p99 {latency['p99']:.1f} ms  mean {latency['mean']:.1f} ms  "
        f"({latency['queries']:.1f} queries, {latency['bytes']:,} bytes per page)"
        f"  target p95 <= {TARGET_P95_MS:.0f} ms"
    )
    from django.db import connections

    connections.close_all()
    throughput = measure_throughput(args, paths, latency["bytes"])
    ratio = throughput["lookup"] / throughput["bare"]
    print(
        f"(b) gunicorn {args.workers} sync workers, {args.connections} connections, "
        f"{args.duration} s each, {throughput['client']}:\n"
        f"    bare view ({latency['bytes']:,} bytes): {throughput['bare']:8.1f} req/s\n"
        f"    home page (same shell, no DB): {throughput['home']:8.1f} req/s  "
        f"({throughput['home'] / throughput['bare']:.1%} of bare)\n"
        f"    look-up page:           {throughput['lookup']:8.1f} req/s\n"
        f"    ratio look-up / bare:   {ratio:8.1%}  target >= {TARGET_RATIO:.0%}"
    )
    print(f"    load average now {os.getloadavg()[0]:.1f}")
    missed = latency["p95"] > TARGET_P95_MS or ratio < TARGET_RATIO
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())

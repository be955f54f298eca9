#!/usr/bin/env python
"""Benchmark of the citizen's dossier look-up (/tra-cuu/?code=…&phone_last4=…).

1. Data: a PostgreSQL database of its own (default `portal_bench_lookup`, created if missing,
   kept between runs) with the demo agency (`seed_demo --force`) and `--count` dossiers from
   `manage.py generate_dossiers` (history, hand-overs, pauses). Rows already there are reused;
   only the missing ones are generated.
2. Latency, one client: Django's test Client through the whole stack (URL routing, every
   middleware, rate limiting in Redis, the selectors' queries, template rendering) on random
   existing codes with their correct last 4 digits, drawn from 2,000 codes (so some are asked
   for again and come from the page cache). Prints p50/p95/p99; target p95 <= 30 ms. Then 200
   codes never asked for before (no cached page), and the same 200 again (pages cached).
3. Throughput: gunicorn (`--workers`, sync unless `--worker-class gthread`) serving
   bench.lookup_settings (production settings, DEBUG off, plain HTTP) on a free port of
   127.0.0.1, loaded by `wrk` (apt package) or, without it, by Python threads with http.client.
   The look-up page (the 2,000 codes, each asked for once before the run so their pages are
   cached, as when citizens check their dossier again) is compared with a bare Django view
   returning a page of the same size through the same middleware (bench/lookup_urls.py). The
   pages take turns for `--rounds` rounds of `--duration` seconds (a shared machine's load
   changes; each round's ratio compares runs seconds apart). Prints the median req/s, the
   workers' CPU per request and the ratio (target >= 60 %), then the rate of first visits
   (`--first-visits` codes never asked for: every page rendered).

    .venv/bin/python bench/lookup.py                          # 100,000 dossiers
    .venv/bin/python bench/lookup.py --count 1000000          # adds the missing 900,000
    .venv/bin/python bench/lookup.py --count 1000000 \
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench_dossiers
    .venv/bin/python bench/lookup.py --conn-max-age 0 --client python --duration 20
    .venv/bin/python bench/lookup.py --cache-backend core     # core.cache.RedisCache

Rate limits stay on (so their Redis round trips are measured) but are raised through
LOOKUP_RATE_PER_IP / LOOKUP_RATE_PER_CODE in bench.lookup_settings. CONN_MAX_AGE is the
settings' default (60 s) unless `--conn-max-age` says otherwise. The database name must contain
"bench"; the Redis database (default 8) is flushed before the run. The machine may be shared:
compare runs by the load averages printed with them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
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


def measure_each(paths: list[str]) -> dict:
    """Each path once, in order (first visits, or the same paths again: their pages cached)."""
    from django.db import connection
    from django.test import Client

    client = Client(REMOTE_ADDR="10.1.0.2")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    timings = []
    with connection.execute_wrapper(count):
        for path in paths:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"unexpected {response.status_code} for {path}")
    return {
        "p50": percentile(timings, 50),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "queries": len(queries) / len(paths),
    }


# --- (b) throughput under gunicorn --------------------------------------------------------------
def free_port(port: int) -> int:
    """`port` if nothing listens on it (0: any free port). The machine is shared: a server of
    someone else's answering /bench/bare/ on the same port would be measured instead of ours."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            sys.exit(f"port {port} is in use; choose another with --port (0: any free port)")
        return probe.getsockname()[1]


def start_gunicorn(args, env: dict) -> subprocess.Popen:
    port = args.port = free_port(args.port)
    command = [
        sys.executable, "-m", "gunicorn", "nhatrang_portal.wsgi:application",
        "--workers", str(args.workers), "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/bare/")
            if connection.getresponse().status == 200 and server.poll() is None:
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
    # Each wrk thread takes every other path (thread 1 the even ones, thread 2 the odd ones),
    # so the two threads never ask for the same path at the same moment.
    script = (
        f"local paths = {{\n{lines}\n}}\n"
        "local threads, counter = 2, 0\n"
        "function setup(thread)\n  thread:set('slot', counter)\n  counter = counter + 1\nend\n"
        "local n = -1\n"
        "request = function()\n  n = n + 1\n"
        "  return wrk.format('GET', paths[((n * threads + slot) % #paths) + 1])\nend\n"
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


def visit_each(port: int, paths: list[str], connections: int) -> None:
    """Every path once (a few at a time): the look-up pages of these codes are then cached."""
    pending = list(reversed(paths))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while pending:
            try:
                path = pending.pop()
            except IndexError:
                return
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def worker_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the gunicorn workers (children of the master)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure_throughput(
    args, lookup_paths: list[str], first_visit_paths: list[str], page_bytes: int
) -> dict:
    """req/s and the workers' CPU ms per request of each page. The bare view, the home page and
    the look-up take turns for `--rounds` rounds, so each round's ratio compares runs made a few
    seconds apart on a machine whose other load changes; the medians are reported."""
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    load = load_wrk if use_wrk else load_python
    env = {**os.environ, "BENCH_BARE_BYTES": str(page_bytes), "PYTHONPATH": str(ROOT)}
    server = start_gunicorn(args, env)
    pages = {"bare": ["/bench/bare/"], "home": ["/"], "lookup": lookup_paths}
    rates: dict[str, list[float]] = {name: [] for name in pages}
    cpu: dict[str, list[float]] = {name: [] for name in pages}

    def timed(name: str, paths: list[str]) -> None:
        before = worker_cpu_seconds(server)
        rate, bad = load(args.port, paths, args.duration, args.connections)
        used = worker_cpu_seconds(server) - before
        if bad:
            print(f"warning: {bad} failed or non-200 responses during the {name} run")
        rates.setdefault(name, []).append(rate)
        cpu.setdefault(name, []).append(used * 1000 / max(1, rate * args.duration))

    try:
        # The codes' pages are in the cache, as when citizens check their dossier again.
        visit_each(args.port, lookup_paths, args.connections)
        for paths in pages.values():
            load(args.port, paths, 2, args.connections)  # warm up workers and caches
        for _ in range(args.rounds):
            for name, paths in pages.items():
                timed(name, paths)
        if first_visit_paths:  # no warm-up: each code is asked for once
            timed("first", first_visit_paths)
    finally:
        stop_gunicorn(server)
    ratios = [lookup / bare for lookup, bare in zip(rates["lookup"], rates["bare"], strict=True)]
    return {
        "client": "wrk" if use_wrk else "python threads",
        **{name: statistics.median(values) for name, values in rates.items()},
        "cpu": {name: statistics.median(values) for name, values in cpu.items()},
        "ratios": ratios,
        "ratio": statistics.median(ratios),
    }


# --- main ---------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE))
    parser.add_argument("--count", type=int, default=100_000, help="dossiers in the database")
    parser.add_argument("--requests", type=int, default=2000, help="timed Client requests")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument(
        "--first-visits",
        type=int,
        default=6000,
        help="codes asked for once only (no cached page): 200 timed in (a), the rest in (b)",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per load run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="load runs per page, taking turns (medians shown)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--conn-max-age",
        default=os.environ.get("CONN_MAX_AGE", "60"),
        help="CONN_MAX_AGE for the run (60, the settings' default, keeps connections open; "
        "0 opens one per request)",
    )
    parser.add_argument(
        "--ratelimit",
        choices=["on", "off"],
        default="on",
        help="on: limits raised but counted in Redis (the production cost); off: RATELIMIT_ENABLE",
    )
    parser.add_argument(
        "--cache-backend",
        choices=["django", "core"],
        default="django",
        help="django: the settings' RedisCache; core: core.cache.RedisCache (see its docstring)",
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
    os.environ["BENCH_CACHE_BACKEND"] = args.cache_backend

    import django

    django.setup()
    from django.core.cache import cache

    fill(args.count)
    cache.clear()
    rng = random.Random(args.seed)
    repeated = max(2000, args.warmup + 20)
    sample = sample_codes(repeated + args.first_visits, args.seed)
    paths = [lookup_path(code, last4) for code, last4 in sample[:repeated]]
    first_visits = [lookup_path(code, last4) for code, last4 in sample[repeated:]]

    from dossiers.models import Dossier

    total = Dossier.objects.count()
    print(
        f"\nlook-up benchmark: {total:,} dossiers, CONN_MAX_AGE={args.conn_max_age}, "
        f"rate limits {args.ratelimit}, cache backend {args.cache_backend}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    latency = measure_latency(paths, args.requests, args.warmup, rng)
    print(
        f"(a) one client, Django test Client, {args.requests} look-ups of {len(paths):,} codes: "
        f"p50 {latency['p50']:.1f} ms  p95 {latency['p95']:.1f} ms  "
        f"p99 {latency['p99']:.1f} ms  mean {latency['mean']:.1f} ms  "
        f"({latency['queries']:.1f} queries, {latency['bytes']:,} bytes per page)"
        f"  target p95 <= {TARGET_P95_MS:.0f} ms"
    )
    if first_visits:
        for label in ("first visit of a code (no cached page)", "the same codes again"):
            timed = measure_each(first_visits[:200])
            print(
                f"    {label}, 200 codes: p50 {timed['p50']:.1f} ms  p95 {timed['p95']:.1f} ms  "
                f"p99 {timed['p99']:.1f} ms  ({timed['queries']:.1f} queries)"
            )
    from django.db import connections

    connections.close_all()
    throughput = measure_throughput(args, paths, first_visits[200:], latency["bytes"])
    ratio, cpu = throughput["ratio"], throughput["cpu"]
    server = f"{args.workers} {args.worker_class} workers" + (
        f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    )

    def line(label: str, name: str) -> str:
        return (
            f"    {label:<44} {throughput[name]:8.1f} req/s  "
            f"({throughput[name] / throughput['bare']:6.1%} of bare)  "
            f"workers' CPU {cpu[name]:.2f} ms/request\n"
        )

    print(
        f"(b) gunicorn {server}, {args.connections} connections, {args.rounds} rounds of "
        f"{args.duration} s per page, {throughput['client']} (medians):\n"
        + line(f"bare view ({latency['bytes']:,} bytes)", "bare")
        + line("home page (same shell, no DB)", "home")
        + line(f"look-up page ({len(paths):,} codes, asked for again)", "lookup")
        + (line("look-up, first visit of each code", "first") if "first" in throughput else "")
        + f"    ratio look-up / bare: {ratio:.1%} (rounds: "
        + ", ".join(f"{r:.1%}" for r in throughput["ratios"])
        + f")  target >= {TARGET_RATIO:.0%}"
    )
    print(f"    load average now {os.getloadavg()[0]:.1f}")
    missed = latency["p95"] > TARGET_P95_MS or ratio < TARGET_RATIO
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())

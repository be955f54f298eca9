#!/usr/bin/env python
"""Benchmark of the public feedback archive search (/phan-anh-kien-nghi/?q=...), end to end.

Creates a PostgreSQL database of its own (default `portal_bench_feedback`; dropped and
re-created unless --reuse), migrates it, fills it with `--rows` published answers (realistic
Vietnamese questions and answers over 60 procedures in 12 fields, folded search column as the
publish service writes it), then requests the archive VIEW through Django's test Client: URL
routing, every middleware, the selector's two bounded queries and template rendering. Prints
p50/p95 per query and overall against the target p95 <= 50 ms.

    .venv/bin/python bench/feedback_search.py                    # 100,000 answers
    .venv/bin/python bench/feedback_search.py --runs 200 --check # exit 1 over target
    .venv/bin/python bench/feedback_search.py --reuse --keep     # keep data between runs

Settings: DJANGO_SETTINGS_MODULE (default nhatrang_portal.settings.test); the database URL is
forced onto DATABASE_URL and TEST_DATABASE_URL; the cache is local memory unless CACHE_URL is
set. The database name must contain "bench_feedback".
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_feedback"
TARGET_P95_MS = 50.0

# (label, query parameters); procedure/field filters are filled in after the data exists.
QUERIES = [
    ("no query", {}),
    ("common, accents", {"q": "hồ sơ"}),
    ("common, folded", {"q": "ho so"}),
    ("two words", {"q": "lệ phí karaoke"}),
    ("rare word", {"q": "quảng cáo rao vặt"}),
    ("no match", {"q": "xyzzy"}),
    ("page 5", {"q": "giay phep", "page": "5"}),
    ("procedure", {"thu_tuc": None}),
    ("field + query", {"linh_vuc": None, "q": "thoi han"}),
    ("procedure + query", {"thu_tuc": None, "q": "le phi"}),
]

SUBJECTS = [
    "giấy phép kinh doanh karaoke",
    "giấy phép tổ chức lễ hội",
    "thẻ thư viện",
    "biểu diễn nghệ thuật",
    "quảng cáo rao vặt",
    "di tích lịch sử",
    "câu lạc bộ thể thao",
    "điểm truy cập internet",
    "in ấn xuất bản",
    "gia đình văn hóa",
]
ASPECTS = [
    "lệ phí",
    "thời hạn giải quyết",
    "thành phần hồ sơ",
    "nộp hồ sơ trực tuyến",
    "bản sao chứng thực",
    "mẫu đơn",
    "thái độ cán bộ",
    "trả kết quả qua bưu điện",
]
QUESTION_FORMS = [
    "Xin hỏi {aspect} của thủ tục cấp {subject} là bao nhiêu?",
    "Hồ sơ đề nghị cấp {subject} quá hạn, {aspect} được tính thế nào?",
    "Tôi muốn biết {aspect} khi làm thủ tục {subject}.",
    "Phản ánh về {aspect} đối với hồ sơ {subject} tại Bộ phận Một cửa.",
]
ANSWER_FORMS = [
    "Theo quy định hiện hành, {aspect} đối với thủ tục {subject} được niêm yết công khai "
    "tại Bộ phận Một cửa và trên Cổng Dịch vụ công.",
    "Cơ quan đã kiểm tra và hướng dẫn: {aspect} thực hiện theo Thông tư số 01/2021/TT-BTC; "
    "hồ sơ được giải quyết trong thời hạn 5 ngày làm việc.",
    "Bộ phận Một cửa tiếp thu ý kiến, chấn chỉnh {aspect} và công khai quy trình giải quyết.",
]


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin(url: str):
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    return admin


def prepare_database(url: str, *, reuse: bool) -> None:
    name = database_name(url)
    if "bench_feedback" not in name:
        sys.exit(f"Refusing to use {name!r}: its name must contain 'bench_feedback'.")
    admin = _admin(url)
    with admin.cursor() as cursor:
        if not reuse:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(url: str) -> None:
    admin = _admin(url)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')
    admin.close()


def fill(rows: int, seed: int) -> int:
    """`rows` published answers (kept if already there); returns how many exist."""
    from django.db import connection
    from django.utils import timezone

    from accounts.tests.factories import AgencyFactory
    from core.text import fold
    from feedback.constants import Category, Channel, FeedbackKind, FeedbackStatus
    from feedback.models import Feedback
    from procedures.tests.factories import FieldFactory, ProcedureFactory

    existing = Feedback.objects.published().count()
    if existing >= rows:
        return existing
    rng = random.Random(seed)
    agency = AgencyFactory(is_primary=True)
    fields = [FieldFactory(code=f"bench-{n}", name=f"Lĩnh vực {n}") for n in range(12)]
    procedures = [
        ProcedureFactory(
            published=True,
            agency=agency,
            field=fields[n % len(fields)],
            name=f"Cấp {SUBJECTS[n % len(SUBJECTS)]} (mẫu {n})",
        )
        for n in range(60)
    ]
    now = timezone.now()
    batch, number = [], existing
    kinds, categories, channels = FeedbackKind.values, Category.values, Channel.values
    for n in range(existing, rows):
        procedure = procedures[rng.randrange(len(procedures))]
        subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
        aspect = ASPECTS[rng.randrange(len(ASPECTS))]
        question = rng.choice(QUESTION_FORMS).format(subject=subject, aspect=aspect)
        answer = rng.choice(ANSWER_FORMS).format(subject=subject, aspect=aspect)
        received = now - timedelta(days=rng.randrange(3650), minutes=rng.randrange(600))
        number += 1
        batch.append(
            Feedback(
                agency=agency,
                code=f"PB{n:09d}",
                register_year=2000 + n // 50_000,
                register_number=number,
                kind=kinds[n % 2],
                category=categories[n % len(categories)],
                channel=channels[n % len(channels)],
                sender_name=f"Người gửi {n}",
                sender_address="Nha Trang",
                sender_phone="+84905000000",
                consent_processing_at=received,
                procedure=procedure,
                field_id=procedure.field_id,
                content=question,
                status=FeedbackStatus.PUBLISHED,
                received_at=received,
                refuse_due_at=received,
                info_request_due_at=received,
                forward_due_at=received,
                handle_due_at=received,
                answer_text=answer,
                answered_at=received + timedelta(days=5),
                decided_at=received + timedelta(days=5),
                is_on_time=True,
                public_question=question,
                public_answer=answer,
                published_at=received + timedelta(days=6),
                search_text=fold(f"{question} {answer} {procedure.name}"),
                helpful_count=rng.randrange(20),
                not_helpful_count=rng.randrange(5),
            )
        )
        if len(batch) == 5000:
            Feedback.objects.bulk_create(batch)
            batch = []
    if batch:
        Feedback.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_feedback")
    return Feedback.objects.published().count()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def resolved_queries() -> list[tuple[str, dict]]:
    from feedback.models import Feedback

    sample = Feedback.objects.published().select_related("procedure").order_by("pk").first()
    out = []
    for label, params in QUERIES:
        params = dict(params)
        if "thu_tuc" in params:
            params["thu_tuc"] = sample.procedure.code
        if "linh_vuc" in params:
            params["linh_vuc"] = str(sample.field_id)
        out.append((label, params))
    return out


def measure(queries, runs: int, warmup: int):
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    url = reverse("feedback:archive")
    urls = {label: f"{url}?{urlencode(params)}" for label, params in queries}
    for _ in range(warmup):
        for target in urls.values():
            assert client.get(target).status_code == 200, target
    timings: dict[str, list[float]] = {label: [] for label in urls}
    for _ in range(runs):  # interleaved, so drift affects every query alike
        for label, target in urls.items():
            started = time.perf_counter()
            response = client.get(target)
            _body = response.content
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=100_000, help="published answers")
    parser.add_argument("--runs", type=int, default=100, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per query")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--target-ms", type=float, default=TARGET_P95_MS)
    parser.add_argument("--check", action="store_true", help="exit 1 when p95 is over target")
    parser.add_argument("--reuse", action="store_true", help="keep existing rows, add missing")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    prepare_database(args.database_url, reuse=args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhatrang_portal.settings.test")
    os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"] = args.database_url
    os.environ.setdefault("CACHE_URL", "locmemcache://bench-feedback")
    os.environ["TEST_CACHE_URL"] = os.environ["CACHE_URL"]

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from feedback import selectors

    try:
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        count = fill(args.rows, args.seed)
        print(f"{count} published answers ready in {time.perf_counter() - started:.1f} s.")
        queries = resolved_queries()
        matches, selector_times = {}, {}
        for label, params in queries:
            kwargs = {
                "query": params.get("q", ""),
                "procedure_code": params.get("thu_tuc", ""),
                "field_id": int(params["linh_vuc"]) if params.get("linh_vuc") else None,
                "page": int(params.get("page", 1)),
            }
            page = selectors.archive_search(**kwargs)
            matches[label] = str(page.total) if page.total is not None else f">{page.end_index}"
            selector_times[label] = []
            for _ in range(args.runs):  # the selector alone: its queries, no rendering
                started = time.perf_counter()
                selectors.archive_search(**kwargs)
                selector_times[label].append((time.perf_counter() - started) * 1000)
        timings = measure(queries, args.runs, args.warmup)
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nLoad average: {load} on {os.cpu_count()} CPUs.")
    print(f"GET /phan-anh-kien-nghi/?... through the test Client, {args.runs} runs per query\n")
    print(
        f"{'query':<20} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'selector p95':>13}"
    )
    everything = []
    for label, values in timings.items():
        everything += values
        print(
            f"{label:<20} {matches[label]:>8} {statistics.median(values):>8.2f} "
            f"{percentile(values, 95):>8.2f} {max(values):>8.2f} "
            f"{percentile(selector_times[label], 95):>13.2f}"
        )
    p95 = percentile(everything, 95)
    print(
        f"\n{'overall':<20} {'':>8} {statistics.median(everything):>8.2f} {p95:>8.2f} "
        f"{max(everything):>8.2f}   target p95 <= {args.target_ms:.0f} ms: "
        f"{'OK' if p95 <= args.target_ms else 'OVER'}"
    )
    return 1 if args.check and p95 > args.target_ms else 0


if __name__ == "__main__":
    sys.exit(main())

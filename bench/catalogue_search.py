#!/usr/bin/env python
"""Benchmark of the public catalogue search page (/thu-tuc/?q=...), end to end.

Creates a throw-away PostgreSQL database (default `portal_bench_catalogue`), migrates it, fills
it with a province-sized catalogue (2,000 published procedures with realistic Vietnamese
names, plus retired and draft versions), then requests the catalogue VIEW through Django's test
Client: URL routing, every middleware, the selector's queries and full template rendering. Prints
p50/p95 per query and overall, against the target p95 <= 25 ms.

    .venv/bin/python bench/catalogue_search.py                       # defaults below
    .venv/bin/python bench/catalogue_search.py --runs 300 --check    # exit 1 over target
    .venv/bin/python bench/catalogue_search.py \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench_catalogue --keep

Settings: DJANGO_SETTINGS_MODULE (default nhatrang_portal.settings.test); the database URL is
forced onto both DATABASE_URL and TEST_DATABASE_URL, the cache is local memory unless
CACHE_URL/TEST_CACHE_URL is set. The database name must contain "bench" (it is dropped and
re-created) unless --force is given. See bench/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_catalogue"
TARGET_P95_MS = 25.0

# (label, query string) measured; the overall figure is over these.
QUERIES = [
    ("karaoke", "karaoke"),
    ("dang ky le hoi", "dang ky le hoi"),
    ("ĐĂNG KÝ", "ĐĂNG KÝ"),
    ("thư viện", "thư viện"),
    ("tro choi dien tu", "tro choi dien tu"),
    ("miss", "khong co thu tuc nao nhu the nay"),
]

# --- realistic catalogue ------------------------------------------------------------------
FIELDS = {
    "van-hoa-co-so": "Văn hóa cơ sở",
    "gia-dinh": "Gia đình",
    "thu-vien": "Thư viện",
    "the-duc-the-thao": "Thể dục thể thao",
    "du-lich": "Du lịch",
    "quang-cao": "Quảng cáo",
    "nghe-thuat-bieu-dien": "Nghệ thuật biểu diễn",
    "di-san-van-hoa": "Di sản văn hóa",
    "phat-thanh-truyen-hinh": "Phát thanh, truyền hình và thông tin điện tử",
    "xuat-ban": "Xuất bản, in và phát hành",
    "ho-tich": "Hộ tịch",
    "chung-thuc": "Chứng thực",
    "dat-dai": "Đất đai",
    "xay-dung": "Hoạt động xây dựng",
    "dang-ky-kinh-doanh": "Thành lập và hoạt động của hộ kinh doanh",
    "giao-duc": "Giáo dục và Đào tạo",
    "bao-tro-xa-hoi": "Bảo trợ xã hội",
    "moi-truong": "Môi trường",
}

# Culture-sector names of DOMAIN.md §10 and their variants, then other sectors' procedures so
# that a culture keyword matches a realistic share of a province-wide catalogue.
ACTIONS = ["Cấp", "Cấp lại", "Điều chỉnh", "Gia hạn", "Sửa đổi, bổ sung", "Thu hồi"]
LICENCES = [
    ("van-hoa-co-so", "Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke"),
    ("van-hoa-co-so", "Giấy phép đủ điều kiện kinh doanh dịch vụ vũ trường"),
    (
        "phat-thanh-truyen-hinh",
        "Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử công cộng",
    ),
    ("nghe-thuat-bieu-dien", "Giấy phép tổ chức biểu diễn nghệ thuật, trình diễn thời trang"),
    ("van-hoa-co-so", "Giấy phép tổ chức triển lãm do cá nhân nước ngoài tổ chức"),
    ("quang-cao", "Giấy phép xây dựng màn hình chuyên quảng cáo ngoài trời"),
    ("xuat-ban", "Giấy xác nhận đăng ký hoạt động cơ sở dịch vụ photocopy"),
    ("xuat-ban", "Giấy phép hoạt động in xuất bản phẩm"),
    ("du-lich", "Giấy chứng nhận cơ sở kinh doanh dịch vụ ăn uống đạt tiêu chuẩn phục vụ khách"),
    ("the-duc-the-thao", "Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao"),
    ("di-san-van-hoa", "Giấy phép khai quật khẩn cấp di tích"),
]
STANDALONE = [
    ("van-hoa-co-so", "Đăng ký tổ chức lễ hội cấp huyện"),
    ("van-hoa-co-so", "Thông báo tổ chức lễ hội cấp huyện"),
    ("van-hoa-co-so", "Đăng ký tổ chức lễ hội truyền thống"),
    ("van-hoa-co-so", "Thông báo tổ chức lễ hội hằng năm"),
    ("van-hoa-co-so", "Xét tặng danh hiệu “Thôn, Tổ dân phố văn hóa”"),
    ("van-hoa-co-so", "Xét tặng danh hiệu “Xã, phường, thị trấn tiêu biểu”"),
    ("van-hoa-co-so", "Công nhận lần đầu danh hiệu “Cơ quan, đơn vị đạt chuẩn văn hóa”"),
    ("gia-dinh", "Xét tặng Giấy khen “Gia đình văn hóa”"),
    ("gia-dinh", "Đăng ký hoạt động của cơ sở hỗ trợ nạn nhân bạo lực gia đình"),
    (
        "gia-dinh",
        "Cấp Giấy chứng nhận đăng ký hoạt động cơ sở tư vấn về phòng, chống bạo lực gia đình",
    ),
    ("thu-vien", "Thông báo thành lập thư viện đối với thư viện cộng đồng"),
    ("thu-vien", "Thông báo sáp nhập, hợp nhất, chia, tách thư viện"),
    ("thu-vien", "Thông báo chấm dứt hoạt động thư viện cộng đồng"),
    ("thu-vien", "Đăng ký hoạt động thư viện tư nhân có vốn sách ban đầu từ 1.000 bản trở lên"),
    ("thu-vien", "Thông báo thành lập thư viện của cơ sở giáo dục ngoài công lập"),
    ("the-duc-the-thao", "Công nhận câu lạc bộ thể thao cơ sở"),
    ("the-duc-the-thao", "Đăng ký tổ chức giải thi đấu thể thao quần chúng cấp huyện"),
    ("quang-cao", "Tiếp nhận thông báo sản phẩm quảng cáo trên bảng quảng cáo, băng-rôn"),
    ("phat-thanh-truyen-hinh", "Khai báo hoạt động cơ sở dịch vụ photocopy"),
    ("ho-tich", "Đăng ký khai sinh"),
    ("ho-tich", "Đăng ký kết hôn"),
    ("ho-tich", "Đăng ký khai tử"),
    ("ho-tich", "Đăng ký lại khai sinh"),
    ("ho-tich", "Đăng ký nhận cha, mẹ, con"),
    ("ho-tich", "Cấp bản sao trích lục hộ tịch"),
    ("chung-thuc", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    ("chung-thuc", "Chứng thực chữ ký trong các giấy tờ, văn bản"),
    ("dat-dai", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"),
    ("dat-dai", "Cấp đổi Giấy chứng nhận quyền sử dụng đất"),
    ("xay-dung", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
    ("xay-dung", "Cấp giấy phép sửa chữa, cải tạo công trình"),
    ("dang-ky-kinh-doanh", "Đăng ký thành lập hộ kinh doanh"),
    ("dang-ky-kinh-doanh", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh"),
    ("dang-ky-kinh-doanh", "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo"),
    ("giao-duc", "Cho phép trường mầm non hoạt động giáo dục"),
    ("giao-duc", "Chuyển trường đối với học sinh trung học cơ sở"),
    ("bao-tro-xa-hoi", "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở"),
    ("bao-tro-xa-hoi", "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng"),
    ("moi-truong", "Đăng ký kế hoạch bảo vệ môi trường"),
]
QUALIFIERS = [
    "",
    "",
    " cấp huyện",
    " cấp xã",
    " đối với tổ chức",
    " đối với cá nhân",
    " cho hộ kinh doanh",
    " trên địa bàn thành phố Nha Trang",
    " (trường hợp thay đổi chủ sở hữu)",
    " (trường hợp thay đổi địa điểm)",
    " (thực hiện tại Bộ phận Một cửa)",
    " có yếu tố nước ngoài",
    " theo Nghị định số 54/2019/NĐ-CP",
    " liên thông",
]


def catalogue_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` (field code, name) pairs: every base name once, then random variants."""
    bases = [(field, f"{action} {licence}") for field, licence in LICENCES for action in ACTIONS]
    bases += STANDALONE
    names = list(bases)
    seen = {name for _field, name in names}
    while len(names) < count:
        field, base = rng.choice(bases)
        name = base + rng.choice(QUALIFIERS)
        if name in seen:
            name = f"{name} - mẫu {len(names)}"
        seen.add(name)
        names.append((field, name))
    rng.shuffle(names)
    return names[:count]


# --- database -----------------------------------------------------------------------------
def recreate_database(url: str, *, force: bool) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name and not force:
        sys.exit(f"Refusing to drop and re-create {name!r}: its name has no 'bench' (--force).")
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(url: str) -> None:
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
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def fill(rows: int, seed: int) -> dict[str, int]:
    """The catalogue: `rows` published procedures, ~10 % with a retired older version, a few
    drafts; steps, methods and components for each published one."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Agency
    from core.calendar import TimeUnit
    from procedures.constants import OnlineLevel, ProcedureStatus, SubmissionChannel
    from procedures.models import (
        DossierComponent,
        Field,
        Procedure,
        ProcedureStep,
        SubmissionMethod,
    )

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        agency = Agency.objects.create(
            name="Phòng Văn hóa và Thông tin thành phố Nha Trang",
            short_name="Phòng VH&TT Nha Trang",
            parent_name="UBND thành phố Nha Trang",
            code="000.00.20.H32",
            address="01 Trần Phú, Nha Trang, Khánh Hòa",
            locality="Nha Trang",
            hotline="0258 3822 500",
            office_hours="Thứ Hai - Thứ Sáu: 7:00 - 11:30, 13:30 - 17:00",
            is_primary=True,
        )
        fields = {code: Field.objects.create(code=code, name=name) for code, name in FIELDS.items()}
        procedures = []
        for n, (field_code, name) in enumerate(catalogue_names(rows, rng)):
            code = f"{rng.choice('123')}.{n + 1:06d}"
            base = {
                "agency": agency,
                "code": code,
                "local_code": f"{code}.000.00.20.H32",
                "name": name,
                "field": fields[field_code],
                "processing_time_amount": Decimal(rng.choice([1, 3, 4, 5, 5, 7, 10, 15, 20])),
                "processing_time_unit": rng.choice(
                    [TimeUnit.WORKING_DAYS] * 8 + [TimeUnit.CALENDAR_DAYS]
                ),
                "processing_time_note": "kể từ ngày nhận đủ hồ sơ hợp lệ",
                "subjects": "Tổ chức, cá nhân",
                "implementing_agency": "Phòng Văn hóa và Thông tin",
                "result": "Giấy phép",
                "fee_description": rng.choice(["", "", "", "4.000.000 đồng/giấy phép"]),
                "legal_basis": "Nghị định số 54/2019/NĐ-CP",
                "publication_decision": "1789/QĐ-UBND",
                "online_level": rng.choice(list(OnlineLevel.values)),
                "is_illustrative": rng.random() < 0.2,
            }
            if rng.random() < 0.1:
                procedures.append(
                    Procedure(**base, version=1, status=ProcedureStatus.RETIRED, published_at=now)
                )
                procedures.append(
                    Procedure(**base, version=2, status=ProcedureStatus.PUBLISHED, published_at=now)
                )
            else:
                procedures.append(
                    Procedure(**base, version=1, status=ProcedureStatus.PUBLISHED, published_at=now)
                )
            if rng.random() < 0.03:
                procedures.append(Procedure(**{**base, "name": name + " (dự thảo)"}, version=9))
        for procedure in procedures:  # bulk_create does not call save()
            procedure.search_text = procedure.build_search_text()
        Procedure.objects.bulk_create(procedures, batch_size=500)

        published = [p for p in procedures if p.status == ProcedureStatus.PUBLISHED]
        ProcedureStep.objects.bulk_create(
            ProcedureStep(procedure=p, position=i, title=f"Bước {i}")
            for p in published
            for i in (1, 2, 3)
        )
        SubmissionMethod.objects.bulk_create(
            SubmissionMethod(procedure=p, channel=c, processing_time="05 ngày làm việc")
            for p in published
            for c in SubmissionChannel.values
        )
        DossierComponent.objects.bulk_create(
            DossierComponent(procedure=p, position=i, name=f"Thành phần hồ sơ {i}")
            for p in published
            for i in (1, 2)
        )
    # What autovacuum does after a bulk load: statistics and GIN's pending list flushed.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "published": len(published),
        "all versions": len(procedures),
    }


# --- measurement --------------------------------------------------------------------------
def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(runs: int, warmup: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and this process's CPU time (ms) per request, by query label. CPU time leaves
    out PostgreSQL's share and time spent waiting for a busy CPU, so it stays comparable on a
    shared machine when wall-clock figures do not."""
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    url = reverse("procedures:procedure-list")
    urls = {label: f"{url}?{urlencode({'q': q})}" for label, q in QUERIES}
    for _ in range(warmup):
        for target in urls.values():
            response = client.get(target)
            assert response.status_code == 200, (target, response.status_code)
    timings: dict[str, list[float]] = {label: [] for label in urls}
    cpu: dict[str, list[float]] = {label: [] for label in urls}
    for _ in range(runs):  # interleaved, so drift affects every query alike
        for label, target in urls.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(target)
            _body = response.content
            timings[label].append((time.perf_counter() - started) * 1000)
            cpu[label].append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
    return timings, cpu


def match_counts() -> dict[str, int]:
    from procedures.selectors import procedure_list

    return {label: procedure_list(query=q).count() for label, q in QUERIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=2000, help="published procedures")
    parser.add_argument("--runs", type=int, default=200, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per query")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="CONN_MAX_AGE in seconds; 0 opens a new database connection for every request",
    )
    parser.add_argument("--target-ms", type=float, default=TARGET_P95_MS)
    parser.add_argument("--check", action="store_true", help="exit 1 when p95 is over target")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--force", action="store_true", help="allow a name without 'bench'")
    args = parser.parse_args()

    print(f"Re-creating {urlsplit(args.database_url).path.lstrip('/')} ...", flush=True)
    recreate_database(args.database_url, force=args.force)
    db_url = f"{args.database_url}{'&' if '?' in args.database_url else '?'}"
    db_url += f"CONN_MAX_AGE={args.conn_max_age}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhatrang_portal.settings.test")
    os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"] = db_url
    os.environ.setdefault("TEST_CACHE_URL", os.environ.get("CACHE_URL", "locmemcache://bench"))
    os.environ.setdefault("CACHE_URL", os.environ["TEST_CACHE_URL"])

    import django

    # WhiteNoise warns that collectstatic has not run; static files are not measured here.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        sizes = fill(args.rows, args.seed)
        print(
            f"Filled {sizes['published']} published procedures ({sizes['all versions']} "
            f"versions) in {time.perf_counter() - started:.1f} s.",
            flush=True,
        )
        counts = match_counts()
        timings, cpu = measure(args.runs, args.warmup)
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"\nLoad average during the run: {load} on {os.cpu_count()} CPUs "
        "(figures from a busy machine are not comparable)."
    )
    print(
        f"GET /thu-tuc/?q=... through the test Client, {args.runs} runs per query "
        f"(after {args.warmup} warm-up), page size {settings.CATALOGUE_PAGE_SIZE}, "
        f"CONN_MAX_AGE={args.conn_max_age}, settings {os.environ['DJANGO_SETTINGS_MODULE']}\n"
    )
    print(
        f"{'query':<20} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'cpu p50':>8} {'cpu p95':>8}"
    )
    everything, everything_cpu = [], []
    for label, values in timings.items():
        everything += values
        everything_cpu += cpu[label]
        print(
            f"{label:<20} {counts[label]:>8} {statistics.median(values):>8.2f} "
            f"{percentile(values, 95):>8.2f} {max(values):>8.2f} "
            f"{statistics.median(cpu[label]):>8.2f} {percentile(cpu[label], 95):>8.2f}"
        )
    p50, p95 = statistics.median(everything), percentile(everything, 95)
    print(
        f"{'overall':<20} {'':>8} {p50:>8.2f} {p95:>8.2f} {max(everything):>8.2f} "
        f"{statistics.median(everything_cpu):>8.2f} {percentile(everything_cpu, 95):>8.2f}"
    )
    verdict = "within" if p95 <= args.target_ms else "OVER"
    print(f"\nTarget p95 <= {args.target_ms:g} ms: {verdict} target (p95 {p95:.2f} ms).")
    return 1 if args.check and p95 > args.target_ms else 0


if __name__ == "__main__":
    sys.exit(main())

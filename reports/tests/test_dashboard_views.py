"""The dashboard page `/can-bo/dieu-hanh/`: who may open it, what each role sees, filters and bad
input, links that lead to lists with the same counts, a bounded number of queries, exports.

The desk is reports.tests.dashboard_data; "now" is Wednesday 4 March 2026, 10:00 in Nha Trang.
Pages are read in Vietnamese (the portal's default language).
"""

import csv
import io
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from reports.tests.dashboard_data import NOW, at, build_desk, receive

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def _fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(agency):
    return build_desk(agency)


def page_text(response) -> str:
    """The visible words of the page's main part (charts left out)."""
    html = response.content.decode()
    html = html[html.index("<main") :]
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def today_links(response) -> dict[str, tuple[int, str]]:
    """Today's figures: key -> (number, link)."""
    html = response.content.decode()
    found = re.findall(
        r'<a class="stat stat-(\w+)[^"]*" href="([^"]+)"><span class="stat-value">(\d+)</span>',
        html,
    )
    return {key: (int(value), unescape(href)) for key, href, value in found}


def sheet(book, title):
    """The worksheet whose first cell is the table's full title (sheet names are cut at 31)."""
    return next(ws for ws in book.worksheets if ws["A1"].value == title)


def listed_count(client, url) -> int:
    """How many dossiers the staff list shows at `url` (its "N hồ sơ" total)."""
    response = client.get(url)
    assert response.status_code == 200, url
    match = re.search(
        r'<span class="count fw-semibold">(\d+) hồ sơ</span>', response.content.decode()
    )
    assert match, f"no total on {url}"
    return int(match.group(1))


# --- who may open it ---------------------------------------------------------------------------
def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    response = client.get(reverse("reports:dashboard-csv"))
    assert response.status_code == 302


def test_staff_without_any_dossier_right_are_refused(client, agency):
    client.force_login(UserFactory(department__agency=agency))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("reports:dashboard-xlsx")).status_code == 403


def test_a_leader_sees_the_whole_agency_and_never_another_one(client, desk):
    client.force_login(desk["boss"])
    response = client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "Bảng điều hành" in text and "Toàn cơ quan" in text
    figures = {key: value for key, (value, _url) in today_links(response).items()}
    assert figures == {
        "received": 1,
        "finished": 1,
        "open_on_time": 6,
        "open_overdue": 1,
        "due_today": 1,
    }
    for code in (desk["I"].code, desk["B"].code, desk["H"].code, desk["E"].code):
        assert code in text  # at risk, and paused
    assert "Thiếu văn bản chấp thuận của UBND phường" in text  # why E is paused
    assert "Lê Văn Bình" in text and "Phạm Thị Cúc" in text  # by officer
    # 766 estimates, labelled as such, with N/A for an empty denominator and a place for 5.4.
    assert "Ước tính nội bộ, không phải điểm chính thức" in text
    assert "2.1 Tỷ lệ đúng hạn" in text and "88,9%" in text
    assert "5.2 Phản ánh, kiến nghị xử lý đúng hạn" in text
    assert 'id="indicator-5-4"' in response.content.decode()
    # Nothing of the other agency: its dossier, its procedure (even in the filter), its staff.
    html = response.content.decode()
    assert desk["X"].code not in html
    assert "Thủ tục của cơ quan khác" not in html


def test_a_desk_officer_sees_only_their_own_figures(client, desk):
    client.force_login(desk["desk"])
    response = client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "Số liệu của tôi" in text
    figures = {key: value for key, (value, _url) in today_links(response).items()}
    assert figures == {
        "received": 1,
        "finished": 0,
        "open_on_time": 2,
        "open_overdue": 0,
        "due_today": 0,
    }
    # Not their dossiers, not the agency's per-officer or feedback figures.
    for code in (desk["I"].code, desk["B"].code, desk["E"].code):
        assert code not in text
    assert 'id="by-officer"' not in response.content.decode()
    assert "Lê Văn Bình" not in text
    assert "5.2 Phản ánh" not in text
    assert "Không có hồ sơ nào có nguy cơ trễ hạn." in text


def test_a_specialist_sees_their_own_queue_and_its_list(client, desk):
    officer = desk["officer"]
    client.force_login(officer)
    response = client.get(URL)
    text = page_text(response)
    assert desk["I"].code in text and desk["B"].code in text
    assert desk["H"].code not in text and desk["E"].code not in text
    value, url = today_links(response)["due_today"]
    assert (value, url) == (1, f"/can-bo/ho-so/?due_within=0&handler={officer.pk}")
    assert listed_count(client, url) == 1


# --- filters -----------------------------------------------------------------------------------
def test_last_week_and_chosen_dates(client, desk):
    client.force_login(desk["boss"])
    text = page_text(client.get(URL, {"period": "last_week"}))
    assert "Tuần trước: 23/02/2026 – 01/03/2026" in text
    # Last week every dossier was still open and on time: 6 of 6.
    assert "6 / 6" in text
    text = page_text(
        client.get(URL, {"period": "custom", "start": "2026-03-03", "end": "2026-03-03"})
    )
    assert "Chọn ngày: 03/03/2026 – 03/03/2026" in text


def test_one_procedure(client, desk):
    client.force_login(desk["boss"])
    response = client.get(URL, {"procedure": desk["karaoke"].pk})
    text = page_text(response)
    assert "Cấp giấy phép kinh doanh dịch vụ karaoke" in text
    assert desk["H"].code in text and desk["I"].code not in text
    assert 'id="by-procedure"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"period": "custom", "start": "2026-13-01", "end": "2026-03-01"},
            "Từ: Nhập một ngày hợp lệ.",
        ),
        (
            {"period": "custom", "start": "2026-03-03", "end": "2026-03-01"},
            "Ngày cuối của kỳ ở trước ngày đầu.",
        ),
        (
            {"period": "custom", "start": "2026-03-01", "end": "2030-01-01"},
            "Kỳ báo cáo không thể kết thúc sau hôm nay.",
        ),
        ({"period": "custom", "start": "2024-01-01", "end": "2026-03-01"}, "Kỳ báo cáo quá dài"),
        ({"period": "custom", "start": "2026-03-01"}, "Hãy chọn cả ngày đầu và ngày cuối của kỳ."),
        ({"period": "next_year"}, "Kỳ: Hãy chọn một lựa chọn hợp lệ."),
        ({"procedure": "abc"}, "Thủ tục: Hãy chọn một lựa chọn hợp lệ."),
        ({"start": "x" * 5000}, "Từ: Nhập một ngày hợp lệ."),
    ],
)
def test_bad_filters_are_explained_and_the_default_applies(client, desk, params, message):
    client.force_login(desk["boss"])
    response = client.get(URL, params)
    assert response.status_code == 200
    text = page_text(response)
    assert "Một số điều kiện lọc không hợp lệ nên không được áp dụng:" in text
    assert message in text
    assert "Tuần này: 02/03/2026 – 04/03/2026" in text


def test_another_agencys_procedure_is_not_a_choice(client, desk):
    client.force_login(desk["boss"])
    response = client.get(URL, {"procedure": desk["other_procedure"].pk})
    assert response.status_code == 200
    text = page_text(response)
    assert "Thủ tục: Hãy chọn một lựa chọn hợp lệ." in text
    assert "Tất cả thủ tục" in text


# --- every figure leads to its list ------------------------------------------------------------
def test_work_queue_figures_lead_to_lists_with_the_same_count(client, desk):
    client.force_login(desk["boss"])
    response = client.get(URL)
    html = unescape(response.content.decode())
    due_value, due_url = today_links(response)["due_today"]
    assert listed_count(client, due_url) == due_value == 1
    at_risk = re.search(r'<a class="badge stat-badge ms-1" href="([^"]+)">(\d+) hồ sơ</a>', html)
    assert at_risk.group(1) == "/can-bo/ho-so/?due_within=3"
    assert listed_count(client, at_risk.group(1)) == int(at_risk.group(2)) == 3
    paused = re.search(r'href="(/can-bo/ho-so/\?status=5)">Yêu cầu bổ sung hồ sơ: (\d+)</a>', html)
    assert listed_count(client, paused.group(1)) == int(paused.group(2)) == 1


def test_period_figures_lead_to_the_bucket_lists_with_the_same_count(client, desk):
    client.force_login(desk["boss"])
    response = client.get(URL)
    links = today_links(response)
    for key in ("received", "finished"):
        value, url = links[key]
        assert url.startswith("/can-bo/ho-so/?bucket=")
        assert listed_count(client, url) == value, key
    html = unescape(response.content.decode())
    # The trend's running week: received so far.
    week = re.search(
        r'<a href="(/can-bo/ho-so/\?bucket=received&period_start=2026-03-02'
        r'&period_end=2026-03-04)">(\d+)</a>',
        html,
    )
    assert listed_count(client, week.group(1)) == int(week.group(2)) == 3

    # A closed period, Mon 23/2 .. Tue 3/3: every part of the on-time rate, and one officer's
    # overdue dossiers (A, due Mon 2/3, was still open on Tuesday night).
    response = client.get(URL, {"period": "custom", "start": "2026-02-23", "end": "2026-03-03"})
    html = unescape(response.content.decode())
    row = re.search(r'<tr id="indicator-2-1">(.*?)</tr>', html, flags=re.S).group(1)
    parts = re.findall(r'<a href="(/can-bo/ho-so/\?bucket=[^"]+)">(\d+)</a>', row)
    assert len(parts) == 6
    for url, value in parts:
        assert listed_count(client, url) == int(value), url
    officer = desk["officer"]
    overdue = re.search(
        rf'<a href="(/can-bo/ho-so/\?bucket=open_overdue[^"]*handler={officer.pk})">(\d+)</a>',
        html,
    )
    assert listed_count(client, overdue.group(1)) == int(overdue.group(2)) == 1


def test_open_figures_of_today_lead_to_the_same_count(client, desk):
    client.force_login(desk["boss"])
    links = today_links(client.get(URL))
    for key in ("open_on_time", "open_overdue"):
        value, url = links[key]
        assert listed_count(client, url) == value, key


def test_a_desk_officers_figures_lead_to_their_own_dossiers(client, desk):
    clerk = desk["desk"]
    client.force_login(desk["boss"])
    html = unescape(client.get(URL).content.decode())
    # The leader's by-officer row of the desk officer: C and F were received this week.
    received = re.search(
        rf'<a href="(/can-bo/ho-so/\?bucket=received[^"]*handler={clerk.pk})">(\d+)</a>', html
    )
    assert int(received.group(2)) == 2
    assert listed_count(client, received.group(1)) == 2


# --- performance -------------------------------------------------------------------------------
def cold_and_warm_queries(client, url, params=None) -> tuple[int, int]:
    """Queries of a request with an empty cache, then of the same request again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url, params or {}).status_code == 200
    return len(cold), len(warm)


def test_queries_do_not_grow_with_dossiers_procedures_or_officers(
    client, desk, django_assert_max_num_queries
):
    """The same number of queries before and after adding twelve procedures, six officers and
    48 dossiers in every state; the trend's closed weeks come from the cache the second time."""
    from dossiers import services
    from dossiers.tests.factories import published_procedure, staff

    client.force_login(desk["boss"])
    client.get(URL)  # the calendar's overrides, the session
    before = cold_and_warm_queries(client, URL)
    by_procedure_before = cold_and_warm_queries(client, URL, {"procedure": desk["karaoke"].pk})

    agency = desk["boss"].department.agency
    procedures = [published_procedure(agency, name=f"Thủ tục thử {n}") for n in range(12)]
    officers = [staff(agency, "specialist") for _ in range(6)]
    for n in range(48):
        received_at = at(2026, 2, 2 + n % 27, 8 + n % 8)
        dossier = receive(procedures[n % 12], desk["desk"], received_at, name=f"Người nộp {n}")
        with time_machine.travel(received_at.replace(hour=16), tick=False):
            services.dossier_assign(dossier=dossier, handler=officers[n % 6], user=desk["desk"])
            if n % 4 == 1:
                services.dossier_request_supplement(
                    dossier=dossier, user=officers[n % 6], items=["Giấy tờ"], reason="Thiếu"
                )
            elif n % 4 == 2:
                services.dossier_resolve(dossier=dossier, user=officers[n % 6])

    after = cold_and_warm_queries(client, URL)
    assert after == before
    assert cold_and_warm_queries(client, URL, {"procedure": desk["karaoke"].pk}) == (
        by_procedure_before
    )
    # Cold: session, user, permissions, procedures, today, the period with its groupings,
    # 11 closed weeks, counts, at risk, paused, feedback. Warm: the same without the weeks.
    cold, warm = after
    assert cold <= 42 and warm <= 18
    client.get(URL)
    with django_assert_max_num_queries(18):
        response = client.get(URL)
    assert "Thủ tục thử 11" in page_text(response)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("reports:dashboard-xlsx")).status_code == 200


def test_this_weeks_figures_are_live_though_closed_weeks_are_cached(client, desk):
    client.force_login(desk["boss"])
    first = client.get(URL)
    week = r'<a href="/can-bo/ho-so/\?bucket=received&amp;period_start={}[^"]*">(\d+)</a>'
    assert re.search(week.format("2026-03-02"), first.content.decode()).group(1) == "3"
    # A dossier received now shows at once in this week's figures (and today's).
    receive(desk["karaoke"], desk["desk"], at(2026, 3, 4, 9, 59), name="Người đến sau")
    second = client.get(URL).content.decode()
    assert re.search(week.format("2026-03-02"), second).group(1) == "4"
    assert re.search(week.format("2026-02-23"), second).group(1) == "6"


# --- exports -----------------------------------------------------------------------------------
def test_csv_export_holds_the_pages_figures(client, desk):
    client.force_login(desk["boss"])
    response = client.get(reverse("reports:dashboard-csv"), {"period": "this_week"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="dieu-hanh-20260302-20260304.csv"'
    )
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # Excel reads the diacritics
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert ["Giải quyết xong hôm nay", "1"] in rows
    assert ["Đến hạn hôm nay", "1"] in rows
    assert ["Có nguy cơ trễ hạn (đến hạn trong 3 ngày làm việc)", "3"] in rows
    estimate = next(row for row in rows if row[:1] == ["2.1"])
    assert estimate[2:5] == ["8", "9", "88,9%"]
    assert next(row for row in rows if row[:1] == ["5.2"])[4] == "Không có số liệu"
    assert ["Ghi chú", "Ước tính nội bộ, không phải điểm chính thức."] in rows
    assert any(row[:1] == [desk["E"].code] for row in rows)
    assert desk["X"].code not in content


def test_excel_export_has_one_sheet_per_table_with_real_numbers(client, desk):
    client.force_login(desk["boss"])
    response = client.get(reverse("reports:dashboard-xlsx"), {"procedure": desk["karaoke"].pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Thông tin chung", "Hôm nay", "Diễn biến theo tuần"]
    summary = {
        row[0]: row[1] for row in book["Thông tin chung"].iter_rows(min_row=3, values_only=True)
    }
    assert summary["Thủ tục"] == "Cấp giấy phép kinh doanh dịch vụ karaoke"
    estimates = sheet(book, "Bộ chỉ số phục vụ: ước tính nội bộ")
    row = next(r for r in estimates.iter_rows(min_row=3) if r[0].value == "2.1")
    assert (row[2].value, row[3].value) == (4, 5)
    assert row[4].value == pytest.approx(0.8) and row[4].number_format == "0.0%"
    weeks = list(book["Diễn biến theo tuần"].iter_rows(min_row=3, values_only=True))
    assert len(weeks) == 12 and weeks[-1][:3] == ("02/03/2026", "04/03/2026", 2)


def test_a_desk_officers_export_holds_only_their_figures(client, desk):
    client.force_login(desk["desk"])
    book = load_workbook(io.BytesIO(client.get(reverse("reports:dashboard-xlsx")).content))
    assert "Theo cán bộ" not in book.sheetnames
    summary = {
        row[0]: row[1] for row in book["Thông tin chung"].iter_rows(min_row=3, values_only=True)
    }
    assert summary["Số liệu của"] == "hồ sơ của tôi"


def test_the_satisfaction_estimate_counts_late_and_complained_dossiers(client, desk, agency):
    """766 indicator 5.4 on the dashboard: 100% − (late rate + rate of dossiers with a PAKN or
    a "dislike" response), over this week's 9 counted dossiers: A is late (open, overdue), D
    got a rating below 3, G is named by a PAKN; another PAKN names an unknown code."""
    from feedback.tests.factories import make_feedback
    from satisfaction.tests.index_data import make_response

    make_response(agency, at=at(2026, 3, 3, 16), scores=2, dossier=desk["D"])
    make_response(agency, at=at(2026, 3, 3, 16), scores=4)  # no dossier: not counted
    make_feedback(agency, received_at=at(2026, 3, 4, 8), dossier_code=desk["G"].code.lower())
    make_feedback(agency, received_at=at(2026, 3, 4, 8), dossier_code="KHONG-CO-MA-NAY")
    client.force_login(desk["boss"])
    text = page_text(client.get(URL))
    row = text[text.index("5.4 Mức độ hài lòng") :]
    assert "1 trễ hạn, 2 có phản ánh hoặc điểm đánh giá dưới 3." in row
    assert "66,7% 6 / 9" in row
    assert "9 = 2 đã giải quyết xong + 6 đang giải quyết, trong hạn + 1" in row

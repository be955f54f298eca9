"""The staff index page `/can-bo/danh-gia/`: who sees what, filters, bad input, bounded
queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers.tests.factories import published_procedure, staff

from .index_data import at, make_response

pytestmark = pytest.mark.django_db
URL = reverse("satisfaction:index")
TODAY = at(2026, 4, 15, 10)


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def office(agency):
    """Two officers rated differently, two procedures, an expectation, a facility complaint."""
    desk = staff(agency, Role.DESK_OFFICER, last_name="Trần", first_name="Thu")
    handler = staff(agency, Role.SPECIALIST, last_name="Lê", first_name="Hoa")
    karaoke = published_procedure(agency, name="Cấp Giấy phép kinh doanh karaoke")
    festival = published_procedure(agency, name="Đăng ký tổ chức lễ hội")
    make_response(
        agency,
        at=at(2026, 3, 2),
        scores=5,
        procedure=karaoke,
        desk_officer=desk,
        handler=handler,
        expectation="Mong muốn có chỗ để xe rộng hơn (KỲ VỌNG-7731).",
        facilities=("but_giay",),
    )
    make_response(agency, at=at(2026, 3, 9), scores=2, procedure=festival, desk_officer=desk)
    make_response(agency, at=at(2026, 4, 1), scores=4, procedure=karaoke, handler=handler)
    return {"desk": desk, "handler": handler, "karaoke": karaoke, "festival": festival}


def cell(html, table_id, row_text):
    """The text of the cells of the row of `table_id` whose header contains `row_text`."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    for row in table.split("<tr")[1:]:
        if row_text in row:
            return [
                re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)
            ]
    raise AssertionError(f"{row_text} not in {table_id}")


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "next=" in response["Location"]
    assert client.get(reverse("satisfaction:index-export")).status_code == 302


def test_staff_without_dossier_work_are_refused(client, agency):
    clerk = staff(agency, Role.ADMINISTRATOR)
    clerk.groups.clear()
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("satisfaction:index-export")).status_code == 403


def test_a_leader_sees_the_whole_office(client, leader, office):
    client.force_login(leader)

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 phiếu đánh giá" in html  # default period: the last 12 months
    assert cell(html, "procedure-table", "karaoke")[0] == "2"
    assert cell(html, "officer-table", "Trần Thu")[0] == "2"
    assert cell(html, "officer-table", "Lê Hoa")[:2] == ["2", "100%"]
    assert "cả hai cán bộ" in html  # the page says a response counts for both officers
    assert "KỲ VỌNG-7731" in html  # expectations: leaders only
    assert 'id="tthc-estimate"' in html
    assert cell(html, "facility-table", "03/2026")[1] == "1"  # one "thiếu bút" in March
    assert 'id="own-figures"' not in html
    assert "<svg" in html and 'role="img"' in html  # charts


def test_an_officer_sees_only_the_responses_that_rate_them(client, office):
    client.force_login(office["handler"])

    response = client.get(URL, {"officer": office["desk"].pk})

    html = response.content.decode()
    assert response.status_code == 200  # the officer filter does not exist for them: ignored
    assert 'id="own-figures"' in html
    assert "2 phiếu đánh giá" in html
    assert 'id="officer-table"' not in html
    assert "KỲ VỌNG-7731" not in html
    assert 'id="tthc-estimate"' not in html
    assert "Đăng ký tổ chức lễ hội" not in html.split('id="procedure-table"', 1)[1]
    assert cell(html, "criteria-table", "Thủ tục hành chính")[2] == "100%"


def test_filters_by_period_procedure_and_officer(client, leader, office):
    client.force_login(leader)

    march = client.get(URL, {"period_start": "2026-03-01", "period_end": "2026-03-31"})
    karaoke = client.get(URL, {"procedure": office["karaoke"].pk})
    desk = client.get(URL, {"officer": office["desk"].pk})

    assert "Từ 01/03/2026 đến 31/03/2026: 2 phiếu đánh giá." in march.content.decode()
    assert cell(karaoke.content.decode(), "criteria-table", "Thủ tục hành chính")[2] == "100%"
    assert "2 phiếu đánh giá" in desk.content.decode()
    assert cell(desk.content.decode(), "criteria-table", "Thủ tục hành chính")[2] == "50%"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period_start": "31/02/2026"}, "Nhập ngày"),
        ({"period_start": "hôm qua"}, "Nhập ngày"),
        ({"period_start": "2026-04-01", "period_end": "2026-03-01"}, "không được sau"),
        ({"period_start": "2020-01-01", "period_end": "2026-01-01"}, "731"),
        ({"period_start": "1900-01-01"}, "trong khoảng"),
        ({"procedure": "999999"}, "không có trong danh sách"),
        ({"procedure": "<script>"}, "không có trong danh sách"),
        ({"officer": "1e9"}, "không có trong danh sách"),
    ],
)
def test_bad_filters_get_a_vietnamese_message_and_the_default_period(
    client, leader, office, params, message
):
    client.force_login(leader)

    response = client.get(URL, params)

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="filter-errors"' in html and message in html
    assert "3 phiếu đánh giá" in html  # the default period is shown
    assert "<script>" not in html
    assert client.get(reverse("satisfaction:index-export"), params).status_code == 400


def test_other_offices_responses_never_count(client, leader, office):
    other = AgencyFactory(code="000.00.96.H32", is_primary=False)
    make_response(other, at=at(2026, 3, 3), scores=1)
    client.force_login(leader)

    html = client.get(URL).content.decode()

    assert "3 phiếu đánh giá" in html


def test_the_page_stays_bounded_with_a_hundred_responses(
    client, agency, leader, office, django_assert_max_num_queries
):
    officers = [staff(agency, Role.SPECIALIST) for _ in range(8)]
    procedures = [published_procedure(agency) for _ in range(6)]
    for n in range(100):
        make_response(
            agency,
            at=at(2025, 5, 1, 10) + timedelta(days=3 * n),
            scores={"*": 1 + n % 5},
            procedure=procedures[n % 6],
            desk_officer=office["desk"],
            handler=officers[n % 8],
            expectation=f"Mong đợi số {n}",
            facilities=("ghe_ngoi",) if n % 4 == 0 else (),
        )
    client.force_login(leader)

    with django_assert_max_num_queries(30):
        response = client.get(URL)
    with django_assert_max_num_queries(30):
        filtered = client.get(URL, {"procedure": procedures[0].pk})

    assert response.status_code == 200 and filtered.status_code == 200
    assert "103 phiếu đánh giá" in response.content.decode()

"""The Excel export of the index page: the same figures, the same scope as the page."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.constants import Role
from dossiers.tests.factories import published_procedure, staff

from .index_data import at, make_response

pytestmark = pytest.mark.django_db
URL = reverse("satisfaction:index-export")


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(at(2026, 4, 15, 10), tick=False):
        yield


@pytest.fixture
def office(agency):
    desk = staff(agency, Role.DESK_OFFICER, last_name="Trần", first_name="Thu")
    handler = staff(agency, Role.SPECIALIST, last_name="Lê", first_name="Hoa")
    karaoke = published_procedure(agency, name="Cấp Giấy phép kinh doanh karaoke")
    make_response(
        agency,
        at=at(2026, 3, 2, 9),
        scores=5,
        procedure=karaoke,
        desk_officer=desk,
        handler=handler,
        expectation="Mong có thêm chỗ để xe.",
        facilities=("but_giay", "ghe_ngoi"),
    )
    make_response(
        agency,
        at=at(2026, 3, 10),
        scores={"*": 4, "phuc_vu_cong_chuc": [2, 3, 4]},
        desk_officer=desk,
    )
    make_response(agency, at=at(2026, 3, 31, 20), scores={"*": 3, "tiep_can_dich_vu": [5, 5, 1]})
    return {"desk": desk, "handler": handler, "karaoke": karaoke}


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def rows(sheet):
    return list(sheet.iter_rows(values_only=True))


def find(sheet, first):
    return next(row for row in rows(sheet) if row and row[0] == first)


def test_a_leader_gets_every_table_with_the_page_figures(client, leader, office):
    client.force_login(leader)

    response = client.get(URL, {"period_start": "2026-03-01", "period_end": "2026-03-31"})

    assert "chi-so-hai-long_2026-03-01_2026-03-31.xlsx" in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == [
        "Tiêu chí",
        "Theo thủ tục",
        "Theo cán bộ",
        "Theo tháng",
        "Điều kiện tiếp đón",
        "Mong đợi",
    ]
    criteria = book["Tiêu chí"]
    assert find(criteria, "Số phiếu")[1] == 3
    assert find(criteria, "Chỉ số hài lòng chung (%)")[1] == pytest.approx(66.7)
    assert find(criteria, "Tiếp cận dịch vụ")[1:] == (
        9,
        8,
        pytest.approx(88.9),
        pytest.approx(4.22),
    )
    assert find(criteria, "Sự phục vụ của công chức")[1:] == (
        9,
        4,
        pytest.approx(44.4),
        pytest.approx(3.67),
    )
    officers = book["Theo cán bộ"]
    # R1 all 5, R2 all 4 but 2, 3, 4 on "phục vụ": 5 criteria at 100%, one at 4/6.
    assert find(officers, "Trần Thu")[1:3] == (2, pytest.approx(94.4))
    assert find(officers, "Lê Hoa")[1:3] == (1, 100.0)
    months = book["Theo tháng"]
    assert find(months, "03/2026")[1] == 3
    month_rows = [r[0] for r in rows(months) if r and re.fullmatch(r"\d\d/\d{4}", str(r[0]))]
    assert month_rows[0] == "04/2025" and month_rows[-1] == "03/2026" and len(month_rows) == 12
    facilities = rows(book["Điều kiện tiếp đón"])
    header = next(r for r in facilities if r and r[0] == "Tháng")
    march = find(book["Điều kiện tiếp đón"], "03/2026")
    assert march[header.index("Thiếu bút, giấy viết")] == 1
    expectations = [r[2] for r in rows(book["Mong đợi"]) if r and len(r) > 2 and r[2]]
    assert "Mong có thêm chỗ để xe." in expectations


def test_an_officer_gets_only_their_own_figures(client, office):
    client.force_login(office["handler"])

    book = workbook(client.get(URL))

    assert "Theo cán bộ" not in book.sheetnames and "Mong đợi" not in book.sheetnames
    criteria = book["Tiêu chí"]
    assert find(criteria, "Số phiếu")[1] == 1
    assert any(r and r[0] == "Chỉ gồm các phiếu đánh giá chính anh/chị." for r in rows(criteria))


def test_the_export_is_bounded_in_queries(
    client, agency, leader, office, django_assert_max_num_queries
):
    for n in range(100):
        make_response(
            agency,
            at=at(2025, 5, 1) + timedelta(days=3 * n),
            scores=1 + n % 5,
            expectation=f"Ý {n}",
        )
    client.force_login(leader)

    with django_assert_max_num_queries(28):
        book = workbook(client.get(URL))

    assert find(book["Tiêu chí"], "Số phiếu")[1] == 103

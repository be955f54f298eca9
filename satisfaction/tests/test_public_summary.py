"""The public summary `/danh-gia/ket-qua/`: aggregates only, small groups withheld, no comment,
expectation, name or officer figure, cached, bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.constants import Role
from dossiers.tests.factories import published_procedure, register_dossier, staff

from .index_data import at, make_response

pytestmark = pytest.mark.django_db
URL = reverse("satisfaction:public-summary")
TODAY = at(2026, 4, 15, 10)
# Distinctive values: if any of them reaches the public page, something leaks.
COMMENT = "Cán bộ Nguyễn Văn Bí Mật làm khó (BÌNH-LUẬN-5521)"
EXPECTATION = "Mong có ghế (MONG-ĐỢI-8842)"
OFFICER_FIRST, OFFICER_LAST = "Xuân Bảo Mật", "Đoàn"
APPLICANT = "Hồ Thị Riêng Tư"


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def answered(agency):
    officer = staff(agency, Role.SPECIALIST, first_name=OFFICER_FIRST, last_name=OFFICER_LAST)
    procedure = published_procedure(agency, name="Cấp phép karaoke (THỦ-TỤC-3319)")
    dossier = register_dossier(
        procedure=procedure, user=staff(agency, Role.DESK_OFFICER), name=APPLICANT
    )
    for day in range(1, 7):
        make_response(
            agency,
            at=at(2026, 3, day, 9),
            scores=5 if day % 2 else 2,
            procedure=procedure,
            handler=officer,
            dossier=dossier if day == 1 else None,
            comment=COMMENT,
            expectation=EXPECTATION,
        )
    make_response(agency, at=at(2026, 4, 2, 9), scores=1, comment=COMMENT, handler=officer)
    return dossier


def test_anyone_sees_aggregates_without_any_text_or_name(client, answered):
    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="ps-overall"' in html and "50%" in html  # 3 of 6 March responses all 5
    assert "Tiếp cận dịch vụ" in html and "Điều kiện tiếp đón và phục vụ" in html
    for secret in (
        "BÌNH-LUẬN-5521",
        "MONG-ĐỢI-8842",
        "Bí Mật",
        OFFICER_FIRST,
        APPLICANT,
        "THỦ-TỤC-3319",
        answered.code,
    ):
        assert secret not in html, secret


def test_small_months_are_withheld(client, answered):
    html = client.get(URL).content.decode()

    months = html.split('id="ps-months"', 1)[1].split("</table>", 1)[0]
    april = months.split("04/2026", 1)[1].split("</tr>", 1)[0]
    assert "ít hơn 5" in april and "chưa công bố" in april
    march = months.split("03/2026", 1)[1].split("</tr>", 1)[0]
    assert ">6<" in march and "50%" in march


def test_fewer_responses_than_the_minimum_show_no_figure(client, agency):
    for day in (1, 2):
        make_response(agency, at=at(2026, 3, day), scores=5, comment=COMMENT)

    html = client.get(URL).content.decode()

    assert 'id="ps-withheld"' in html
    assert 'id="ps-overall"' not in html and 'id="ps-criteria"' not in html


def test_without_an_agency_the_page_still_answers(client, db):
    assert client.get(URL).status_code == 200


def test_figures_are_cached_and_queries_bounded(client, answered, django_assert_max_num_queries):
    for n in range(100):
        make_response(answered.agency, at=at(2025, 5, 1) + timedelta(days=3 * n), scores=1 + n % 5)

    with django_assert_max_num_queries(6):
        first = client.get(URL)
    make_response(answered.agency, at=at(2026, 4, 3), scores=5)
    with django_assert_max_num_queries(2):
        second = client.get(URL)

    assert first.status_code == second.status_code == 200
    assert first.content.decode().count("ps-criteria") == second.content.decode().count(
        "ps-criteria"
    )
    assert "107 phiếu" in first.content.decode() and "107 phiếu" in second.content.decode()

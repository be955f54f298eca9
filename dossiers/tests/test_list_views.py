"""The staff dossier list: visibility, urgency order and lights, filters, pagination, queries.

"Now" is fixed at Wednesday 4 March 2026, 10:00 in Nha Trang.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers import services
from dossiers.tests.factories import applicant, published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("dossiers:dossier-list")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=VN)


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.fixture(autouse=True)
def _english_and_fixed_now(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # pages default to Vietnamese
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def board(procedure, desk, officer):
    """Five dossiers: overdue, due tomorrow, on track, returned (closed), refused (closed)."""
    karaoke = published_procedure(procedure.agency, name="Cấp giấy phép karaoke")
    overdue = register_dossier(
        procedure=procedure, user=desk, received_at=at(2026, 2, 23, 9), name="Lê Văn Quá"
    )  # due Mon 2/3
    soon = register_dossier(
        procedure=karaoke,
        user=desk,
        received_at=at(2026, 2, 26, 9),
        name="Phạm Thị Sắp",
        phone="0912 000 111",
    )  # due Thu 5/3
    green = register_dossier(
        procedure=procedure, user=desk, received_at=at(2026, 3, 3, 9), name="Võ Xanh"
    )  # due Tue 10/3
    services.dossier_assign(dossier=soon, handler=officer, user=desk)
    done = register_dossier(
        procedure=procedure, user=desk, received_at=at(2026, 2, 24, 9), name="Đỗ Xong"
    )
    services.dossier_assign(dossier=done, handler=officer, user=desk)
    services.dossier_resolve(dossier=done, user=officer)
    services.dossier_return_result(dossier=done, user=desk)
    refused = services.dossier_refuse_at_intake(
        procedure=procedure,
        applicant=applicant(name="Ngô Từ Chối"),
        reason="Sai thẩm quyền",
        user=desk,
    )
    return {
        "overdue": overdue,
        "soon": soon,
        "green": green,
        "done": done,
        "refused": refused,
        "karaoke": karaoke,
    }


def codes(response):
    return re.findall(r'<td class="code"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def login(client, user):
    client.force_login(user)
    return client


# --- order, lights, counts -------------------------------------------------------------------
def test_the_work_queue_shows_open_dossiers_most_urgent_first_with_lights_in_words(
    client, desk, board
):
    response = login(client, desk).get(URL)
    assert response.status_code == 200
    assert codes(response) == [board["overdue"].code, board["soon"].code, board["green"].code]
    rows = response.content.decode().split('<tr class="urgency-')[1:]
    assert "Overdue" in rows[0] and "Due soon" in rows[1] and "On track" in rows[2]
    counts = response.context["counts"]
    assert counts == {"total": 3, "open": 3, "overdue": 1, "due_soon": 1}


def test_any_status_adds_closed_dossiers_newest_first(client, desk, board):
    response = login(client, desk).get(URL, {"status": "all"})
    assert codes(response) == [
        board[name].code for name in ["refused", "green", "soon", "done", "overdue"]
    ]
    rows = response.content.decode().split('<tr class="urgency-')[1:]
    assert "Closed" in rows[0] and "Overdue" in rows[4]
    assert response.context["counts"] == {"total": 5, "open": 3, "overdue": 1, "due_soon": 1}


# --- filters ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ["overdue", "soon", "green"]),
        ({"status": "4"}, ["soon"]),
        ({"status": "10"}, ["done"]),
        ({"overdue": "1"}, ["overdue"]),
        ({"due_within": "0"}, []),  # nothing due today; the overdue one has its own filter
        ({"due_within": "1"}, ["soon"]),
        ({"due_within": "4"}, ["soon", "green"]),
        ({"received_from": "2026-02-26", "received_to": "2026-03-03"}, ["soon", "green"]),
        ({"q": "Phạm Thị"}, ["soon"]),
        ({"q": "0912 000 111"}, ["soon"]),
        ({"q": "260303"}, ["green"]),
        ({"channel": "2"}, []),
        ({"handler": "none", "status": "open"}, ["overdue", "green"]),
    ],
)
def test_filters(client, desk, board, params, expected):
    response = login(client, desk).get(URL, params)
    assert response.status_code == 200
    assert codes(response) == [board[name].code for name in expected]


def test_filter_by_procedure_and_handler(client, desk, officer, board):
    client = login(client, desk)
    by_procedure = client.get(URL, {"procedure": board["karaoke"].code})
    assert codes(by_procedure) == [board["soon"].code]
    by_handler = client.get(URL, {"handler": str(officer.pk), "status": "all"})
    assert codes(by_handler) == [board["soon"].code, board["done"].code]
    html = by_handler.content.decode()
    assert f'<option value="{officer.pk}" selected>' in html


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"status": "99"}, 3),  # ignored: the work queue
        ({"due_within": "-1"}, 3),
        ({"due_within": "abc"}, 3),
        ({"received_from": "31/02/2026"}, 3),
        # A reversed period: the end is ignored, the start still applies.
        ({"received_from": "2026-03-03", "received_to": "2026-03-01"}, 1),
        ({"procedure": "9.999999"}, 3),
        ({"handler": "123456789012345678901234567890"}, 3),
        ({"q": "x" * 101}, 3),
        ({"q": "abc\x00def"}, 3),
        ({"page": "zzz"}, 3),
        ({"page": "99"}, 3),
    ],
)
def test_invalid_filter_values_give_a_message_never_an_error(client, desk, board, params, shown):
    params = {"status": "open", **params}
    response = login(client, desk).get(URL, params)
    assert response.status_code == 200
    assert len(codes(response)) == shown  # the other filters still apply
    if "page" not in params:
        assert "Filter ignored" in response.content.decode()


# --- visibility ------------------------------------------------------------------------------
def test_a_specialist_sees_only_the_dossiers_handed_to_them(client, officer, board):
    response = login(client, officer).get(URL, {"status": "all"})
    assert codes(response) == [board["soon"].code, board["done"].code]


def test_another_agencys_staff_see_none_of_ours(client, board):
    other_desk = staff(AgencyFactory(code="000.00.21.H32"), Role.DESK_OFFICER)
    response = login(client, other_desk).get(URL)
    assert codes(response) == []
    assert "No dossier yet." in response.content.decode()


def test_without_the_view_permission_the_list_is_forbidden(client, board, django_user_model):
    from accounts.tests.factories import UserFactory

    user = UserFactory(department__agency=board["overdue"].agency)
    assert login(client, user).get(URL).status_code == 403


# --- volume ----------------------------------------------------------------------------------
def test_sixty_dossiers_paginate_by_25_in_a_bounded_number_of_queries(
    client, agency, desk, django_assert_max_num_queries
):
    procedures = [published_procedure(agency, name=f"Thủ tục {i}") for i in range(3)]
    officers = [staff(agency, Role.SPECIALIST) for _ in range(3)]
    for i in range(60):
        dossier = register_dossier(
            procedure=procedures[i % 3],
            user=desk,
            received_at=at(2026, 2, 23 + (i % 5), 9, i % 50),
            phone=f"0905 000 {i:03d}",
        )
        if i % 2:
            services.dossier_assign(dossier=dossier, handler=officers[i % 3], user=desk)
    client = login(client, desk)
    with django_assert_max_num_queries(14):
        first = client.get(URL)
    with django_assert_max_num_queries(14):
        last = client.get(URL, {"page": 3, "status": "open"})
    assert len(codes(first)) == 25 and len(codes(last)) == 10
    assert first.context["counts"]["total"] == 60
    assert 'href="?status=open&amp;page=2"' in last.content.decode()

"""Drill-down from a figure into the staff dossier list: `?bucket=&period_start=&period_end=`.

The week is Monday 27 April - Sunday 3 May 2026 (27/4, 30/4 and 1/5 are days off); the list
is read on Friday 15 May 2026, when some of that week's dossiers have been closed since.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers import reporting, services
from dossiers.tests.factories import published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("dossiers:dossier-list")
START = datetime(2026, 4, 27, tzinfo=VN)
END = datetime(2026, 5, 4, tzinfo=VN)
WEEK = {"period_start": "2026-04-27", "period_end": "2026-05-03"}


def at(*args):
    return datetime(*args, tzinfo=VN)


def codes(response):
    import re

    return re.findall(r'<td class="code"><a href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def week(agency, desk, officer):
    """Overdue at the week's end then resolved; overdue and still open; unassigned and due
    soon; resolved early in the week; received in the week for another procedure."""
    procedure = published_procedure(agency, processing_time_amount=Decimal("3"))
    other_procedure = published_procedure(agency, processing_time_amount=Decimal("3"))

    def receive(moment, name, procedure=procedure):
        with time_machine.travel(moment, tick=False):
            return register_dossier(procedure=procedure, user=desk, received_at=moment, name=name)

    def act(moment, service, dossier, **kwargs):
        dossier.refresh_from_db()
        with time_machine.travel(moment, tick=False):
            service(dossier=dossier, **kwargs)

    rows = {
        "overdue_closed": receive(at(2026, 4, 20, 9), "Lê Văn Quá"),
        "overdue_open": receive(at(2026, 4, 20, 10), "Trần Thị Trễ"),
        "soon": receive(at(2026, 4, 24, 9), "Phạm Sắp"),
        "early": receive(at(2026, 4, 23, 9), "Đỗ Sớm"),
        "new": receive(at(2026, 4, 29, 9), "Võ Mới", procedure=other_procedure),
    }
    for key in ("overdue_closed", "overdue_open", "early"):
        act(at(2026, 4, 23, 10), services.dossier_assign, rows[key], handler=officer, user=desk)
    act(at(2026, 4, 28, 10), services.dossier_resolve, rows["early"], user=officer)
    act(at(2026, 5, 6, 10), services.dossier_resolve, rows["overdue_closed"], user=officer)
    rows["procedure"] = procedure
    rows["other_procedure"] = other_procedure
    return rows


@pytest.fixture(autouse=True)
def _later():
    with time_machine.travel(at(2026, 5, 15, 10), tick=False):
        yield


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_a_figure_lists_exactly_its_dossiers_in_any_status_with_a_heading(client, desk, week):
    response = get(client, desk, bucket="open_overdue", **WEEK)
    assert response.status_code == 200
    # Closed since the week ended, still listed: the figure is about the week's end.
    assert sorted(codes(response)) == sorted(
        [week["overdue_closed"].code, week["overdue_open"].code]
    )
    expected = reporting.period_dossiers(
        agency_id=desk.department.agency_id, start=START, end=END, bucket="open_overdue"
    )
    assert sorted(codes(response)) == sorted(expected.values_list("code", flat=True))
    page = response.content.decode()
    assert "Dossiers behind the figure" in page
    assert "Open at the end of the period, overdue, 27/04/2026 – 03/05/2026" in page
    # Refining the list keeps the figure.
    assert '<input type="hidden" name="bucket" value="open_overdue">' in page
    assert '<input type="hidden" name="period_end" value="2026-05-03">' in page


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [
        ("received", ["new"]),
        ("resolved_early", ["early"]),
        ("finished", ["early"]),
        ("due_soon_without_apology", ["soon"]),
        ("open_on_time", ["new", "soon"]),
        ("resolved_late", []),
    ],
)
def test_every_bucket(client, desk, week, bucket, expected):
    response = get(client, desk, bucket=bucket, **WEEK)
    assert sorted(codes(response)) == sorted(week[key].code for key in expected)


def test_handler_is_the_responsible_officer_and_procedure_may_be_an_id(client, desk, officer, week):
    # Unassigned dossiers count for the desk officer who received them.
    response = get(client, desk, bucket="open_on_time", handler=desk.pk, **WEEK)
    assert sorted(codes(response)) == sorted([week["new"].code, week["soon"].code])
    response = get(client, desk, bucket="open_overdue", handler=officer.pk, **WEEK)
    assert len(codes(response)) == 2
    response = get(
        client, desk, bucket="open_on_time", procedure=week["other_procedure"].pk, **WEEK
    )
    assert codes(response) == [week["new"].code]
    # The ordinary filters still use the national code.
    response = get(
        client, desk, bucket="open_on_time", procedure=week["other_procedure"].code, **WEEK
    )
    assert codes(response) == [week["new"].code]


def test_a_specialist_sees_only_their_own_dossiers_behind_a_figure(client, officer, week):
    response = get(client, officer, bucket="open_on_time", **WEEK)
    assert codes(response) == []  # "new" and "soon" were never handed to them
    response = get(client, officer, bucket="open_overdue", **WEEK)
    assert len(codes(response)) == 2


def test_another_agency_sees_nothing_of_ours(client, week):
    other_desk = staff(AgencyFactory(code="000.00.21.H32"), Role.DESK_OFFICER)
    response = get(client, other_desk, bucket="received", **WEEK)
    assert response.status_code == 200
    assert codes(response) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bucket": "open_overdue"}, "Give the period of the figure"),
        ({"bucket": "open_overdue", "period_start": "2026-04-27"}, "Give the period"),
        (
            {"bucket": "open_overdue", "period_start": "2026-05-03", "period_end": "2026-04-27"},
            "The end of the period is before its start.",
        ),
        (
            {"bucket": "open_overdue", "period_start": "2024-01-01", "period_end": "2026-04-27"},
            "at most a year",
        ),
        ({"bucket": "open_overdue", "period_start": "27/04/2026", "period_end": "x"}, "valid"),
        ({"bucket": "no_such_figure", **WEEK}, "Select a valid choice"),
    ],
)
def test_a_bad_figure_link_gives_a_message_and_the_work_queue(client, desk, week, params, message):
    response = get(client, desk, **params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Filter ignored" in page and message in page
    assert "Dossiers behind the figure" not in page
    # The work queue: the open dossiers of today.
    assert sorted(codes(response)) == sorted(
        week[key].code for key in ("overdue_open", "soon", "new")
    )


def test_the_drill_down_keeps_a_bounded_number_of_queries(
    client, agency, desk, officer, week, django_assert_max_num_queries
):
    procedure = week["procedure"]
    for i in range(40):
        moment = at(2026, 4, 28, 7, i)
        with time_machine.travel(moment, tick=False):
            dossier = register_dossier(
                procedure=procedure, user=desk, received_at=moment, phone=f"0905 000 {i:03d}"
            )
        if i % 2:
            with time_machine.travel(at(2026, 4, 28, 10), tick=False):
                services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    client.force_login(desk)
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"bucket": "received", "procedure": procedure.pk, **WEEK})
    assert len(codes(response)) == 25
    assert response.context["counts"]["total"] == 40
    # A figure that needs the state at the period's end: its ids are worked out first.
    with django_assert_max_num_queries(19):
        response = client.get(URL, {"bucket": "open_on_time", **WEEK})
    assert response.context["counts"]["total"] == 42  # the 40, "new" and "soon"

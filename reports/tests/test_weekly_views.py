"""The weekly report pages: list, snapshot, files, "Build now"; who sees what; queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory, UserFactory
from dossiers.tests.factories import staff
from reports import services
from reports.constants import ReportTrigger
from reports.models import WeeklyReport
from reports.tests.weekly_data import (
    BUILD_AT,
    WEEK,
    at,
)

pytestmark = pytest.mark.django_db
LIST = reverse("reports:weekly-report-list")
BUILD = reverse("reports:weekly-report-build")


@pytest.fixture(autouse=True)
def _english_and_later(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(at(2026, 5, 6, 10), tick=False):
        yield


@pytest.fixture
def report(agency, fortnight, django_capture_on_commit_callbacks):
    """Last week's report with its files (rendered after the commit by the Celery task)."""
    with (
        time_machine.travel(BUILD_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = services.weekly_report_build(agency=agency, trigger=ReportTrigger.BEAT)
    report.refresh_from_db()
    return report


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def detail(report):
    return reverse("reports:weekly-report-detail", kwargs={"pk": report.pk})


# --- access --------------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_the_login_page(client, report):
    for url in (LIST, detail(report), reverse("reports:weekly-report-pdf", args=[report.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_staff_without_dossier_or_figure_permissions_are_refused(client, agency, report):
    nobody = UserFactory(department__agency=agency)
    assert get(client, nobody, LIST).status_code == 403
    assert get(client, nobody, detail(report)).status_code == 403


def test_another_agencys_leader_cannot_see_our_report(client, report):
    other = staff(AgencyFactory(code="000.00.21.H32"), Role.LEADER)
    assert get(client, other, detail(report)).status_code == 404
    assert (
        get(client, other, reverse("reports:weekly-report-xlsx", args=[report.pk])).status_code
        == 404
    )
    assert report.get_absolute_url() not in get(client, other, LIST).content.decode()


# --- the leader's view ---------------------------------------------------------------------------
def test_the_leader_sees_the_whole_report(client, office, fortnight, report):
    response = get(client, office["boss"], detail(report))
    assert response.status_code == 200
    page = response.content.decode()
    view = response.context["view"]
    assert view.is_agency
    assert [row.code for row in view.overdue] == [
        fortnight["late_open"].code,
        fortnight["late_resolved"].code,
    ]
    assert "Trần V. Q." in page and "Trần Văn Quá" not in page  # applicants masked
    assert "Waiting for review" in page  # Hoa's explanation, submitted
    assert "Waiting for another agency" in page
    assert "rescheduled to" in page and "08/05/2026" in page
    # Each figure links to the dossiers behind it; the change against last week is shown.
    overdue = next(row for row in view.figure_rows if row.name == "open_overdue")
    assert overdue.url == (
        reverse("dossiers:dossier-list")
        + "?bucket=open_overdue&period_start=2026-04-27&period_end=2026-05-03"
    )
    assert overdue.previous is not None
    assert f'href="/can-bo/bao-cao-tuan/{report.pk}/bao-cao.xlsx"' in page
    assert {row.label for row in view.by_officer} >= {str(office["hoa"]), str(office["nam"])}


def test_the_figures_link_to_exactly_the_dossiers_counted(client, office, fortnight, report):
    response = get(client, office["boss"], detail(report))
    for row in response.context["view"].figure_rows:
        listing = client.get(row.url)
        assert listing.status_code == 200
        assert listing.context["counts"]["total"] == row.value, row.name


def test_the_page_says_when_the_files_are_being_prepared(
    client, agency, office, fortnight, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(BUILD_AT, tick=False),
        django_capture_on_commit_callbacks() as files_task,
    ):
        report = services.weekly_report_build(agency=agency, trigger=ReportTrigger.BEAT)
    page = get(client, office["boss"], detail(report)).content.decode()
    assert "The Excel and PDF files are being prepared" in page
    assert "bao-cao.xlsx" not in page
    assert get(client, office["boss"], detail(report) + "bao-cao.pdf").status_code == 404
    (callback,) = files_task
    callback()
    page = client.get(detail(report)).content.decode()
    assert "being prepared" not in page and "bao-cao.xlsx" in page


def test_the_leader_downloads_the_files(client, office, report):
    xlsx = get(client, office["boss"], reverse("reports:weekly-report-xlsx", args=[report.pk]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    assert xlsx["Cache-Control"] == "private, no-store"
    pdf = client.get(reverse("reports:weekly-report-pdf", args=[report.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_missing_report_is_a_404(client, office, report):
    assert get(client, office["boss"], detail(report) + "x").status_code == 404
    url = reverse("reports:weekly-report-detail", kwargs={"pk": report.pk + 1000})
    assert client.get(url).status_code == 404


# --- an officer's view ---------------------------------------------------------------------------
def test_an_officer_sees_only_their_own_figures_and_dossiers(client, office, fortnight, report):
    response = get(client, office["hoa"], detail(report))
    assert response.status_code == 200
    view = response.context["view"]
    assert not view.is_agency
    assert [row.code for row in view.overdue] == [fortnight["late_open"].code]
    assert view.totals.open_overdue == 1 and view.totals.resolved_late == 0
    assert [row.label for row in view.by_officer] == [str(office["hoa"])]
    page = response.content.decode()
    assert fortnight["late_resolved"].code not in page
    assert str(office["nam"]) not in page
    assert "bao-cao.xlsx" not in page
    # Their figure links carry their own id as the responsible officer.
    assert all(f"handler={office['hoa'].pk}" in row.url for row in view.figure_rows)
    assert (
        get(
            client, office["hoa"], reverse("reports:weekly-report-pdf", args=[report.pk])
        ).status_code
        == 404
    )
    listing = get(client, office["hoa"], LIST)
    assert listing.status_code == 200
    assert "Build now" not in listing.content.decode()


# --- building now --------------------------------------------------------------------------------
def test_build_now_makes_a_new_revision(client, office, report):
    client.force_login(office["boss"])
    response = client.post(BUILD, {"week": WEEK.isoformat()})
    newest = WeeklyReport.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == detail(newest)
    assert (newest.revision, newest.trigger, newest.built_by) == (
        2,
        ReportTrigger.BUTTON,
        office["boss"],
    )
    page = client.get(response["Location"]).content.decode()
    assert "revision 2" in page.lower()
    listing = client.get(LIST).content.decode()
    assert detail(newest) in listing and detail(report) not in listing  # the latest revision


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("zzz", "Choose a week from the list."),
        ("2026-04-28", "is not one"),
        ("2026-05-04", "is not over yet"),
    ],
)
def test_build_now_with_a_bad_week_says_why(client, office, week, message):
    client.force_login(office["boss"])
    response = client.post(BUILD, {"week": week}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert WeeklyReport.objects.count() == 0


def test_build_now_needs_post_the_permission_and_the_csrf_token(client, office):
    client.force_login(office["hoa"])
    assert client.post(BUILD).status_code == 403
    client.force_login(office["boss"])
    assert client.get(BUILD).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(office["boss"])
    assert strict.post(BUILD).status_code == 403
    assert WeeklyReport.objects.count() == 0


def test_the_list_offers_the_last_weeks_to_leaders(client, office, report):
    response = get(client, office["boss"], LIST)
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<option value="2026-04-27">' in page  # last week first (it is Wed 6/5)
    assert response.context["rows"][0].totals.open_overdue == 1


# --- volume ---------------------------------------------------------------------------------------
def test_the_list_and_the_page_run_a_fixed_number_of_queries(
    client, agency, office, report, django_assert_max_num_queries
):
    late = json.loads(report.late_list)
    late["rows"] = [[row[0] + i, *row[1:]] for i in range(30) for row in late["rows"]]
    for back in range(1, 40):
        WeeklyReport.objects.create(
            agency=agency,
            week_start=report.week_start - timedelta(days=7 * back),
            period_start=report.period_start,
            period_end=report.period_end,
            built_at=report.built_at,
            trigger=ReportTrigger.COMMAND,
            figures=report.figures,
            late_list=json.dumps(late),
        )
    client.force_login(office["boss"])
    with django_assert_max_num_queries(10):
        listing = client.get(LIST)
    assert len(listing.context["rows"]) == 40
    newest = WeeklyReport.objects.order_by("week_start").first()
    with django_assert_max_num_queries(10):
        page = client.get(detail(newest))
    assert len(page.context["view"].overdue) == 60

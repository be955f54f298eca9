"""Follow-ups of low scores and complaints: leaders record what was done and close them; every
change is in the append-only history; other roles and other offices cannot touch them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from core.exceptions import ApplicationError
from dossiers.tests.factories import published_procedure, staff
from satisfaction import selectors, services
from satisfaction.constants import FollowUpEventType, FollowUpStatus, ResponseSource
from satisfaction.models import FollowUp, FollowUpEvent

from .index_data import active_survey, at, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def followup(agency):
    response = make_response(
        agency,
        at=at(2026, 3, 2, 9),
        scores={"*": 4, "phuc_vu_cong_chuc": [1, 4, 4]},
        comment="Cán bộ hách dịch, bắt đi lại nhiều lần.",
        expectation="Mong có thêm ghế ngồi.",
        follow_up=True,
    )
    return response.follow_up


def test_a_low_score_submitted_opens_a_follow_up_with_its_reasons(agency):
    """The survey helper's submit service opens it; the list shows it with its reasons."""
    survey = active_survey()
    questions = list(survey.criteria.get(code="thu_tuc_hanh_chinh").questions.all())
    scores = {q.pk: 5 for criterion in survey.criteria.all() for q in criterion.questions.all()} | {
        questions[0].pk: 2
    }
    response = services.response_submit(
        survey=survey,
        source=ResponseSource.LOOKUP,
        answers=services.SurveyAnswers(scores={str(k): str(v) for k, v in scores.items()}),
        agency=agency,
        now=at(2026, 3, 2, 10),
    )

    summary = selectors.followup_reason_summary(response.follow_up)
    assert summary["low"] == [("Thủ tục hành chính", 2)]


def test_close_needs_the_action_taken_and_is_recorded(followup, leader):
    for empty in ("", "   \n "):
        with pytest.raises(ApplicationError):
            services.followup_close(follow_up=followup, user=leader, action_taken=empty)
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.OPEN

    closed = services.followup_close(
        follow_up=followup,
        user=leader,
        action_taken="Đã gọi điện xin lỗi công dân; nhắc nhở cán bộ tại cuộc họp giao ban.",
        now=at(2026, 3, 3, 8),
    )

    closed.refresh_from_db()
    assert closed.status == FollowUpStatus.CLOSED
    assert closed.closed_by == leader and closed.closed_at == at(2026, 3, 3, 8)
    assert closed.action_taken.startswith("Đã gọi điện")
    event = closed.events.order_by("at", "pk").last()
    assert (event.type, event.actor, event.at) == (
        FollowUpEventType.CLOSED,
        leader,
        at(2026, 3, 3, 8),
    )
    assert event.note == closed.action_taken
    assert event.data == {"old": {"status": "open"}, "new": {"status": "closed"}}
    # Closing again changes nothing and writes no second event.
    services.followup_close(follow_up=closed, user=leader, action_taken="Lần hai")
    closed.refresh_from_db()
    assert closed.action_taken.startswith("Đã gọi điện")
    assert closed.events.filter(type=FollowUpEventType.CLOSED).count() == 1


def test_notes_and_reopening_are_history(followup, leader):
    services.followup_record_action(
        follow_up=followup, user=leader, note="Đã mua thêm bút cho quầy.", now=at(2026, 3, 2, 14)
    )
    services.followup_close(
        follow_up=followup, user=leader, action_taken="Đã xử lý.", now=at(2026, 3, 3, 8)
    )
    with pytest.raises(ApplicationError):
        services.followup_record_action(follow_up=followup, user=leader, note="Sau khi đóng")
    with pytest.raises(ApplicationError):
        services.followup_reopen(follow_up=followup, user=leader, reason="")
    services.followup_reopen(
        follow_up=followup, user=leader, reason="Công dân phản ánh lại.", now=at(2026, 3, 5, 9)
    )

    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.OPEN
    assert followup.closed_by is None and followup.closed_at is None and followup.action_taken == ""
    history = list(followup.events.order_by("at", "pk").values_list("type", "note"))
    assert history == [
        (FollowUpEventType.OPENED, ""),
        (FollowUpEventType.NOTE, "Đã mua thêm bút cho quầy."),
        (FollowUpEventType.CLOSED, "Đã xử lý."),
        (FollowUpEventType.REOPENED, "Công dân phản ánh lại."),
    ]
    reopened = followup.events.get(type=FollowUpEventType.REOPENED)
    assert reopened.data["old"]["action_taken"] == "Đã xử lý."
    with pytest.raises(ValueError):
        reopened.delete()


def test_only_leaders_of_the_same_office_may_act(followup, desk_officer, specialist):
    for user in (desk_officer, specialist):
        with pytest.raises(PermissionDenied):
            services.followup_close(follow_up=followup, user=user, action_taken="x")
    other_leader = staff(AgencyFactory(code="000.00.98.H32", is_primary=False), Role.LEADER)
    with pytest.raises(PermissionDenied):
        services.followup_close(follow_up=followup, user=other_leader, action_taken="x")
    assert FollowUp.objects.get(pk=followup.pk).status == FollowUpStatus.OPEN


# --- pages --------------------------------------------------------------------------------------
def action_url(followup, slug):
    return reverse("satisfaction:followup-action", args=[followup.pk, slug])


def test_pages_need_login_and_the_leader_permission(client, followup, desk_officer, specialist):
    detail = reverse("satisfaction:followup-detail", args=[followup.pk])
    listing = reverse("satisfaction:followup-list")
    for url in (listing, detail):
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]
    for user in (desk_officer, specialist):
        client.force_login(user)
        assert client.get(listing).status_code == 403
        assert client.get(detail).status_code == 403
        assert client.post(action_url(followup, "dong"), {"close-text": "x"}).status_code == 403
    other = staff(AgencyFactory(code="000.00.97.H32", is_primary=False), Role.LEADER)
    client.force_login(other)
    assert client.get(detail).status_code == 404
    assert client.post(action_url(followup, "dong"), {"close-text": "x"}).status_code == 404
    assert client.get(listing).content.decode().count("data-followup=") == 0


def test_the_detail_shows_the_answers_comment_and_dossier_link(client, agency, leader):
    from dossiers.tests.factories import register_dossier

    procedure = published_procedure(agency)
    desk = staff(agency, Role.DESK_OFFICER)
    dossier = register_dossier(procedure=procedure, user=desk)
    response = make_response(
        agency,
        at=at(2026, 3, 2),
        scores={"*": 5, "dieu_kien_tiep_don": [2, 5, 5]},
        dossier=dossier,
        comment="Ghế ngồi chờ bị hỏng.",
        facilities=("ghe_ngoi",),
        follow_up=True,
    )
    client.force_login(leader)

    page = client.get(reverse("satisfaction:followup-detail", args=[response.follow_up.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Ghế ngồi chờ bị hỏng." in html
    assert reverse("dossiers:dossier-detail", args=[dossier.code]) in html
    assert "Thiếu ghế ngồi chờ" in html
    assert html.count("table-danger") == 1  # the one low answer


def test_closing_from_the_page_requires_text_then_redirects(client, followup, leader):
    client.force_login(leader)

    refused = client.post(action_url(followup, "dong"), {"close-text": "  "})

    assert refused.status_code == 400
    assert "Xin ghi rõ việc đã làm." in refused.content.decode()
    assert FollowUp.objects.get(pk=followup.pk).status == FollowUpStatus.OPEN

    done = client.post(action_url(followup, "dong"), {"close-text": "Đã nhắc nhở cán bộ."})

    assert done.status_code == 302
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.CLOSED and followup.closed_by == leader
    page = client.get(done["Location"]).content.decode()
    assert "Đã nhắc nhở cán bộ." in page and 'id="form-reopen"' in page
    assert client.post(action_url(followup, "xoa"), {"x": "1"}).status_code == 404
    huge = reverse("satisfaction:followup-detail", args=[10**20])
    assert client.get(huge).status_code == 404


def test_the_list_puts_open_ones_first_filters_and_stays_bounded(
    client, agency, leader, django_assert_max_num_queries
):
    desk = staff(agency, Role.DESK_OFFICER)
    procedure = published_procedure(agency)
    items = []
    for day in range(1, 31):
        response = make_response(
            agency,
            at=at(2026, 3, day, 9),
            scores={"*": 5, "phuc_vu_cong_chuc" if day % 2 else "thu_tuc_hanh_chinh": 1},
            procedure=procedure if day % 3 == 0 else None,
            desk_officer=desk if day % 5 == 0 else None,
            follow_up=True,
        )
        items.append(response.follow_up)
    services.followup_close(follow_up=items[-1], user=leader, action_taken="Đã xử lý.")
    client.force_login(leader)
    url = reverse("satisfaction:followup-list")

    with django_assert_max_num_queries(12):
        page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-followup=") == 25
    # The newest (30/3) is closed: it is not on the first page of 29 open ones.
    assert f'data-followup="{items[-1].pk}"' not in html
    assert f'data-followup="{items[-2].pk}"' in html
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert closed.count("data-followup=") == 1
    by_criterion = client.get(url, {"criterion": "thu_tuc_hanh_chinh"}).content.decode()
    assert by_criterion.count("data-followup=") == 15
    by_procedure = client.get(url, {"procedure": procedure.pk}).content.decode()
    assert by_procedure.count("data-followup=") == 10
    by_officer = client.get(url, {"officer": desk.pk}).content.decode()
    assert by_officer.count("data-followup=") == 6
    for bad in ({"status": "x"}, {"procedure": "abc"}, {"criterion": "<b>"}, {"page": "-1"}):
        response = client.get(url, bad)
        assert response.status_code == 400
        assert "không hiểu" in response.content.decode()
    assert FollowUpEvent.objects.count() == 31

"""The explanation pages: the task list, the explanation page with its forms, the block on the
dossier page and the badge on the staff home page.

"Now" is Wednesday 29 April 2026, 10:00 in Nha Trang. The dossiers were received on Monday
20/4 (5 working days, due Tue 28/4 17:00 after the Hùng Kings day off of 27/4); the morning
job asked for their explanations at 07:30, due Tue 5/5 17:00 (30/4 and 1/5 are holidays).
Pages are in Vietnamese, the portal's default.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers import services
from dossiers.constants import ExplanationReason, ExplanationStatus
from dossiers.models import DossierExplanation
from dossiers.tests.factories import published_procedure, register_dossier, staff

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 4, 29, 10, 0, tzinfo=VN)
MORNING = datetime(2026, 4, 29, 7, 30, tzinfo=VN)
LIST = reverse("dossiers:explanation-list")
S = ExplanationStatus


def at(*args):
    return datetime(*args, tzinfo=VN)


def late_dossier(procedure, desk, handler=None, *, minute=0, name="Nguyễn Văn An"):
    received_at = at(2026, 4, 20, 9, minute)
    with time_machine.travel(received_at, tick=False):
        dossier = register_dossier(
            procedure=procedure, user=desk, received_at=received_at, name=name
        )
    if handler is not None:
        with time_machine.travel(received_at + timedelta(minutes=30), tick=False):
            services.dossier_assign(dossier=dossier, handler=handler, user=desk)
    return dossier


def ask():
    with time_machine.travel(MORNING, tick=False):
        return services.explanation_request_overdue(now=MORNING)


@pytest.fixture(autouse=True)
def _fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def late(procedure, desk, officer):
    """Two late dossiers of the specialist, one of the desk (never handed over)."""
    dossiers = {
        "mine": late_dossier(procedure, desk, officer),
        "also_mine": late_dossier(procedure, desk, officer, minute=5),
        "desks": late_dossier(procedure, desk, minute=10),
    }
    assert ask() == 3
    return {
        key: DossierExplanation.objects.get(dossier=dossier) for key, dossier in dossiers.items()
    }


def url(explanation):
    return reverse("dossiers:explanation-detail", args=[explanation.pk])


def post(client, user, explanation, **data):
    client.force_login(user)
    return client.post(url(explanation), data)


GOOD = {
    "action": "submit",
    "reason_category": ExplanationReason.COMPLEX_CASE,
    "text": "Phải kiểm tra thực tế địa điểm; đoàn kiểm tra liên ngành lùi lịch đến 28/4.",
    "remedy": "Đăng ký lịch kiểm tra ngay khi nhận hồ sơ.",
}


# --- access ----------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_the_login_page(client, late):
    for address in (LIST, url(late["mine"])):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_officers_see_only_their_own(client, late, officer, desk, agency):
    client.force_login(officer)
    html = client.get(LIST).content.decode()
    assert "Giải trình tôi cần viết" in html
    assert late["mine"].dossier.code in html and late["also_mine"].dossier.code in html
    assert late["desks"].dossier.code not in html
    assert "05/05/2026" in html  # the deadline
    assert "2 giải trình cần viết" in html
    # Another officer's explanation, an unknown one: both missing.
    assert client.get(url(late["desks"])).status_code == 404
    assert client.get(reverse("dossiers:explanation-detail", args=[99999])).status_code == 404
    assert post(client, officer, late["desks"], **GOOD).status_code == 404
    other = staff(agency, Role.SPECIALIST)
    client.force_login(other)
    assert late["mine"].dossier.code not in client.get(LIST).content.decode()
    assert client.get(url(late["mine"])).status_code == 404


def test_leaders_see_the_agency_and_filter_by_state(client, late, boss):
    client.force_login(boss)
    html = client.get(LIST).content.decode()
    assert "Giải trình hồ sơ trễ hạn" in html
    for explanation in late.values():
        assert explanation.dossier.code in html
    post(client, late["mine"].officer, late["mine"], **GOOD)
    client.force_login(boss)
    html = client.get(LIST + "?status=submitted").content.decode()
    assert late["mine"].dossier.code in html and late["desks"].dossier.code not in html
    assert "Xem xét" in html  # the button of a row waiting for this leader
    response = client.get(LIST + "?status=whatever")
    assert response.status_code == 200
    assert "Đã bỏ qua bộ lọc trạng thái không hợp lệ." in response.content.decode()


def test_another_agency_sees_nothing(client, late):
    stranger = staff(AgencyFactory(code="000.00.21.H32", name="Phòng khác"), Role.LEADER)
    client.force_login(stranger)
    assert late["mine"].dossier.code not in client.get(LIST).content.decode()
    assert client.get(url(late["mine"])).status_code == 404
    assert post(client, stranger, late["mine"], action="accept").status_code == 404


def test_roles_without_the_permission_get_403(client, late, agency):
    nobody = staff(agency, Role.SPECIALIST)
    nobody.groups.clear()
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403


# --- writing ---------------------------------------------------------------------------------
def test_an_empty_text_comes_back_in_vietnamese_with_everything_typed(client, late, officer):
    response = post(
        client,
        officer,
        late["mine"],
        action="submit",
        reason_category=ExplanationReason.WORKLOAD,
        text="   ",
        remedy="Phân công thêm một chuyên viên trong tuần cao điểm.",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trình bày diễn biến và lý do hồ sơ bị trễ hạn." in html
    assert "Phân công thêm một chuyên viên trong tuần cao điểm." in html  # kept
    assert 'value="workload" selected' in html
    late["mine"].refresh_from_db()
    assert late["mine"].status == S.REQUESTED and late["mine"].events.count() == 1


def test_garbage_never_gives_a_500(client, late, officer, boss):
    for data in (
        {"action": "submit", "reason_category": "x" * 300, "text": "\x00", "remedy": "\x00"},
        {"action": "submit", "text": "a" * 20000, "remedy": "b"},
        {"action": "dance"},
        {},
    ):
        response = post(client, officer, late["mine"], **data)
        assert response.status_code in (302, 400), data
    response = post(client, boss, late["mine"], action="return", note="x" * 20000)
    assert response.status_code == 400  # not submitted yet: the form says why
    late["mine"].refresh_from_db()
    assert late["mine"].status == S.REQUESTED


def test_officer_writes_leader_returns_officer_corrects_leader_accepts(client, late, officer, boss):
    explanation = late["mine"]
    response = post(client, officer, explanation, **GOOD)
    assert response.status_code == 302 and response["Location"] == url(explanation)
    explanation.refresh_from_db()
    assert explanation.status == S.SUBMITTED and explanation.submitted_by == officer
    page = client.get(url(explanation)).content.decode()
    assert "Chờ xem xét" in page and 'value="accept"' not in page  # officers cannot review

    client.force_login(boss)
    page = client.get(url(explanation)).content.decode()
    assert 'value="accept"' in page and 'value="return"' in page
    response = post(client, boss, explanation, action="return", note="")
    assert response.status_code == 400
    assert "Nêu rõ nội dung cần sửa hoặc bổ sung." in response.content.decode()
    response = post(client, boss, explanation, action="return", note="Ghi rõ số văn bản mời.")
    assert response.status_code == 302

    client.force_login(officer)
    page = client.get(url(explanation)).content.decode()
    assert "Ghi rõ số văn bản mời." in page and "Sửa và gửi lại" in page
    assert GOOD["remedy"] in page  # the form holds the text sent before
    post(client, officer, explanation, **{**GOOD, "text": GOOD["text"] + " Văn bản mời số 5."})

    post(client, boss, explanation, action="accept", note="")
    explanation.refresh_from_db()
    assert explanation.status == S.ACCEPTED and explanation.reviewed_by == boss
    page = client.get(url(explanation)).content.decode()
    history = page.split("explanation-history")[1]
    for label in ("Yêu cầu giải trình", "Gửi giải trình", "Trả lại giải trình"):
        assert label in history
    assert "Chấp nhận giải trình" in history and "hệ thống" in history


def test_specialists_and_desk_officers_cannot_accept(client, late, officer, desk):
    post(client, officer, late["mine"], **GOOD)
    assert post(client, officer, late["mine"], action="accept").status_code == 403
    post(client, desk, late["desks"], **GOOD)
    assert post(client, desk, late["desks"], action="accept").status_code == 403
    late["desks"].refresh_from_db()
    assert late["desks"].status == S.SUBMITTED


def test_a_leader_writes_on_the_officers_behalf(client, late, boss):
    client.force_login(boss)
    page = client.get(url(late["desks"])).content.decode()
    assert "Viết thay" in page
    assert post(client, boss, late["desks"], **GOOD).status_code == 302
    late["desks"].refresh_from_db()
    assert late["desks"].submitted_by == boss
    page = client.get(url(late["desks"])).content.decode()
    assert "viết thay" in page


def test_a_stale_form_says_why_at_the_top(client, late, officer, boss):
    post(client, officer, late["mine"], **GOOD)
    post(client, boss, late["mine"], action="accept")
    response = post(client, officer, late["mine"], **{**GOOD, "text": "Sửa sau khi duyệt"})
    assert response.status_code == 400
    assert "không thể thay đổi nữa" in response.content.decode()


# --- the dossier page and the home page ------------------------------------------------------
def test_the_dossier_page_shows_the_state_and_a_link_to_those_who_may_open_it(
    client, late, officer, desk, boss
):
    dossier = late["mine"].dossier
    client.force_login(officer)
    html = client.get(dossier.get_absolute_url()).content.decode()
    block = html.split('id="explanation"')[1].split("</section>")[0]
    assert "Chưa giải trình" in block and url(late["mine"]) in block
    # The desk sees every dossier but not the specialist's explanation: the state, no link.
    client.force_login(desk)
    block = client.get(dossier.get_absolute_url()).content.decode().split('id="explanation"')[1]
    assert "Chưa giải trình" in block.split("</section>")[0]
    assert url(late["mine"]) not in block.split("</section>")[0]


def test_the_staff_home_badge_counts_what_waits_for_each(client, late, officer, boss):
    home = reverse("core:staff-home")
    client.force_login(officer)
    html = client.get(home).content.decode()
    assert LIST in html
    assert '"explanation-badge"' in html and ">2<" in html.split('"explanation-badge"')[1][:120]
    client.force_login(boss)
    assert '"explanation-badge"' not in client.get(home).content.decode()  # nothing to review
    post(client, officer, late["mine"], **GOOD)
    client.force_login(boss)
    html = client.get(home).content.decode()
    assert ">1<" in html.split('"explanation-badge"')[1][:120]


# --- queries ---------------------------------------------------------------------------------
def test_the_list_runs_a_fixed_number_of_queries(
    client, procedure, desk, officer, boss, agency, django_assert_max_num_queries
):
    officers = [officer, staff(agency, Role.SPECIALIST), staff(agency, Role.SPECIALIST)]
    procedures = [procedure, published_procedure(agency)]
    for i in range(30):
        late_dossier(procedures[i % 2], desk, officers[i % 3], minute=i)
    assert ask() == 30
    for explanation in DossierExplanation.objects.filter(officer=officer)[:4]:
        post(client, officer, explanation, **GOOD)
    client.force_login(boss)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.content.decode().count('href="/can-bo/giai-trinh/') >= 25
    client.force_login(officer)
    with django_assert_max_num_queries(10):
        response = client.get(LIST + "?status=open")
    assert response.content.decode().count("btn btn-sm btn-primary") == 6
    explanation = DossierExplanation.objects.filter(status=S.SUBMITTED).first()
    client.force_login(boss)
    with django_assert_max_num_queries(10):
        assert client.get(url(explanation)).status_code == 200

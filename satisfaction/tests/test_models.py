"""The survey definition the data migration installs, and the database's own guards."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.constants import Role
from satisfaction.constants import DEFAULT_SURVEY_CODE
from satisfaction.models import Criterion, FollowUpEvent, Survey

pytestmark = pytest.mark.django_db

SIX_CRITERIA = [
    "Tiếp cận dịch vụ",
    "Điều kiện tiếp đón và phục vụ",
    "Thủ tục hành chính",
    "Sự phục vụ của công chức",
    "Kết quả, tiến độ giải quyết công việc",
    "Tiếp nhận và xử lý thông tin phản hồi",
]


def test_survey_v1_has_the_six_criteria_of_the_plan_in_order():
    survey = Survey.objects.get(code=DEFAULT_SURVEY_CODE, is_active=True)

    assert survey.version == 1
    assert list(survey.criteria.values_list("label", flat=True)) == SIX_CRITERIA


def test_every_criterion_has_two_to_four_questions():
    survey = Survey.objects.get(code=DEFAULT_SURVEY_CODE, is_active=True)

    for criterion in survey.criteria.all():
        assert 2 <= criterion.questions.count() <= 4, criterion.label


def test_the_reception_criterion_carries_the_facility_checklist():
    survey = Survey.objects.get(code=DEFAULT_SURVEY_CODE, is_active=True)

    assert list(survey.criteria.filter(shows_facilities=True).values_list("code", flat=True)) == [
        "dieu_kien_tiep_don"
    ]
    labels = " ".join(survey.facility_options.values_list("label", flat=True)).lower()
    for word in ["biểu mẫu", "bút", "ghế", "máy tính", "chờ", "khác"]:
        assert word in labels


def test_only_one_version_of_a_survey_is_active():
    Survey.objects.create(code=DEFAULT_SURVEY_CODE, version=2, title="v2", is_active=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.create(code=DEFAULT_SURVEY_CODE, version=3, title="v3", is_active=True)


def test_criterion_codes_are_unique_within_a_version():
    survey = Survey.objects.get(code=DEFAULT_SURVEY_CODE, is_active=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(survey=survey, position=9, code="tiep_can_dich_vu", label="x")


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.ADMINISTRATOR, ["change_survey", "add_question"], ["close_followup"]),
        (Role.LEADER, ["view_response", "view_followup", "close_followup"], ["change_survey"]),
        (Role.DESK_OFFICER, ["enroll_kioskdevice"], ["view_response", "close_followup"]),
        (Role.SPECIALIST, [], ["view_response", "enroll_kioskdevice", "change_survey"]),
    ],
)
def test_roles_hold_the_satisfaction_permissions_of_their_job(role, allowed, refused):
    codenames = set(
        Group.objects.get(name=role)
        .permissions.filter(content_type__app_label="satisfaction")
        .values_list("codename", flat=True)
    )

    assert set(allowed) <= codenames
    assert not set(refused) & codenames


def test_follow_up_events_are_append_only():
    event = FollowUpEvent(type="opened")
    event.pk = 1

    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()

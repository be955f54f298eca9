"""Invitations, responses and their follow-ups, kiosk tablets and survey versions."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from satisfaction import services
from satisfaction.constants import FollowUpReason, ResponseSource
from satisfaction.models import Answer, FollowUp, Invitation, KioskDevice, Response, Survey
from satisfaction.selectors import LinkState, invitation_check
from satisfaction.services import SurveyAnswers
from satisfaction.tests.conftest import at, make_dossier, scores

pytestmark = pytest.mark.django_db


def submit(survey, dossier=None, value=4, source=ResponseSource.LINK, **kwargs):
    answers = kwargs.pop("answers", None) or SurveyAnswers(scores=scores(survey, value))
    return services.response_submit(
        survey=survey, source=source, answers=answers, dossier=dossier, **kwargs
    )


# --- invitations -----------------------------------------------------------------------------
def test_one_invitation_per_dossier_with_an_unguessable_token(returned):
    first = services.invitation_for_dossier(dossier=returned)
    again = services.invitation_for_dossier(dossier=returned)

    assert first.pk == again.pk and first.token == again.token
    assert len(first.token) == 32
    assert returned.code not in first.token
    assert Invitation.objects.count() == 1


def test_the_invitation_is_valid_30_days_after_the_result_was_handed_over(returned, settings):
    settings.SATISFACTION_INVITATION_VALID_DAYS = 30
    invitation = services.invitation_for_dossier(dossier=returned)

    assert invitation.expires_at == returned.returned_at + timedelta(days=30)
    with time_machine.travel(at(2026, 4, 8, 8), tick=False):  # 30 days after 9/3 09:00
        assert invitation_check(token=invitation.token).state == LinkState.OPEN
    with time_machine.travel(at(2026, 4, 8, 9, 1), tick=False):
        assert invitation_check(token=invitation.token).state == LinkState.EXPIRED


def test_an_invitation_made_at_intake_opens_with_the_result(procedure, desk, officer, settings):
    dossier = make_dossier(procedure, desk, officer, resolve=False)
    invitation = services.invitation_for_dossier(dossier=dossier)  # the receipt slip's QR code

    assert invitation.expires_at is None
    assert invitation_check(token=invitation.token).state == LinkState.NOT_READY

    with time_machine.travel(at(2026, 3, 6, 10), tick=False):
        from dossiers import services as dossier_services

        dossier_services.dossier_resolve(dossier=dossier, user=officer)
    assert invitation_check(token=invitation.token).state == LinkState.OPEN  # result waiting

    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        dossier_services.dossier_return_result(dossier=dossier, user=desk)
    with time_machine.travel(at(2026, 5, 1, 9), tick=False):  # > 30 days after the return
        assert invitation_check(token=invitation.token).state == LinkState.EXPIRED
    dossier.refresh_from_db()
    assert services.invitation_for_dossier(dossier=dossier).expires_at == dossier.returned_at + (
        timedelta(days=settings.SATISFACTION_INVITATION_VALID_DAYS)
    )


@pytest.mark.parametrize("token", ["", "x" * 19, "a" * 65, "abc def ghi jkl mno pqr", None])
def test_malformed_tokens_are_unknown_without_a_query(token, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert invitation_check(token=token).state == LinkState.UNKNOWN


# --- responses -------------------------------------------------------------------------------
def test_a_response_stores_scores_officers_procedure_and_marks_the_invitation_used(
    returned, survey, desk, officer
):
    invitation = services.invitation_for_dossier(dossier=returned)
    facilities = list(survey.facility_options.filter(code__in=["but_giay", "ghe_ngoi"]))
    answers = SurveyAnswers(
        scores=scores(survey, 4, c1q1=5, c4q2=3),
        facility_option_ids=[str(o.pk) for o in facilities],
        comment="  Cán bộ nhiệt tình.\r\n",
        expectation="Thêm bút ở quầy",
    )

    with time_machine.travel(at(2026, 3, 10, 15), tick=False):
        response = submit(survey, returned, answers=answers)

    assert response.desk_officer == desk and response.handler == officer
    assert response.procedure_id == returned.procedure_id
    assert response.agency_id == returned.agency_id
    assert response.source == ResponseSource.LINK
    assert response.invitation == invitation
    assert response.comment == "Cán bộ nhiệt tình."
    assert set(response.facility_options.all()) == set(facilities)
    count = Answer.objects.filter(response=response).count()
    assert count == sum(len(c.questions.all()) for c in survey.criteria.all())
    assert response.mean_score == Decimal(4 * count + 1 - 1) / count  # one 5 and one 3
    assert not response.has_low_score
    invitation.refresh_from_db()
    assert invitation.used_at == at(2026, 3, 10, 15)
    assert invitation_check(token=invitation.token).state == LinkState.USED


@pytest.mark.parametrize("bad", [0, 6, "abc", "4.5", -1, True, "５"])
def test_scores_outside_1_to_5_are_refused_and_nothing_is_saved(returned, survey, bad):
    question = survey.criteria.first().questions.first()
    answers = SurveyAnswers(scores={**scores(survey), question.pk: bad})

    with pytest.raises(ValidationError) as error:
        submit(survey, returned, answers=answers)

    assert list(error.value.message_dict) == [f"q{question.pk}"]
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_a_required_question_left_out_is_refused_an_optional_one_is_not(returned, survey):
    questions = [q for c in survey.criteria.all() for q in c.questions.all()]
    required = next(q for q in questions if q.is_required)
    optional = next(q for q in questions if not q.is_required)
    all_scores = scores(survey)

    without_required = {k: v for k, v in all_scores.items() if k != required.pk}
    with pytest.raises(ValidationError) as error:
        submit(survey, returned, answers=SurveyAnswers(scores=without_required))
    assert f"q{required.pk}" in error.value.message_dict

    response = submit(
        survey,
        returned,
        answers=SurveyAnswers(scores={k: v for k, v in all_scores.items() if k != optional.pk}),
    )
    assert not response.answers.filter(question=optional).exists()


def test_a_second_response_for_the_dossier_is_refused(returned, survey):
    submit(survey, returned)

    with pytest.raises(services.AlreadyAnswered):
        submit(survey, returned, value=1, source=ResponseSource.LOOKUP)
    assert Response.objects.filter(dossier=returned).count() == 1


def test_the_database_allows_one_response_per_dossier(returned, survey):
    first = submit(survey, returned)

    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            agency=first.agency,
            survey=survey,
            dossier=returned,
            source=ResponseSource.LINK,
            submitted_at=first.submitted_at,
            mean_score=Decimal("3"),
        )


def test_the_database_refuses_a_score_of_6(returned, survey):
    response = submit(survey, returned)
    other = Survey.objects.get(pk=survey.pk).criteria.last().questions.first()
    Answer.objects.filter(response=response, question=other).delete()

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, question=other, score=6)


def test_a_dossier_without_its_result_cannot_be_rated(procedure, desk, officer, survey):
    dossier = make_dossier(procedure, desk, officer, resolve=False)

    with pytest.raises(services.SurveyClosed) as error:
        submit(survey, dossier)
    assert error.value.state == LinkState.NOT_READY


# --- follow-ups ------------------------------------------------------------------------------
def test_all_4s_open_no_follow_up(returned, survey):
    response = submit(survey, returned, value=4)

    assert not FollowUp.objects.filter(response=response).exists()


def test_a_2_opens_a_follow_up_naming_the_criterion_and_question(returned, survey):
    answers = SurveyAnswers(scores=scores(survey, 4, c4q1=2))

    with time_machine.travel(at(2026, 3, 10, 15), tick=False):
        response = submit(survey, returned, answers=answers)

    follow_up = response.follow_up
    assert response.has_low_score
    assert follow_up.is_open and follow_up.opened_at == at(2026, 3, 10, 15)
    [reason] = follow_up.reasons
    assert reason["kind"] == FollowUpReason.LOW_SCORE
    assert reason["criterion"] == "phuc_vu_cong_chuc" and reason["score"] == 2
    assert reason["question"].startswith("Công chức giao tiếp")
    [event] = follow_up.events.all()
    assert event.type == "opened" and event.actor is None


def test_a_complaint_in_the_comment_opens_a_follow_up_even_with_good_scores(returned, survey):
    answers = SurveyAnswers(scores=scores(survey, 5), comment="Cán bộ hách dịch, PHIEN HA dân")

    response = submit(survey, returned, answers=answers)

    assert not response.has_low_score
    [reason] = response.follow_up.reasons
    assert reason == {"kind": "complaint", "keywords": ["phiền hà", "hách dịch"]}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Tôi không hài lòng về thời gian chờ", ["không hài lòng"]),
        ("Thu tuc nhanh, khong phien ha gi ca", []),
        ("Không hề gây phiền hà, cảm ơn", []),
        ("Rất hài lòng", []),
        ("Phải đi lại nhiều lần mới xong", ["đi lại nhiều lần"]),
        ("Không phải đi lại nhiều lần", []),
        ("Bị đòi tiền bồi dưỡng", ["bồi dưỡng"]),
        ("", []),
    ],
)
def test_complaint_keywords_are_found_without_diacritics_and_not_after_a_negation(text, found):
    assert services.complaint_keywords_in(text) == found


# --- kiosk -----------------------------------------------------------------------------------
def test_enrolling_a_tablet_stores_only_the_hash_of_its_token(desk):
    device, token = services.kiosk_enroll(user=desk, name="  Quầy   1 ")

    assert device.name == "Quầy 1" and device.agency_id == desk.department.agency_id
    assert token not in device.token_hash and len(device.token_hash) == 64
    assert device.enrolled_by == desk and device.is_active


def test_only_staff_with_the_permission_enrol_tablets(officer):
    with pytest.raises(PermissionDenied):
        services.kiosk_enroll(user=officer, name="Quầy 1")


def test_a_tablet_needs_a_name(desk):
    with pytest.raises(ValidationError) as error:
        services.kiosk_enroll(user=desk, name="   ")
    assert "name" in error.value.message_dict


def test_a_kiosk_response_without_a_dossier_is_a_general_one(desk, survey):
    device, _token = services.kiosk_enroll(user=desk, name="Quầy 1")

    with time_machine.travel(at(2026, 3, 10, 15), tick=False):
        response = submit(survey, source=ResponseSource.KIOSK, kiosk=device)

    assert response.dossier is None and response.procedure is None
    assert response.agency_id == device.agency_id and response.kiosk == device
    device.refresh_from_db()
    assert device.last_used_at == at(2026, 3, 10, 15)


def test_a_revoked_tablet_takes_no_more_responses(desk, survey):
    device, _token = services.kiosk_enroll(user=desk, name="Quầy 1")
    services.kiosk_revoke(user=desk, device=device)
    services.kiosk_revoke(user=desk, device=device)  # idempotent

    with pytest.raises(services.KioskRevoked):
        submit(survey, source=ResponseSource.KIOSK, kiosk=device)
    device.refresh_from_db()
    assert device.revoked_by == desk


def test_a_tablet_of_another_office_cannot_be_revoked(desk, survey):
    from accounts.constants import Role
    from accounts.tests.factories import AgencyFactory
    from dossiers.tests.factories import staff

    device, _token = services.kiosk_enroll(user=desk, name="Quầy 1")
    stranger = staff(AgencyFactory(code="000.00.21.H32", name="Phòng khác"), Role.DESK_OFFICER)

    with pytest.raises(PermissionDenied):
        services.kiosk_revoke(user=stranger, device=device)
    assert KioskDevice.objects.get(pk=device.pk).is_active


def test_the_kiosk_links_a_typed_code_only_when_the_dossier_may_be_rated(
    returned, procedure, desk, officer, survey
):
    device, _token = services.kiosk_enroll(user=desk, name="Quầy 1")
    open_dossier = make_dossier(procedure, desk, officer, resolve=False)

    assert services.kiosk_dossier(kiosk=device, code=returned.code.lower()) == returned
    assert services.kiosk_dossier(kiosk=device, code=open_dossier.code) is None
    assert services.kiosk_dossier(kiosk=device, code="not a code") is None
    submit(survey, returned)
    assert services.kiosk_dossier(kiosk=device, code=returned.code) is None  # already rated


# --- survey versions -------------------------------------------------------------------------
def test_a_new_version_keeps_old_answers_pointing_at_old_questions(
    returned, procedure, desk, officer, survey, administrator
):
    old_response = submit(survey, returned, value=5)
    old_question = survey.criteria.first().questions.first()

    new = services.survey_new_version(survey=survey, user=administrator)
    assert new.version == 2 and not new.is_active and new.based_on == survey
    assert new.criteria.count() == 6 and new.facility_options.count() == 6
    edited = new.criteria.get(position=1).questions.get(position=1)
    edited.text = "Câu hỏi mới về tiếp cận dịch vụ"
    edited.save()
    services.survey_activate(survey=new, user=administrator)

    survey.refresh_from_db()
    assert not survey.is_active and Survey.objects.get(code=survey.code, is_active=True) == new
    old_question.refresh_from_db()
    assert old_question.text.startswith("Thông tin về thủ tục hành chính")
    answer = old_response.answers.get(question__criterion__position=1, question__position=1)
    assert answer.question == old_question and answer.question.text == old_question.text

    second = make_dossier(procedure, desk, officer)
    from satisfaction.selectors import active_survey

    new_response = submit(active_survey(), second)
    assert new_response.survey == new
    assert new_response.answers.get(question=edited).score == 4


def test_answers_to_a_version_no_longer_in_use_are_refused(returned, survey, administrator):
    new = services.survey_new_version(survey=survey, user=administrator)
    services.survey_activate(survey=new, user=administrator)
    survey.refresh_from_db()

    with pytest.raises(services.ApplicationError):
        submit(survey, returned)


def test_only_administrators_make_versions(survey, leader):
    with pytest.raises(PermissionDenied):
        services.survey_new_version(survey=survey, user=leader)

"""Administrators edit the survey in the admin; a version with answers is frozen and edited
through a new version, so old answers keep their meaning."""

import pytest
from django.conf import settings
from django.urls import reverse

from satisfaction import services
from satisfaction.constants import ResponseSource
from satisfaction.models import Question, Survey
from satisfaction.tests.conftest import scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(administrator)
    return client


def answer(survey, dossier):
    return services.response_submit(
        survey=survey,
        source=ResponseSource.LINK,
        answers=services.SurveyAnswers(scores=scores(survey)),
        dossier=dossier,
    )


def test_a_version_without_answers_can_be_edited(admin_client, survey):
    criterion = survey.criteria.first()
    response = admin_client.get(reverse("admin:satisfaction_criterion_change", args=[criterion.pk]))

    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()


def test_a_version_with_answers_is_read_only(admin_client, survey, returned):
    answer(survey, returned)
    criterion = survey.criteria.first()
    question = criterion.questions.first()

    for url in [
        reverse("admin:satisfaction_survey_change", args=[survey.pk]),
        reverse("admin:satisfaction_criterion_change", args=[criterion.pk]),
    ]:
        page = admin_client.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert admin_client.post(url, {"label": "Đổi nghĩa câu hỏi"}).status_code == 403
    assert (
        question.text
        in admin_client.get(
            reverse("admin:satisfaction_criterion_change", args=[criterion.pk])
        ).content.decode()
    )
    assert Question.objects.get(pk=question.pk).text == question.text


def test_the_new_version_action_then_put_in_use(admin_client, survey, returned):
    answer(survey, returned)
    changelist = reverse("admin:satisfaction_survey_changelist")

    admin_client.post(changelist, {"action": "new_version", "_selected_action": [survey.pk]})
    new = Survey.objects.get(code=survey.code, version=2)
    assert not new.is_active and new.created_by is not None
    edit = admin_client.get(
        reverse("admin:satisfaction_criterion_change", args=[new.criteria.first().pk])
    )
    assert 'name="_save"' in edit.content.decode()  # the copy is editable

    admin_client.post(changelist, {"action": "activate", "_selected_action": [new.pk]})
    new.refresh_from_db()
    survey.refresh_from_db()
    assert new.is_active and not survey.is_active


def test_survey_versions_are_never_deleted(admin_client, survey):
    delete = reverse("admin:satisfaction_survey_delete", args=[survey.pk])

    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_responses_are_not_for_administrators_to_change(admin_client, survey, returned):
    response = answer(survey, returned)

    url = reverse("admin:satisfaction_response_change", args=[response.pk])
    assert admin_client.post(url, {"comment": "sửa"}).status_code == 403

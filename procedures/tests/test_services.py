"""Versions of a procedure: revise into a draft, publish (retiring the previous one), retire."""

import pytest
from django.db import IntegrityError, transaction

from core.exceptions import ApplicationError
from procedures import selectors
from procedures.constants import ProcedureStatus
from procedures.models import Procedure
from procedures.services import procedure_publish, procedure_retire, procedure_revise
from procedures.tests.factories import ProcedureFactory, ProcedureStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def published(agency):
    return ProcedureFactory(published=True, agency=agency, code="1.000963", name="Karaoke v1")


def children(procedure):
    return {
        "steps": list(procedure.steps.values_list("position", "title", "description")),
        "methods": list(procedure.methods.values_list("channel", "processing_time", "fee", "note")),
        "components": list(
            procedure.components.values_list(
                "position", "name", "original_count", "copy_count", "form_name", "form_file"
            )
        ),
        "workflow": list(
            procedure.workflow_steps.values_list("position", "unit", "task", "time_budget")
        ),
    }


def test_revise_copies_the_version_and_its_children_into_a_new_draft(published, specialist):
    before = children(published)

    draft = procedure_revise(procedure=published, user=specialist)

    assert draft.pk != published.pk
    assert (draft.code, draft.version, draft.status) == ("1.000963", 2, ProcedureStatus.DRAFT)
    assert draft.name == "Karaoke v1"
    assert draft.published_at is None and draft.published_by is None
    assert children(draft) == before
    assert all(len(rows) for rows in before.values())
    # The published version keeps its own rows, untouched.
    published.refresh_from_db()
    assert published.status == ProcedureStatus.PUBLISHED
    assert children(published) == before


def test_editing_the_draft_leaves_the_published_version_alone(published, specialist):
    draft = procedure_revise(procedure=published, user=specialist)
    draft.steps.update(title="Bước đã sửa")
    draft.name = "Karaoke v2"
    draft.save()

    published.refresh_from_db()
    assert published.name == "Karaoke v1"
    assert "Bước đã sửa" not in [s.title for s in published.steps.all()]
    assert selectors.procedure_detail(code="1.000963").name == "Karaoke v1"


def test_revising_twice_returns_the_open_draft(published, specialist):
    first = procedure_revise(procedure=published, user=specialist)
    second = procedure_revise(procedure=published, user=specialist)

    assert first.pk == second.pk
    assert Procedure.objects.filter(code="1.000963").count() == 2


def test_revise_after_retired_versions_takes_the_next_version_number(published, specialist, leader):
    draft = procedure_revise(procedure=published, user=specialist)
    procedure_publish(procedure=draft, user=leader)

    newest = procedure_revise(procedure=published, user=specialist)  # from the retired v1

    assert newest.version == 3


def test_revise_needs_permission(published, desk_officer):
    with pytest.raises(ApplicationError):
        procedure_revise(procedure=published, user=desk_officer)
    assert Procedure.objects.filter(code="1.000963").count() == 1


def test_publishing_a_draft_retires_the_previous_version(published, specialist, leader):
    draft = procedure_revise(procedure=published, user=specialist)
    draft.name = "Karaoke v2"
    draft.save()

    result = procedure_publish(procedure=draft, user=leader)

    published.refresh_from_db()
    assert published.status == ProcedureStatus.RETIRED
    assert result.status == ProcedureStatus.PUBLISHED
    assert result.published_by == leader and result.published_at is not None
    assert Procedure.objects.filter(code="1.000963", status="published").count() == 1
    assert selectors.procedure_detail(code="1.000963").name == "Karaoke v2"
    assert [p.name for p in selectors.procedure_list(query="karaoke")] == ["Karaoke v2"]


def test_publishing_twice_is_harmless(published, leader):
    again = procedure_publish(procedure=published, user=leader)

    assert again.status == ProcedureStatus.PUBLISHED
    assert again.published_at == published.published_at


@pytest.mark.parametrize("persona", ["desk_officer", "specialist"])
def test_publishing_needs_permission(request, published, persona):
    user = request.getfixturevalue(persona)
    draft = procedure_revise(procedure=published, user=request.getfixturevalue("specialist"))

    with pytest.raises(ApplicationError):
        procedure_publish(procedure=draft, user=user)

    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == ProcedureStatus.DRAFT
    assert published.status == ProcedureStatus.PUBLISHED


def test_administrator_may_publish(published, specialist, administrator):
    draft = procedure_revise(procedure=published, user=specialist)
    assert procedure_publish(procedure=draft, user=administrator).status == "published"


def test_a_draft_without_steps_or_components_cannot_be_published(agency, leader):
    no_steps = ProcedureFactory(agency=agency, steps=None)
    no_components = ProcedureFactory(agency=agency, form_component=None, other_component=None)

    for draft in (no_steps, no_components):
        with pytest.raises(ApplicationError):
            procedure_publish(procedure=draft, user=leader)
        draft.refresh_from_db()
        assert draft.status == ProcedureStatus.DRAFT


def test_a_retired_version_cannot_be_published_again(published, leader):
    procedure_retire(procedure=published, user=leader)

    with pytest.raises(ApplicationError):
        procedure_publish(procedure=published, user=leader)


def test_only_one_published_version_per_code_is_possible(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureFactory(code=published.code, version=2, published=True, bare=True)


def test_retiring_withdraws_the_procedure_from_the_catalogue(published, leader):
    ProcedureStepFactory(procedure=published)

    procedure_retire(procedure=published, user=leader)

    published.refresh_from_db()
    assert published.status == ProcedureStatus.RETIRED
    assert selectors.procedure_detail(code="1.000963") is None
    assert list(selectors.procedure_list(query="karaoke")) == []


def test_retiring_needs_permission(published, specialist):
    with pytest.raises(ApplicationError):
        procedure_retire(procedure=published, user=specialist)
    published.refresh_from_db()
    assert published.status == ProcedureStatus.PUBLISHED


@pytest.mark.django_db
def test_a_draft_cannot_be_retired(leader):
    draft = ProcedureFactory()
    with pytest.raises(ApplicationError):
        procedure_retire(procedure=draft, user=leader)
    draft.refresh_from_db()
    assert draft.status == "draft"

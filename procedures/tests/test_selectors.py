"""Selectors of the public catalogue: only published versions, in a bounded number of queries."""

import pytest

from procedures import selectors
from procedures.tests.factories import FieldFactory, ProcedureFactory, ProcedureStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_field_choices_offer_only_fields_with_published_procedures_in_vietnamese_order():
    family = FieldFactory(name="Gia đình")
    for field in [FieldFactory(name="Thư viện"), family, FieldFactory(name="Đời sống văn hóa")]:
        ProcedureFactory(published=True, bare=True, field=field)
    ProcedureFactory(published=True, bare=True, field=family)  # listed once
    ProcedureFactory(bare=True, field=FieldFactory(name="Chỉ có bản nháp"))
    ProcedureFactory(retired=True, bare=True, field=FieldFactory(name="Chỉ có bản cũ"))

    assert [f.name for f in selectors.field_choices()] == [
        "Đời sống văn hóa",
        "Gia đình",
        "Thư viện",
    ]


def test_procedure_detail_prefetches_children_in_public_order(django_assert_num_queries):
    procedure = ProcedureFactory(published=True, code="1.000963")
    ProcedureStepFactory(procedure=procedure, position=0, title="Bước chuẩn bị")

    with django_assert_num_queries(4):
        found = selectors.procedure_detail(code="1.000963")
        steps = [s.title for s in found.steps.all()]
        channels = [m.channel for m in found.methods.all()]
        components = [c.position for c in found.components.all()]
        names = (found.field.name, found.agency.name)

    assert steps[0] == "Bước chuẩn bị" and len(steps) == 3
    assert channels == ["1", "2", "3"]
    assert components == [1, 2]
    assert all(names)


@pytest.mark.parametrize("code", ["", "1.00096", "1.0009630", "x.000963", "1.000963\x00", None])
def test_procedure_detail_rejects_malformed_codes_without_a_query(code, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.procedure_detail(code=code) is None


def test_component_form_only_for_the_published_version():
    published = ProcedureFactory(published=True)
    draft = ProcedureFactory(code=published.code, version=2)
    published_form = published.components.exclude(form_file="").get()
    draft_form = draft.components.exclude(form_file="").get()

    assert (
        selectors.component_form(code=published.code, component_id=published_form.pk)
        == published_form
    )
    assert selectors.component_form(code=published.code, component_id=draft_form.pk) is None


def test_procedure_page_counts_and_slices_like_a_paginator(django_assert_num_queries):
    field = FieldFactory()
    for n in range(45):
        ProcedureFactory(published=True, bare=True, field=field, name=f"Lễ hội {n:02d}")
    ProcedureFactory(bare=True, field=field, name="Lễ hội bản nháp")

    with django_assert_num_queries(1):
        second = selectors.procedure_page(query="le hoi", page=2, page_size=20)
        names = [p.name for p in second]
    assert (second.number, second.paginator.count, second.paginator.num_pages) == (2, 45, 3)
    assert names == [f"Lễ hội {n}" for n in range(20, 40)]

    last = selectors.procedure_page(query="le hoi", page="3", page_size=20)
    past_the_end = selectors.procedure_page(query="le hoi", page=4, page_size=20)
    nothing = selectors.procedure_page(query="khong co", page=1, page_size=20)
    assert len(last) == 5 and last.has_previous() and not last.has_next()
    assert (past_the_end.number, len(past_the_end)) == (3, 5)
    assert (nothing.number, nothing.paginator.count, len(nothing)) == (1, 0, 0)

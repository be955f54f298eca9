"""primary_agency(): the process copy in front of the shared cache, and when it is skipped.

These tests commit (transaction=True): the process copy is used only outside a transaction.
"""

import pytest
from django.core.cache import cache
from django.db import transaction

from accounts import selectors
from accounts.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _no_process_copy():
    selectors._memo = None
    yield
    selectors._memo = None


def test_the_process_copy_answers_without_the_database_or_the_cache(
    django_assert_num_queries, monkeypatch
):
    agency = AgencyFactory(is_primary=True)
    with django_assert_num_queries(1):
        assert selectors.primary_agency() == agency
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: pytest.fail("cache read"))
    with django_assert_num_queries(0):
        assert selectors.primary_agency() == agency


def test_a_saved_agency_shows_at_once_in_the_same_process():
    agency = AgencyFactory(is_primary=True)
    assert selectors.primary_agency().hotline == agency.hotline
    agency.hotline = "0258 7777 666"
    agency.save()
    assert selectors.primary_agency().hotline == "0258 7777 666"


def test_other_processes_see_an_edit_once_their_copy_expires(django_assert_num_queries):
    agency = AgencyFactory(is_primary=True)
    selectors.primary_agency()
    # Another process edits the agency: the shared cache is invalidated, this copy is not.
    type(agency).objects.filter(pk=agency.pk).update(hotline="0258 1111 222")
    cache.delete(selectors.PRIMARY_AGENCY_CACHE_KEY)
    assert selectors.primary_agency().hotline == agency.hotline
    until, value = selectors._memo
    selectors._memo = (until - selectors.PRIMARY_AGENCY_MEMO_SECONDS - 1, value)  # expired
    assert selectors.primary_agency().hotline == "0258 1111 222"


def test_inside_a_transaction_the_process_copy_is_not_used(django_assert_num_queries):
    agency = AgencyFactory(is_primary=True)
    selectors.primary_agency()
    type(agency).objects.filter(pk=agency.pk).update(hotline="0258 1111 222")
    cache.delete(selectors.PRIMARY_AGENCY_CACHE_KEY)
    with transaction.atomic():
        assert selectors.primary_agency().hotline == "0258 1111 222"


def test_the_stamp_changes_with_the_agency():
    agency = AgencyFactory(is_primary=True)
    before = selectors.primary_agency_stamp()
    agency.hotline = "0258 7777 666"
    agency.save()
    assert selectors.primary_agency_stamp() != before
    assert selectors.primary_agency_stamp()[0] == agency.pk

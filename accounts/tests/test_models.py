import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Agency, agency_code_validator
from accounts.selectors import primary_agency
from accounts.tests.factories import AgencyFactory


@pytest.mark.parametrize("code", ["000.00.14.H56", "H15.50.05.13", "000.00.20.H32"])
def test_agency_code_validator_accepts_electronic_identifiers(code):
    agency_code_validator(code)


@pytest.mark.parametrize(
    "code", ["abc", "000-00", "000.00", "000.00.14.h56", "000.00.14.H56.", " 000.00.14.H56", ""]
)
def test_agency_code_validator_rejects_other_shapes(code):
    with pytest.raises(ValidationError):
        agency_code_validator(code)


@pytest.mark.django_db
def test_full_clean_reports_a_bad_code_on_the_code_field():
    agency = AgencyFactory.build(code="abc")

    with pytest.raises(ValidationError) as excinfo:
        agency.full_clean()

    assert "code" in excinfo.value.message_dict


@pytest.mark.django_db
def test_only_one_agency_can_be_primary():
    AgencyFactory(code="000.00.20.H32", is_primary=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyFactory(code="000.00.14.H56", is_primary=True)

    AgencyFactory(code="000.00.15.H56", is_primary=False)
    AgencyFactory(code="000.00.16.H56", is_primary=False)
    assert Agency.objects.filter(is_primary=True).count() == 1
    assert Agency.objects.count() == 3


@pytest.mark.django_db
def test_primary_agency_is_none_without_one():
    AgencyFactory(is_primary=False)

    assert primary_agency() is None


@pytest.mark.django_db
def test_primary_agency_is_cached(django_assert_num_queries):
    agency = AgencyFactory(is_primary=True)
    AgencyFactory(code="000.00.14.H56", name="Another office", is_primary=False)

    with django_assert_num_queries(1):
        first = primary_agency()
    with django_assert_num_queries(0):
        second = primary_agency()

    assert first == agency
    assert second == agency
    assert second.hotline == agency.hotline

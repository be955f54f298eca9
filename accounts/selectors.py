from django.core.cache import cache

from .models import Agency

PRIMARY_AGENCY_CACHE_KEY = "accounts:primary-agency:v1"


def primary_agency() -> Agency | None:
    """The agency the public pages present (cached for a minute; one query at most)."""
    agency = cache.get(PRIMARY_AGENCY_CACHE_KEY)
    if agency is None:
        agency = Agency.objects.primary()
        if agency is not None:
            cache.set(PRIMARY_AGENCY_CACHE_KEY, agency, 300)
    return agency


def forget_primary_agency() -> None:
    cache.delete(PRIMARY_AGENCY_CACHE_KEY)

import time

from django.core.cache import cache
from django.db import connection, transaction

from .models import Agency

PRIMARY_AGENCY_CACHE_KEY = "accounts:primary-agency:v1"
PRIMARY_AGENCY_CACHE_SECONDS = 300
# Every public page shows the agency (header, footer), and a Redis round trip costs more than
# the rest of a cached look-up page, so each process keeps its own copy this long. Another
# process sees an edit within this time; the process that saved it sees it at once.
PRIMARY_AGENCY_MEMO_SECONDS = 30

_memo: tuple[float, Agency | None] | None = None  # (valid until, agency), this process only


def primary_agency() -> Agency | None:
    """The agency the public pages present (one query at most, then cached).

    Called by the context processor of every page and by the slips. Read from this process's
    copy (PRIMARY_AGENCY_MEMO_SECONDS), else from the shared cache (PRIMARY_AGENCY_CACHE_SECONDS),
    else from the database. Inside a transaction the process copy is skipped: a write that
    reads the agency gets the shared cache's value, never one up to half a minute old.
    """
    global _memo
    memo = _memo
    in_transaction = connection.in_atomic_block
    if memo is not None and not in_transaction and memo[0] > time.monotonic():
        return memo[1]
    agency = cache.get(PRIMARY_AGENCY_CACHE_KEY)
    if agency is None:
        agency = Agency.objects.primary()
        if agency is not None:
            cache.set(PRIMARY_AGENCY_CACHE_KEY, agency, PRIMARY_AGENCY_CACHE_SECONDS)
    if not in_transaction:
        _memo = (time.monotonic() + PRIMARY_AGENCY_MEMO_SECONDS, agency)
    return agency


def primary_agency_stamp() -> tuple | None:
    """What identifies the current version of the primary agency (for cache keys of pages
    that show it): its id and last change, from the same copies as primary_agency()."""
    agency = primary_agency()
    return None if agency is None else (agency.pk, agency.updated_at.timestamp())


def _forget() -> None:
    global _memo
    _memo = None
    cache.delete(PRIMARY_AGENCY_CACHE_KEY)


def forget_primary_agency() -> None:
    """Called by Agency.save(): this process and the shared cache read the database again.

    Both copies are dropped now and again when the transaction commits, so a reader that ran
    between the write and the commit cannot keep the old agency.
    """
    _forget()
    transaction.on_commit(_forget)

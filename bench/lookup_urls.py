"""Bench-only URLconf: the portal's URLs plus a bare view to compare the look-up with.

`/bench/bare/` returns BENCH_BARE_BYTES bytes of HTML through the same middleware stack and
server, with no database, cache or template work: the ceiling a page of that size can reach.
"""

import os

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path

from nhatrang_portal.urls import handler403, handler404, handler500  # noqa: F401

_SIZE = int(os.environ.get("BENCH_BARE_BYTES", "12000"))
_BODY = (b"<!doctype html><html><body><p>" + b"x" * _SIZE)[:_SIZE]


@login_not_required
def bare(request):
    return HttpResponse(_BODY, content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("nhatrang_portal.urls")),
]

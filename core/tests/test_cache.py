"""core.cache.RedisCache: Django's Redis backend, one client per pool, incr() in one trip.

Against the Redis of the test settings (TEST_CACHE_URL).
"""

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.test import RequestFactory, override_settings
from django_ratelimit.core import get_usage

from core.cache import RedisCache


@pytest.fixture
def redis_cache():
    params = {**settings.CACHES["default"], "KEY_PREFIX": "test-core-cache"}
    backend = RedisCache(params.pop("LOCATION"), params)
    backend.clear()
    yield backend
    backend.clear()


def test_one_client_serves_every_call(redis_cache):
    first = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b", write=True) is first


def test_incr_counts_like_django_s(redis_cache):
    django_cache = DjangoRedisCache(settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": "x"})
    for cache in (redis_cache, django_cache):
        cache.set("n", 1)
        assert cache.incr("n") == 2
        assert cache.incr("n", 5) == 7
        assert cache.get("n") == 7
        with pytest.raises(ValueError):
            cache.incr("missing")
        assert cache.get("missing") is None  # not created
        cache.delete("n")


def test_add_then_incr_as_django_ratelimit_does(redis_cache):
    assert redis_cache.add("rl", 0, 60) is True
    assert redis_cache.add("rl", 0, 60) is False
    assert redis_cache.incr("rl") == 1
    assert 0 < redis_cache._cache.get_client().ttl(redis_cache.make_key("rl")) <= 60


def test_django_ratelimit_counts_with_it(redis_cache):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    caches = {"default": settings.CACHES["default"], "limits": {**settings.CACHES["default"]}}
    caches["limits"]["BACKEND"] = "core.cache.RedisCache"
    with override_settings(CACHES=caches, RATELIMIT_USE_CACHE="limits"):
        counts = [
            get_usage(request, group="g", key="ip", rate="2/m", increment=True)["count"]
            for _ in range(3)
        ]
        usage = get_usage(request, group="g", key="ip", rate="2/m", increment=False)
    assert counts == [1, 2, 3]
    assert usage["should_limit"] is True

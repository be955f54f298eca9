"""Bench-only settings for bench/lookup.py: the production settings, minus HTTPS and manifest.

Production-like: DEBUG off, a real SECRET_KEY check, PostgreSQL and Redis from the environment
(DATABASE_URL, CACHE_URL). Differences, all for a plain-HTTP local run: no HTTPS redirect,
plain static storage (no collectstatic needed; static files are not requested), the bench
URLconf (bench/lookup_urls.py adds a bare view) and look-up rate limits raised so the load
generator is not answered with 429. Never used by the portal itself.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("LOOKUP_RATE_PER_IP", "100000000/s")
os.environ.setdefault("LOOKUP_RATE_PER_CODE", "100000000/s")

from nhatrang_portal.settings.production import *  # noqa: E402, F403
from nhatrang_portal.settings.production import CACHES, STORAGES, env  # noqa: E402

ROOT_URLCONF = "bench.lookup_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# bench/lookup.py --cache-backend core: core.cache.RedisCache (one client per pool, incr in one
# round trip) instead of Django's RedisCache, to measure that change before the portal adopts it.
if env.str("BENCH_CACHE_BACKEND", default="django") == "core":
    CACHES["default"]["BACKEND"] = "core.cache.RedisCache"
# bench/lookup.py --ratelimit off: measure without django-ratelimit's Redis round trips.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# Plain HTTP on the loopback: secure-only cookies and HSTS would only add noise.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Static files are not part of the measurement (and need no collectstatic here).
STATIC_ROOT = None

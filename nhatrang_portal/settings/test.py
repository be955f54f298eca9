"""Test settings: real PostgreSQL and Redis on this machine (see README, `make test`)."""

from .base import *  # noqa: F403
from .base import env

DATABASES = {
    "default": env.db(
        "TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/nhatrang_portal"
    )
}
CACHES = {"default": env.cache("TEST_CACHE_URL", default="rediscache://127.0.0.1:6379/1")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default=BASE_DIR / "test-artifacts" / "media")  # noqa: F405
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
DOSSIER_ATTACHMENT_ROOT = BASE_DIR / "test-artifacts" / "private"  # noqa: F405

"""Production settings refuse unsafe configuration; the first run needs none."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(settings_module, **env):
    base = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _check("nhatrang_portal.settings.production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = _check(
        "nhatrang_portal.settings.production",
        SECRET_KEY="x" * 60,
        CACHE_URL="rediscache://127.0.0.1:6379/2",
    )
    assert result.returncode == 0, result.stderr


def test_development_settings_need_no_configuration():
    result = _check("nhatrang_portal.settings.dev", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr

#!/usr/bin/env bash
# The whole quality gate: services, lint, migrations, deploy check, translations, pytest.
# STRICT=1 (set by .ci/run): every test must run; a skipped test fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
STRICT=${STRICT:-0}
missing=()
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- 1. System packages and services (Debian, as root) ---------------------------------------
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  need=()
  for pkg in chromium libharfbuzz-subset0 gettext fonts-dejavu-core postgresql redis-server; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    say "Installing system packages: ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || echo "apt-get could not install: ${need[*]}"
  fi
  bash scripts/services.sh || true
else
  echo "Not root on Debian: not installing system packages; using the services already running."
fi

pg_ok=0; redis_ok=0; browser_ok=0
pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && pg_ok=1
{ command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; } && redis_ok=1
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && browser_ok=1
[ $pg_ok = 1 ] || missing+=("PostgreSQL on 127.0.0.1:5432")
[ $redis_ok = 1 ] || missing+=("Redis on 127.0.0.1:6379")
[ $browser_ok = 1 ] || missing+=("Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (browser tests)")

if [ $pg_ok = 0 ] || [ $redis_ok = 0 ]; then
  echo "CANNOT RUN the test suite: missing ${missing[*]}."
  echo "Start them (see README, 'Running the tests') or run 'make test' as root on Debian."
  exit 1
fi

status=0
step() { say "$1"; shift; "$@" || { echo "FAILED: $*"; status=1; }; }

# --- 2. Static gates -------------------------------------------------------------------------
step "ruff (lint)" $PY -m ruff check .
step "ruff (format)" $PY -m ruff format --check .
step "compile translations" $PY manage.py compilemessages --ignore=.venv --verbosity 0
step "migrations match the models" env DJANGO_SETTINGS_MODULE=nhatrang_portal.settings.test \
  $PY manage.py makemigrations --check --dry-run
step "deploy check (production settings)" env DJANGO_SETTINGS_MODULE=nhatrang_portal.settings.production \
  SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres CACHE_URL=rediscache://127.0.0.1:6379/2 \
  ALLOWED_HOSTS=portal.example.org $PY manage.py check --deploy --fail-level WARNING

# --- 3. pytest -------------------------------------------------------------------------------
pytest_args=()
if [ $browser_ok = 0 ]; then
  if [ "$STRICT" = "1" ]; then echo "STRICT: browser tests cannot run without Chromium"; status=1; fi
  echo "NOT RUN: browser tests (no Chromium)."
  pytest_args+=(-m "not e2e")
fi
say "pytest"
STRICT_TESTS=$STRICT DJANGO_ALLOW_ASYNC_UNSAFE=true $PY -m pytest --create-db "${pytest_args[@]}" "$@"
rc=$?
[ $rc = 0 ] || status=1

if [ ${#missing[@]} -gt 0 ]; then echo; echo "Could not run everything: missing ${missing[*]}"; fi
[ $status = 0 ] && say "All checks passed" || say "Some checks FAILED"
exit $status

#!/usr/bin/env bash
# Runs every test of Keel on a fresh machine: installs what the tests need (Debian's chromium for
# the browser test, the e2e npm packages), starts PostgreSQL if it is installed but stopped, then
# runs the Rust suites (SQLite always, PostgreSQL when reachable) and the browser end-to-end tests (every e2e/*.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# PostgreSQL: use KEEL_TEST_POSTGRES_URL if given, else the local server on 127.0.0.1:5432.
if [ -z "${KEEL_TEST_POSTGRES_URL:-}" ]; then
  if command -v pg_isready >/dev/null 2>&1; then
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
      log "starting PostgreSQL"
      as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
    if pg_isready -q -h 127.0.0.1 -p 5432; then
      export KEEL_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
    fi
  fi
fi
if [ -n "${KEEL_TEST_POSTGRES_URL:-}" ]; then
  log "PostgreSQL suites will run against ${KEEL_TEST_POSTGRES_URL}"
else
  log "PostgreSQL not available: the PostgreSQL suites will be SKIPPED"
fi

# Each PostgreSQL test makes its own database; drop those of earlier runs so they never fill the disk.
drop_test_databases() {
  if [ -n "${KEEL_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null 2>&1; then
    psql "$KEEL_TEST_POSTGRES_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'keel\_test\_%'" 2>/dev/null |
      while read -r db; do psql "$KEEL_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
  fi
}
drop_test_databases

log "cargo test (workspace)"
cargo test --workspace --locked
drop_test_databases

# Browser end-to-end test: real headless Chromium against a real `keel serve --demo`.
if [ "${KEEL_SKIP_E2E:-0}" = "1" ]; then
  log "KEEL_SKIP_E2E=1: browser test SKIPPED"
  exit 0
fi
if ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's chromium for the browser test"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
log "browser end-to-end test (today's date)"
cargo build -p keel-cli --locked
(cd e2e && npm ci --no-audit --no-fund --loglevel=error && npm test)
# Nothing may depend on the day the tests run: the workflows again with "today" pinned to two
# dates a year apart (a leap day among them); the demo organisation moves with the date.
for day in ${KEEL_E2E_PINNED_DATES:-2027-03-01 2028-02-29}; do
  log "browser end-to-end test with today pinned to $day"
  (cd e2e && KEEL_TODAY="$day" node --test --test-concurrency=1 ui.test.mjs)
done

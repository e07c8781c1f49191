#!/usr/bin/env bash
# Runs every test. Installs what the tests need, idempotently: npm packages, Debian's Chromium for
# the browser tests and Dovecot for the email tests. Needs the local PostgreSQL (127.0.0.1:5432,
# database `test`).
# Ends with the plain line `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium for the browser tests, and Thai and emoji fonts so screenshots show what users see.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
dpkg -s fonts-noto-core >/dev/null 2>&1 || missing="$missing fonts-noto-core"
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing="$missing fonts-noto-color-emoji"
# Dovecot for the email tests: each test file runs its own throwaway instance (test/support/dovecot.ts).
dpkg -s dovecot-imapd >/dev/null 2>&1 || missing="$missing dovecot-imapd"
if [ -n "$missing" ]; then
  echo "Installing Debian packages for the tests:$missing"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The multi-node tests need Redis; start it if this machine has it installed but stopped.
if ! (echo > /dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  if command -v redis-server >/dev/null; then redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null || true; fi
fi

# The PostgreSQL store tests need the server; start it if this machine has it installed but stopped.
if ! (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi

# vitest's global setup builds the console once (test/support/build-ui.global.ts).
exec npx vitest run "$@"

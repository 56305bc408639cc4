#!/usr/bin/env bash
# Ensures a local PostgreSQL 15 (cluster 15/main) and RabbitMQ are installed and
# running for Rectify's integration tests, and that the headless Chromium, its
# ChromeDriver and a Chinese font the browser tests use, and headless LibreOffice with poppler-utils for rendering
# the exported documents, are installed, on a Debian 12 box run as root without
# systemd (CI, dev containers). Idempotent and quick when both are already up.
#
# Usage:  eval "$(bash tests/infra/ensure-services.sh)"
# stdout carries only the two `export` lines; all progress goes to stderr.
set -euo pipefail

log() { echo "ensure-services: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, starts servers)"

# --- 1. Install packages only if missing ------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
missing=()
# fonts-wqy-microhei: without a CJK font the screenshots show boxes instead of Chinese.
# LibreOffice (headless, no GUI) and poppler-utils render the exported workbooks and Word documents to PDF and PNG.
for pkg in postgresql rabbitmq-server chromium chromium-driver fonts-wqy-microhei \
           libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils; do installed "$pkg" || missing+=("$pkg"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]} ..."
  # Without systemd the postinst's invoke-rc.d start would fail the install;
  # a policy-rc.d exiting 101 tells it not to start anything. We start the
  # servers ourselves below. Keep any policy-rc.d that already exists.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
fi

# --- 2. PostgreSQL ------------------------------------------------------------
pg_lsclusters -h 2>/dev/null | grep -q '^15 *main ' \
  || { log "creating cluster 15/main"; pg_createcluster 15 main >&2; }
if ! pg_ctlcluster 15 main status >/dev/null 2>&1; then
  log "starting PostgreSQL 15/main"
  pg_ctlcluster 15 main start >&2 || die "PostgreSQL failed to start (see /var/log/postgresql/postgresql-15-main.log)"
fi
pg_ok() { PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p 5432 -U postgres -qtAX -c 'select 1' >/dev/null 2>&1; }
if ! pg_ok; then
  # Fresh clusters have no password for postgres; TCP logins need one (scram).
  log "setting password of role postgres"
  (cd / && su postgres -c "psql -qX -c \"ALTER ROLE postgres PASSWORD 'postgres'\"") >&2
  pg_ok || die "cannot log in to PostgreSQL at 127.0.0.1:5432 as postgres/postgres"
fi
log "PostgreSQL is up on 127.0.0.1:5432"

# --- 3. RabbitMQ --------------------------------------------------------------
rmq_ok() { timeout 20 rabbitmq-diagnostics -q ping >/dev/null 2>&1; }
if ! rmq_ok; then
  # Management UI on :15672 is handy when debugging tests; --offline only edits
  # /etc/rabbitmq/enabled_plugins, so do it before the node starts.
  grep -qs rabbitmq_management /etc/rabbitmq/enabled_plugins \
    || rabbitmq-plugins enable --offline rabbitmq_management >&2
  log "starting RabbitMQ"
  # Started as root it drops to user rabbitmq with only 1024 file handles;
  # starting it as rabbitmq after raising the limit gives ~20k.
  su rabbitmq -s /bin/bash -c 'cd /var/lib/rabbitmq && export HOME=/var/lib/rabbitmq &&
    { ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"; } && rabbitmq-server -detached' >&2 \
    || die "rabbitmq-server -detached failed (see /var/log/rabbitmq/)"
  # await_startup fails outright until the node has registered with epmd, so retry.
  deadline=$((SECONDS + 60))
  until timeout 30 rabbitmqctl -q await_startup >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "RabbitMQ did not start within 60 s (see /var/log/rabbitmq/)"
    sleep 2
  done
fi
timeout 3 bash -c '</dev/tcp/127.0.0.1/5672' 2>/dev/null \
  || die "RabbitMQ is running but 127.0.0.1:5672 does not accept connections"
log "RabbitMQ is up on 127.0.0.1:5672 (management on :15672)"

# --- 4. Connection settings for the caller ------------------------------------
echo "export RECTIFY_TEST_POSTGRES='Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres'"
echo "export RECTIFY_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:5672/'"

#!/usr/bin/env bash
# Fault scenarios against the distributed deployment, as an operator meets them: each service its own process
# (the built services/Rectify.Host rectify.dll), its own PostgreSQL database, one RabbitMQ virtual host.
# Not part of CI (minutes per scenario). Usage:
#
#   bash tests/faults/run.sh                      # every scenario
#   bash tests/faults/run.sh broker gateway-db    # some: broker service gateway gateway-db gateway-empty
#
# For each scenario it writes units through organizations (rectify-cli unit-register, a writer in the background)
# while the fault happens, then prints: writes acknowledged, lost (acknowledged but missing from the service, or in
# the service but missing from the gateway's rm_units once the wait is over), duplicated (a unit whose registration was
# published more than once), and the recovery time (from the fault's end until the gateway's units equal the
# service's). Everything is counted from the databases, not from RPCs.
#
# Settings (environment): FAULT_SECONDS (how long a fault lasts, 20), DB_REFUSED_SECONDS (the consumer database
# refused, 120), WRITES (at most per scenario, 400; the writer stops when the fault ends), RECOVERY_LIMIT (seconds to wait for agreement, 180),
# BROKER_FAULT=vhost|stop_app (vhost: this run's connections closed and its user locked out of its virtual host,
# leaving the shared broker up for others; stop_app: rabbitmqctl stop_app/start_app, the whole node),
# RECONCILE_CMD (run after each fault ends, e.g. the gateway's Reconcile/rebuild command once it exists; given
# $GATEWAY_URL and $RECTIFY_TOKEN), KEEP=1 (keep the databases, virtual host and logs).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
eval "$(bash tests/infra/ensure-services.sh)"

FAULT_SECONDS=${FAULT_SECONDS:-20}
DB_REFUSED_SECONDS=${DB_REFUSED_SECONDS:-120}
WRITES=${WRITES:-400}
RECOVERY_LIMIT=${RECOVERY_LIMIT:-180}
BROKER_FAULT=${BROKER_FAULT:-vhost}
if [ $# -gt 0 ]; then SCENARIOS=("$@"); else SCENARIOS=(broker service gateway gateway-db gateway-empty); fi

HOST_DLL=$ROOT/services/Rectify.Host/bin/Release/net10.0/rectify.dll
CLI_DLL=$ROOT/cli/Rectify.Cli/bin/Release/net10.0/rectify-cli.dll
[ -f "$HOST_DLL" ] || dotnet build services/Rectify.Host -c Release -v q
[ -f "$CLI_DLL" ] || dotnet build cli/Rectify.Cli -c Release -v q

RUN=rf$(date +%s | tail -c 7)
WORK=$(mktemp -d "/tmp/rectify-faults-$RUN.XXXX")
echo "faults: run $RUN, logs in $WORK"

# --- PostgreSQL: RECTIFY_TEST_POSTGRES is an Npgsql connection string (Host=…;Port=…;Username=…;Password=…).
pg_field() { tr ';' '\n' <<<"$RECTIFY_TEST_POSTGRES" | awk -F= -v k="$1" 'tolower($1)==tolower(k){print $2}'; }
export PGHOST=$(pg_field Host) PGPORT=$(pg_field Port) PGUSER=$(pg_field Username) PGPASSWORD=$(pg_field Password)
db() { echo "rectify_${RUN}_$1"; }
sql() { psql -X -q -At -d "$(db "$1")" -c "$2"; }
sql_admin() { psql -X -q -At -d postgres -c "$1"; }

# --- RabbitMQ: a virtual host for this run, every process logs in as the test user.
AMQP=$RECTIFY_TEST_RABBITMQ
MQ_USER=$(sed -E 's#amqp://([^:]+):.*#\1#' <<<"$AMQP")
MQ_PASS=$(sed -E 's#amqp://[^:]+:([^@]+)@.*#\1#' <<<"$AMQP")
MQ_HOST=$(sed -E 's#amqp://[^@]+@([^:/]+).*#\1#' <<<"$AMQP")
MGMT="http://$MQ_HOST:15672/api"
VHOST=rectify-faults-$RUN
mq() { curl -fsS -u "$MQ_USER:$MQ_PASS" -H 'content-type: application/json' "$@"; }
ALL_PERMS='{"configure":".*","write":".*","read":".*"}'
mq -X PUT "$MGMT/vhosts/$VHOST" >/dev/null
mq -X PUT "$MGMT/permissions/$VHOST/$MQ_USER" -d "$ALL_PERMS" >/dev/null

# --- The issuer's key, shared by every process (they validate and mint with it; no identity process needed here).
KEY=$WORK/issuer.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEY" 2>/dev/null
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
mint_token() {
  local now; now=$(date +%s)
  local header payload
  header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"iss":"rectify","aud":"rectify","sub":"fault-script","org":"000000000000","role":"service","jti":"%s","iat":%d,"nbf":%d,"exp":%d}' \
    "$(openssl rand -hex 8)" "$now" "$((now - 60))" "$((now + 14400))" | b64url)
  printf '%s.%s.%s' "$header" "$payload" "$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$KEY" -binary | b64url)"
}
export RECTIFY_TOKEN; RECTIFY_TOKEN=$(mint_token)

# --- The services: organizations publishes the units, reporting and the gateway consume them; the gateway rebuilds
# its read model from organizations, assessment, measures and reporting when it starts empty.
declare -A PORT=([organizations]=5610 [reporting]=5620 [gateway]=5630 [assessment]=5640 [measures]=5650)
GATEWAY_URL=http://127.0.0.1:${PORT[gateway]}
export GATEWAY_URL
start() {
  local svc=$1 port=${PORT[$1]}
  env Rectify__Mode=Distributed Rectify__Services="$svc" Rectify__Storage__Provider=Postgres \
    "ConnectionStrings__$svc=$RECTIFY_TEST_POSTGRES;Database=$(db "$svc")" \
    Rectify__Bus__Transport=RabbitMq Rectify__Bus__RabbitMqUri="amqp://$MQ_USER:$MQ_PASS@$MQ_HOST:5672/$VHOST" \
    Rectify__Bus__Publishers__organizations="$MQ_USER" Rectify__Bus__Publishers__measures="$MQ_USER" \
    Rectify__Bus__Publishers__assessment="$MQ_USER" Rectify__Bus__Publishers__reporting="$MQ_USER" \
    Rectify__Auth__SigningKeyFile="$KEY" Rectify__GrpcUrl="http://127.0.0.1:$port" Rectify__HttpUrl="http://127.0.0.1:$((port + 1))" \
    Rectify__Endpoints__organizations="http://127.0.0.1:${PORT[organizations]}" Rectify__Endpoints__assessment="http://127.0.0.1:${PORT[assessment]}" \
    Rectify__Endpoints__measures="http://127.0.0.1:${PORT[measures]}" Rectify__Endpoints__reporting="http://127.0.0.1:${PORT[reporting]}" \
    Rectify__Reporting__ScheduleScans=false Rectify__Measures__ScheduleScans=false Rectify__Demo=false \
    Logging__LogLevel__Default=Warning \
    dotnet "$HOST_DLL" >>"$WORK/$svc.log" 2>&1 &
  echo $! >"$WORK/$svc.pid"
  disown $!  # killed on purpose: no "Killed" notice from the shell
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$((port + 1))/healthz" 2>/dev/null && return 0
    kill -0 "$(cat "$WORK/$svc.pid")" 2>/dev/null || { echo "faults: $svc died at start; see $WORK/$svc.log"; exit 1; }
    sleep 0.5
  done
  echo "faults: $svc did not become healthy; see $WORK/$svc.log"; exit 1
}
stop() { local pid; pid=$(cat "$WORK/$1.pid" 2>/dev/null || true); [ -n "$pid" ] && kill "-${2:-TERM}" "$pid" 2>/dev/null && while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; return 0; }

cleanup() {
  for s in "${!PORT[@]}"; do stop "$s" KILL; done
  [ -n "${WRITER:-}" ] && kill "$WRITER" 2>/dev/null || true
  if [ "${KEEP:-}" != 1 ]; then
    mq -X DELETE "$MGMT/vhosts/$VHOST" >/dev/null 2>&1 || true
    for s in "${!PORT[@]}"; do sql_admin "DROP DATABASE IF EXISTS \"$(db "$s")\" WITH (FORCE)" 2>/dev/null || true; done
  fi
}
trap cleanup EXIT

cli() { timeout 30 dotnet "$CLI_DLL" --server "http://127.0.0.1:${PORT[organizations]}" "$@"; }

# --- The writer: villages under the scenario's township, one after another, until the fault ends (at most WRITES);
# each acknowledged code is logged.
write_units() { # township_code file_prefix
  local twp=$1 out=$2 i code
  : >"$out.acked"; : >"$out.refused"
  for i in $(seq 1 "$WRITES"); do
    [ -f "$out.stop" ] && break
    code=${twp:0:9}$(printf '%03d' "$i")
    if cli unit-register "$code" "村$i" --parent "$twp" >/dev/null 2>>"$out.errors"; then echo "$code" >>"$out.acked"; else echo "$code" >>"$out.refused"; sleep 0.5; fi
  done
}

# --- Agreement: the service's units and the gateway's rm_units, as code lists.
service_units() { sql organizations "SELECT code FROM units ORDER BY code"; }
gateway_units() { sql gateway "SELECT code FROM rm_units ORDER BY code" 2>/dev/null; }
agree() { [ "$(service_units)" == "$(gateway_units)" ] && [ "$(sql organizations "SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL")" == 0 ]; }
error_queue_depth() { mq "$MGMT/queues/$VHOST" | python3 -c 'import json,sys; print(sum(q.get("messages",0) for q in json.load(sys.stdin) if q["name"].endswith("_error")))'; }

SEQ=100
report() { # scenario township fault_end_epoch
  local name=$1 twp=$2 fault_end=$3 out=$WORK/$1 recovered="" t0
  [ -n "${RECONCILE_CMD:-}" ] && { bash -c "$RECONCILE_CMD" >>"$WORK/reconcile.log" 2>&1 || echo "faults: RECONCILE_CMD failed (see reconcile.log)"; }
  t0=$(date +%s)
  while [ $(( $(date +%s) - t0 )) -lt "$RECOVERY_LIMIT" ]; do
    if agree; then recovered=$(( $(date +%s) - fault_end )); break; fi
    sleep 1
  done
  local acked refused lost_service lost_gateway phantom dup
  acked=$(wc -l <"$out.acked"); refused=$(wc -l <"$out.refused")
  service_units >"$out.service"; gateway_units >"$out.gateway" || : >"$out.gateway"
  lost_service=$(comm -23 <(sort "$out.acked") "$out.service" | wc -l)
  lost_gateway=$(comm -23 "$out.service" "$out.gateway" | wc -l)
  phantom=$(comm -13 "$out.service" "$out.gateway" | wc -l)
  # A write applied twice would be a second UnitRegistered for one code (the outbox keeps published rows 7 days).
  dup=$(sql organizations "SELECT COUNT(*) FROM (SELECT CAST(payload AS json)->>'code' FROM outbox_messages WHERE message_type LIKE '%UnitRegistered' GROUP BY 1 HAVING COUNT(*) > 1) d")
  local recovery="not within ${RECOVERY_LIMIT} s"; [ -n "$recovered" ] && recovery="$recovered s"
  printf '%-14s acknowledged %3d (refused %d)  lost %d (service %d, gateway %d)  duplicated %d  phantom %d  recovery %s  error queues %s\n' \
    "$name" "$acked" "$refused" $((lost_service + lost_gateway)) "$lost_service" "$lost_gateway" "$dup" "$phantom" \
    "$recovery" "$(error_queue_depth)" | tee -a "$WORK/summary.txt"
}

# --- One scenario: the writer starts, the fault begins after a few writes, ends, the writer finishes, then we count.
scenario() { # name begin_fn end_fn seconds
  local name=$1 begin=$2 end=$3 seconds=$4 twp
  SEQ=$((SEQ + 1)); twp=360731${SEQ}000
  cli unit-register "$twp" "镇$SEQ" --parent 360731000000 >/dev/null
  write_units "$twp" "$WORK/$name" & WRITER=$!
  sleep 3
  echo "faults: $name: fault for ${seconds} s"
  $begin
  sleep "$seconds"
  $end
  local fault_end; fault_end=$(date +%s)
  touch "$WORK/$name.stop"
  wait "$WRITER"; WRITER=""
  report "$name" "$twp" "$fault_end"
}

broker_down() {
  if [ "$BROKER_FAULT" == stop_app ]; then rabbitmqctl stop_app >/dev/null; return; fi
  mq -X DELETE "$MGMT/permissions/$VHOST/$MQ_USER" >/dev/null
  mq "$MGMT/vhosts/$VHOST/connections" | python3 -c 'import json,sys,urllib.parse; [print(urllib.parse.quote(c["name"], safe="")) for c in json.load(sys.stdin)]' |
    while read -r c; do mq -X DELETE "$MGMT/connections/$c" >/dev/null || true; done
}
broker_up() { if [ "$BROKER_FAULT" == stop_app ]; then rabbitmqctl start_app >/dev/null; else mq -X PUT "$MGMT/permissions/$VHOST/$MQ_USER" -d "$ALL_PERMS" >/dev/null; fi; }
service_down() { stop organizations KILL; }
service_up() { start organizations; }
gateway_down() { stop gateway KILL; }
gateway_up() { start gateway; }
gateway_db_down() {
  sql_admin "ALTER DATABASE \"$(db gateway)\" ALLOW_CONNECTIONS false" >/dev/null
  sql_admin "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$(db gateway)'" >/dev/null
}
gateway_db_up() { sql_admin "ALTER DATABASE \"$(db gateway)\" ALLOW_CONNECTIONS true" >/dev/null; }
gateway_emptied() { stop gateway TERM; sql_admin "DROP DATABASE IF EXISTS \"$(db gateway)\" WITH (FORCE)" >/dev/null; }
gateway_rebuilt() { start gateway; }

for s in organizations assessment measures reporting gateway; do start "$s"; done
cli unit-register 360000000000 江西省 >/dev/null
cli unit-register 360700000000 赣州市 --parent 360000000000 >/dev/null
cli unit-register 360731000000 于都县 --parent 360700000000 >/dev/null

for s in "${SCENARIOS[@]}"; do
  case $s in
    broker) scenario broker broker_down broker_up "$FAULT_SECONDS" ;;
    service) scenario service service_down service_up "$FAULT_SECONDS" ;;
    gateway) scenario gateway gateway_down gateway_up "$FAULT_SECONDS" ;;
    gateway-db) scenario gateway-db gateway_db_down gateway_db_up "$DB_REFUSED_SECONDS" ;;
    gateway-empty) scenario gateway-empty gateway_emptied gateway_rebuilt 5 ;;
    *) echo "faults: unknown scenario $s (broker service gateway gateway-db gateway-empty)"; exit 2 ;;
  esac
done
echo "faults: summary in $WORK/summary.txt"

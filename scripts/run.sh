#!/usr/bin/env bash
# Start the whole Greengrocer stack (the Procfile) with honcho, then seed the demo data once
# the broker answers, so the demo's picture Jobs go straight to the workers instead of
# waiting in the outbox for beat's sweeper. Ctrl-C (or SIGTERM to this script) stops it all.
#
# Redis: the stack runs its own on REDIS_PORT (default 6390, clear of a system Redis on 6379).
# Setting REDIS_URL beforehand is the explicit choice of another Redis: the Procfile's redis
# line is then left out and everything uses that one.
# Every port is checked before anything starts: a port in use stops here, with its variable.
set -euo pipefail
cd "$(dirname "$0")/.."
own_redis=true
[ -n "${REDIS_URL:-}" ] && own_redis=false
source scripts/stack_env.sh

busy=()
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
$own_redis && { port_free "$REDIS_PORT" || busy+=("$REDIS_PORT (REDIS_PORT, the stack's own Redis)"); }
port_free "$WEB_PORT" || busy+=("$WEB_PORT (WEB_PORT, the shop)")
port_free "$FLOWER_PORT" || busy+=("$FLOWER_PORT (FLOWER_PORT, Flower)")
port_free "$SMTP_PORT" || busy+=("$SMTP_PORT (SMTP_PORT, the mail sink)")
port_free "$SUPPLIER_PORT" || busy+=("$SUPPLIER_PORT (SUPPLIER_PORT, the supplier stub)")
port_free "$PROMETHEUS_PORT" || busy+=("$PROMETHEUS_PORT (PROMETHEUS_PORT, Prometheus)")
port_free "$ALERTMANAGER_PORT" || busy+=("$ALERTMANAGER_PORT (ALERTMANAGER_PORT, Alertmanager)")
for node in FAST MAIL BULK IO; do
    variable="WORKER_${node}_METRICS_PORT"
    port_free "${!variable}" || busy+=("${!variable} ($variable, worker-${node,,}'s metrics)")
done
if [ ${#busy[@]} -gt 0 ]; then
    echo "Not starting: another program listens on port ${busy[*]/%/;}" | sed 's/;$/./' >&2
    echo "Stop it, or move Greengrocer with the variable named, e.g. make run WEB_PORT=8010." >&2
    exit 1
fi

processes=$(sed -n 's/^\([a-z-]*\):.*/\1/p' Procfile)
if $own_redis; then
    redis_note="the stack's own, on port $REDIS_PORT (REDIS_PORT)"
else
    processes=$(grep -vx redis <<<"$processes")
    redis_note="yours: REDIS_URL is set, so the stack starts no Redis of its own"
fi
echo "Starting Greengrocer: $(echo $processes). Redis: $REDIS_URL, $redis_note."

# Ctrl-C reaches honcho from the terminal; SIGTERM to this script is passed on. A seed still
# running is stopped either way, and this script waits for honcho to stop every process.
stopping=false
seed_pid=""
honcho_pid=""
stop_seed() { stopping=true; [ -z "$seed_pid" ] || kill -TERM "$seed_pid" 2>/dev/null || true; }
trap stop_seed INT
trap 'stop_seed; [ -z "$honcho_pid" ] || kill -TERM "$honcho_pid" 2>/dev/null || true' TERM HUP
# shellcheck disable=SC2086  # one word per process name
honcho start -f Procfile $processes &
honcho_pid=$!

python manage.py seed_demo --wait-for-broker 60 &
seed_pid=$!
while kill -0 "$seed_pid" 2>/dev/null; do
    # A process that failed to start makes honcho stop them all, and it says why.
    kill -0 "$honcho_pid" 2>/dev/null || stop_seed
    sleep 0.5
done
seed_status=0
wait "$seed_pid" || seed_status=$?
seed_pid=""
if ! $stopping && kill -0 "$honcho_pid" 2>/dev/null; then
    if [ "$seed_status" -ne 0 ]; then
        echo "The demo data could not be seeded (see above); stopping the stack." >&2
        kill -TERM "$honcho_pid" 2>/dev/null || true
    else
        cat <<MSG

  Greengrocer is running. Ctrl-C stops everything.

    Shop          http://127.0.0.1:$WEB_PORT/
    Staff console http://127.0.0.1:$WEB_PORT/staff/
    REST API      http://127.0.0.1:$WEB_PORT/api/docs/   (OpenAPI: /api/schema/)
    Admin         http://127.0.0.1:$WEB_PORT/admin/
    Health        http://127.0.0.1:$WEB_PORT/healthz
    Flower        http://127.0.0.1:$FLOWER_PORT/         (login ${FLOWER_BASIC_AUTH%%:*} / ${FLOWER_BASIC_AUTH#*:})
    Mail sink     smtp://127.0.0.1:$SMTP_PORT            (messages in var/mail/)
    Supplier API  http://127.0.0.1:$SUPPLIER_PORT/
    Prometheus    http://127.0.0.1:$PROMETHEUS_PORT/      (alerts: /alerts; charts in the staff console)
    Alertmanager  http://127.0.0.1:$ALERTMANAGER_PORT/      (mails alerts to the Mailbox)
    Metrics       http://127.0.0.1:$WEB_PORT/metrics    (header "Authorization: Bearer ${METRICS_TOKEN}")
    Redis         $REDIS_URL

  Logins:  staff / ${DEMO_STAFF_PASSWORD}     shopper / ${DEMO_SHOPPER_PASSWORD}
  New demo pictures are with worker-bulk now; each appears in the shop when it is ready.

MSG
    fi
fi

# `wait` returns early when a trapped signal arrives: wait again until honcho has exited.
while true; do
    status=0
    wait "$honcho_pid" || status=$?
    kill -0 "$honcho_pid" 2>/dev/null || break
done
$stopping || [ "$seed_status" -eq 0 ] || exit 1
exit "$status"

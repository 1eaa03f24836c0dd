#!/usr/bin/env bash
# Start the whole Greengrocer stack (the Procfile) with honcho, then seed the demo data once
# the broker answers, so the demo's picture Jobs go straight to the workers instead of
# waiting in the outbox for beat's sweeper. Ctrl-C (or SIGTERM to this script) stops it all:
# the app first, the infrastructure once every app process has exited.
#
# Two honchos (deploy/procfile_start.py), one per group of Procfile lines: the
# infrastructure (INFRA_PROCESSES below) and the app (every other line). A stopping worker
# puts its unfinished messages back in Redis, so Redis must outlive the workers; honcho alone
# would SIGTERM every process at once and SIGKILL the workers 5 s later.
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

# Procfile lines that other processes need until they have stopped: started beside the app,
# stopped only after it. A service-like line added to the Procfile belongs here.
INFRA_PROCESSES=(redis smtp supplier)
infra=()
app=()
for name in $(sed -n 's/^\([a-z-]*\):.*/\1/p' Procfile); do
    if [[ " ${INFRA_PROCESSES[*]} " != *" $name "* ]]; then
        app+=("$name")
    elif [ "$name" != redis ] || $own_redis; then
        infra+=("$name")
    fi
done
if $own_redis; then
    redis_note="the stack's own, on port $REDIS_PORT (REDIS_PORT)"
else
    redis_note="yours: REDIS_URL is set, so the stack starts no Redis of its own"
fi
echo "Starting Greengrocer: ${app[*]}, on ${infra[*]}. Redis: $REDIS_URL, $redis_note."

# The honchos have sessions of their own: Ctrl-C from the terminal reaches this script (and a
# seed still running), which stops them in order. exit_status says why it stops: 130 after
# Ctrl-C, 143 after SIGTERM or SIGHUP (as honcho's own codes), 1 after a failed seed, else the
# status of the honcho that stopped by itself (one of its processes exited).
exit_status=""
seed_pid=""
stop_seed() { [ -z "$seed_pid" ] || kill -TERM "$seed_pid" 2>/dev/null || true; }
trap '[ -n "$exit_status" ] || exit_status=130; stop_seed' INT
trap '[ -n "$exit_status" ] || exit_status=143; stop_seed' TERM HUP
python deploy/procfile_start.py -f Procfile "${infra[@]}" &
infra_pid=$!
python deploy/procfile_start.py -f Procfile "${app[@]}" &
app_pid=$!
both_running() { kill -0 "$infra_pid" 2>/dev/null && kill -0 "$app_pid" 2>/dev/null; }

python manage.py seed_demo --wait-for-broker 60 &
seed_pid=$!
while kill -0 "$seed_pid" 2>/dev/null; do
    # A process that failed to start makes its honcho stop, and it says why.
    both_running || stop_seed
    sleep 0.5 || true  # a Ctrl-C ends the sleep too: the trap says what to do
done
seed_status=0
wait "$seed_pid" || seed_status=$?
seed_pid=""
if [ -z "$exit_status" ] && both_running; then
    if [ "$seed_status" -ne 0 ]; then
        echo "The demo data could not be seeded (see above); stopping the stack." >&2
        exit_status=1
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

while [ -z "$exit_status" ] && both_running; do sleep 0.5 || true; done

# SIGTERM one honcho, then wait until it has exited (`wait` returns early when a trapped signal
# arrives): honcho SIGTERMs its processes and SIGKILLs them only after the workers' stop time.
honcho_stop() {
    local status=0
    kill -TERM "$1" 2>/dev/null || true
    while true; do
        status=0
        wait "$1" || status=$?
        kill -0 "$1" 2>/dev/null || break
    done
    return "$status"
}
nonzero() { echo $(($1 == 0 ? 1 : $1)); }
if [ -z "$exit_status" ] && ! kill -0 "$infra_pid" 2>/dev/null; then
    echo "The infrastructure stopped (see above); stopping ${app[*]}." >&2
    infra_status=0
    honcho_stop "$infra_pid" || infra_status=$?
    exit_status=$(nonzero "$infra_status")
    honcho_stop "$app_pid" || true
else
    echo "Stopping ${app[*]} first (a busy worker takes its 20 s soft shutdown), then ${infra[*]}."
    app_status=0
    honcho_stop "$app_pid" || app_status=$?
    [ -n "$exit_status" ] || exit_status=$(nonzero "$app_status")
    honcho_stop "$infra_pid" || true
fi
exit "$exit_status"

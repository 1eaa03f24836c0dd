#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL cluster: initdb in a temp dir, a free
# port on 127.0.0.1, pytest with DATABASE_URL, then stop the cluster and delete it.
# Usage: scripts/test_postgres.sh [pytest args]   (default: every test but the e2e browser suite)
set -euo pipefail
cd "$(dirname "$0")/.."

find_pg_bin() {
    local initdb
    initdb=$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$initdb" ] && dirname "$(readlink -f "$initdb")"
}
PG_BIN=$(find_pg_bin || true)
if [ -z "$PG_BIN" ]; then
    # Debian's package keeps initdb and pg_ctl off the PATH, under /usr/lib/postgresql/N/bin.
    scripts/ensure_system_packages.sh pg_ctlcluster=postgresql
    PG_BIN=$(find_pg_bin)
fi

# PostgreSQL refuses to run as root: run the cluster as the postgres user then.
as_cluster_user=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    as_cluster_user=(runuser -u postgres --)
fi

CLUSTER_DIR=$(mktemp -d -t greengrocer-pg.XXXXXX)
chmod 755 "$CLUSTER_DIR"
[ ${#as_cluster_user[@]} -eq 0 ] || chown postgres "$CLUSTER_DIR"
PORT=$(.venv/bin/python -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")

stop_cluster() {
    "${as_cluster_user[@]}" "$PG_BIN/pg_ctl" stop -D "$CLUSTER_DIR/data" -m immediate >/dev/null 2>&1 || true
    rm -rf "$CLUSTER_DIR"
}
trap stop_cluster EXIT

echo "==> PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT in $CLUSTER_DIR"
"${as_cluster_user[@]}" "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" --username=greengrocer --auth=trust \
    --encoding=UTF8 --no-sync >/dev/null
# Durability is pointless for a throwaway test cluster; speed is not.
"${as_cluster_user[@]}" "$PG_BIN/pg_ctl" start -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/postgres.log" -w \
    -o "-p $PORT -k $CLUSTER_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { cat "$CLUSTER_DIR/postgres.log" >&2; exit 1; }
"$PG_BIN/createdb" --host=127.0.0.1 --port="$PORT" --username=greengrocer greengrocer

export DATABASE_URL="postgres://greengrocer@127.0.0.1:$PORT/greengrocer"
# pytest-django's live server runs each request in a new thread: persistent connections
# would pile up, one per request, until max_connections refuses the next.
export DATABASE_CONN_MAX_AGE=0
# tests/ops, tests/docs and tests/bench start `make run`, the README's stack or the bench on a
# checkout of their own, which always use SQLite: on this run they would repeat `make test`.
# The Sentinel failover test is about Redis, not the database: `make test` runs it.
if [ $# -eq 0 ]; then
    set -- -m "not e2e" --ignore=tests/ops --ignore=tests/docs --ignore=tests/bench --ignore=tests/reliability/test_sentinel_failover.py
fi
.venv/bin/python -m pytest "$@"

"""The database: SQLite embedded by default, or DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from .environment import VAR_DIR

# SQLite is the embedded default. WAL lets readers run beside the one writer, IMMEDIATE
# transactions take the write lock up front (no "database is locked" upgrade deadlocks
# between worker processes), and writers queue for up to `timeout` seconds instead of
# failing: SQLite's own wait is cut to 5 ms, after which shop.platform.sqlite retries every
# millisecond rather than SQLite's backoff of up to 100 ms between tries.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "db.sqlite3"))
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5;",
}
if os.environ.get("DATABASE_URL"):
    # Persistent connections suit gunicorn's long-lived threads and workers (which keep theirs
    # across tasks: shop.platform.jobs.celery_compat); a server that starts a thread per request (the
    # tests' live server) sets 0, or each thread keeps one.
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A host that drops off the network mid-transaction never closes its session (no FIN
        # reaches the server), so its row locks would block every other host for hours: the
        # server ends a session idle inside a transaction after this many seconds (above the
        # default hard time limit, 90 s: no task waits that long between two statements of a
        # transaction) and probes idle connections, so it notices a vanished client within a
        # minute (tests/hosts).
        idle_in_transaction_ms = int(
            float(os.environ.get("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "120")) * 1000
        )
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            options=f"-c idle_in_transaction_session_timeout={idle_in_transaction_ms} "
            "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3",
            # An unreachable address fails in seconds, not after the kernel's TCP retries.
            connect_timeout=int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")),
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "shop.platform.sqlite",
            "NAME": SQLITE_PATH,
            "OPTIONS": SQLITE_OPTIONS,
            # Web processes keep their connection (gunicorn's threads; opening one and its
            # PRAGMAs cost ~2 ms per request). Workers: WORKER_DATABASE_CONN_MAX_AGE below.
            "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            # A file, not :memory:, so worker subprocesses in the tests share it; one per
            # test run, so runs side by side do not collide.
            "TEST": {
                "NAME": os.environ.get(
                    "SQLITE_TEST_PATH", str(VAR_DIR / "tests" / f"test-{os.getpid()}.sqlite3")
                )
            },
        }
    }
# Seconds a Celery worker keeps a connection across tasks (shop.platform.jobs.celery_compat's fixup);
# unset: as the web (CONN_MAX_AGE).
WORKER_DATABASE_CONN_MAX_AGE = (
    int(os.environ["WORKER_DATABASE_CONN_MAX_AGE"])
    if os.environ.get("WORKER_DATABASE_CONN_MAX_AGE")
    else None
)

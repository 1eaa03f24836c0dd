"""Redis: broker (db 0), results (db 1), locks and rate limits (db 2), or behind Sentinels."""

from __future__ import annotations

import os

from .environment import env_list

# 6390: the port of `make run`'s own Redis (scripts/stack_env.sh), clear of a system Redis on 6379.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390").rstrip("/")


# REDIS_SENTINELS ("host:port,host:port,...") puts all three behind Redis Sentinel instead:
# the broker, the results and the locks ask the Sentinels for the current master of
# REDIS_SENTINEL_MASTER and follow it when a replica is promoted (shop/platform/coordination.py).
REDIS_SENTINELS = env_list("REDIS_SENTINELS", "")
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER", "greengrocer")


def redis_db_url(base: str, db: int) -> str:
    if REDIS_SENTINELS:
        return ";".join(f"sentinel://{address}/{db}" for address in REDIS_SENTINELS)
    return f"{base}/{db}"


# kombu's and Celery's Sentinel clients: the master's name, and short timeouts toward the
# Sentinels, so that a set-up with no reachable master fails in seconds (/healthz says so).
REDIS_SENTINEL_TRANSPORT_OPTIONS = (
    {
        "master_name": REDIS_SENTINEL_MASTER,
        "sentinel_kwargs": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
    if REDIS_SENTINELS
    else {}
)
CELERY_BROKER_URL = redis_db_url(REDIS_URL, 0)
RESULT_BACKEND_CLASS = (
    f"shop.platform.result_backend:{'Sentinel' if REDIS_SENTINELS else 'Redis'}ResultBackend"
)
CELERY_RESULT_BACKEND = f"{RESULT_BACKEND_CLASS}+{redis_db_url(REDIS_URL, 1)}"
COORDINATION_REDIS_URL = redis_db_url(REDIS_URL, 2)
# The rest of the Celery configuration lives in shop/celery.py, in one place.

"""GET /healthz — database, broker and a ping of each worker: 200, or 503 with the detail."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shop.celery import app


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        detail = check()
        ok = True
    except Exception as exc:
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1), "detail": detail}


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def broker_ping() -> str:
    """Ping the broker's Redis: "pong", or the exception (seed_demo --wait-for-broker waits on it)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "pong"


def _workers() -> dict:
    # A new connection each time: a pooled one that predates a Redis restart fails once.
    with app.connection_for_write() as broker:
        replies = app.control.ping(timeout=1.0, connection=broker)
    answered = sorted(name for reply in replies for name in reply)
    expected = settings.HEALTH_EXPECTED_WORKERS
    missing = [p for p in expected if not any(n.startswith(f"{p}@") for n in answered)]
    if missing or not answered:
        raise RuntimeError(f"no answer from {missing or 'any worker'}; answered: {answered}")
    return {"answered": answered}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _timed(_database), "broker": _timed(broker_ping)}
    if checks["broker"]["ok"]:
        checks["workers"] = _timed(_workers)
    else:
        checks["workers"] = {"ok": False, "ms": 0, "detail": "skipped: broker unreachable"}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )

"""GET /healthz — database, broker and a ping of each worker: 200, or 503 with the detail.

And a worker's preflight: before a worker consumes anything it must reach the database and
the broker; a host given a wrong URL exits with the reason instead (worker_init below).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from celery import signals
from celery.apps.worker import Worker as CommandLineWorker
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shop.celery import app
from shop.platform.coordination import redis_connect


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
    client = redis_connect(url=settings.CELERY_BROKER_URL, db=0, timeout=1, fail_fast=True)
    try:
        client.ping()
    finally:
        client.close()
    return "pong"


def redacted(url: str) -> str:
    """A URL fit for a log line: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _database_address() -> str:
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user = f"{database.get('USER')}@" if database.get("USER") else ""
    return f"{connection.vendor}://{user}{database.get('HOST') or 'localhost'}:{database.get('PORT') or ''}/{database['NAME']}"


def preflight_failures(*, patience: float) -> list[str]:
    """What a worker cannot reach ("cannot reach the database at …: reason"), after trying
    for `patience` seconds ([] as soon as both answer), so a worker started beside its
    Redis or PostgreSQL waits for them instead of failing."""
    deadline = time.monotonic() + patience
    while True:
        failures = []
        for what, address, check in (("database", _database_address(), _database),
                                     ("broker", redacted(settings.CELERY_BROKER_URL), broker_ping)):  # fmt: skip
            try:
                check()
            except Exception as exc:
                failures.append(f"cannot reach the {what} at {address}: {type(exc).__name__}: {exc}".strip())
        connection.close()  # pool children must not share this process's connection
        if not failures or time.monotonic() >= deadline:
            return failures
        time.sleep(1)


@signals.worker_init.connect
def _worker_preflight(sender=None, **kwargs) -> None:
    """Exit (status 1) before consuming when the database or the broker cannot be reached.

    Only a `celery worker` process: an embedded worker (the tests' in-thread one) has its
    host's connections already."""
    if not isinstance(sender, CommandLineWorker):
        return
    failures = preflight_failures(patience=float(os.environ.get("WORKER_PREFLIGHT_SECONDS", "30")))
    for failure in failures:
        logging.getLogger(__name__).critical("worker preflight: %s", failure)
        print(f"worker preflight failed: {failure}", file=sys.stderr, flush=True)
    if failures:
        raise SystemExit(1)


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

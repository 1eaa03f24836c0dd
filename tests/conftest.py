"""Session-wide real parts: a redis-server on a free port, temp media and mail folders,
and a real Celery worker (in a thread, consuming every queue) for tests that ask for it.

Tests that need the worker take the `worker` fixture: it gives them a transactional
database (the worker must see committed rows) and clean queues.
"""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

import pytest
from django.conf import settings
from redis.exceptions import RedisError

from shop.celery import app
from shop.platform.coordination import redis_client
from shop.platform.jobs.celery_compat import broker_pool_reset, worker_busy
from shop.platform.queues.selectors import queue_depths
from shop.platform.throttling import BUCKET_PREFIX as THROTTLE_BUCKET_PREFIX

from .harness import tasks as _test_tasks  # noqa: F401  (the tests' own tasks, registered here)
from .harness.jobs import wait_until
from .harness.processes import RedisServer
from .harness.session_worker import SessionWorker

if "TEST" in settings.DATABASES["default"] and settings.DATABASES["default"]["TEST"].get("NAME"):
    Path(settings.DATABASES["default"]["TEST"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def _point_at_redis(url: str) -> None:
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = f"{url}/0"
    settings.CELERY_RESULT_BACKEND = f"{settings.RESULT_BACKEND_CLASS}+{url}/1"
    settings.COORDINATION_REDIS_URL = f"{url}/2"
    app.conf.update(broker_url=settings.CELERY_BROKER_URL, result_backend=settings.CELERY_RESULT_BACKEND)
    broker_pool_reset(app)


@pytest.fixture(scope="session", autouse=True)
def redis_server(tmp_path_factory):
    """Every test talks to this Redis, never to one a developer may have running."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    _point_at_redis(server.url)
    yield server
    # AsyncResults unsubscribe from their result channel when collected: let that happen
    # while Redis is still up, or the backend retries against a dead server at exit.
    gc.collect()
    app.backend.result_consumer.stop()
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _isolated_files(tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.MAIL_SINK_DIR = tmp_path_factory.mktemp("mail")


def purge_broker() -> None:
    """Drop queued messages, results, locks and rate-limit buckets between tests."""
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()
    app.backend.client.flushdb()
    redis_client().flushdb()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(redis_server):
    """Each test starts with the API's rate limits unused, as a new client would.

    Every test client calls from 127.0.0.1, so without this the whole session would share
    one anonymous allowance. The limits themselves stay at their configured rates.
    """
    with contextlib.suppress(RedisError):
        client = redis_client()
        keys = list(client.scan_iter(f"{THROTTLE_BUCKET_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(scope="session")
def celery_session_worker(redis_server):
    """One in-thread worker (solo pool) on every queue, for the whole session."""
    session_worker = SessionWorker().start()
    yield session_worker
    session_worker.stop()


def _worker_idle() -> bool:
    try:
        depths, unacked = queue_depths()
    except RedisError:
        return True  # The test left Redis down: nothing can still be running against it.
    waiting = unacked or any(depth.total for depth in depths)
    return not (waiting or worker_busy())


@pytest.fixture
def worker(celery_session_worker, transactional_db):
    """A real worker on every queue, a committed-transaction database and empty queues.

    At the end it waits (up to 30 s) until nothing is queued, held or running before it
    purges: a retry the worker still holds would otherwise be restored into the next test,
    or be in flight when that test stops Redis.
    """
    controller = celery_session_worker.ready()
    purge_broker()
    yield controller
    # If something the test started is still retrying after 30 s, the purge drops it.
    with contextlib.suppress(TimeoutError):
        wait_until(_worker_idle, timeout=30, interval=0.1, message="worker idle")
    purge_broker()


@pytest.fixture(scope="session")
def _supplier_stub_server(tmp_path_factory):
    from .harness.supplier import SupplierStub

    stub = SupplierStub(log_path=tmp_path_factory.mktemp("supplier") / "stub.log").start()
    yield stub
    stub.stop()


@pytest.fixture
def supplier_stub(_supplier_stub_server, settings):
    """The real supplier stub (300 products, 50 a page, version 0, no faults) that
    settings.SUPPLIER_API_URL points at; reset before each test. Change it with
    `supplier_stub.control(...)`; compare with `supplier_stub.catalog()`."""
    _supplier_stub_server.reset()
    settings.SUPPLIER_API_URL = _supplier_stub_server.url
    return _supplier_stub_server


@pytest.fixture(scope="session")
def smtp_sink(tmp_path_factory, _isolated_files):
    """The real SMTP sink (devservers.smtp_sink) in a subprocess on a free port.

    Points settings.EMAIL_HOST / EMAIL_PORT / MAIL_SINK_DIR at it for the whole session, so
    mail sent by this process and its in-thread worker lands there. Recipients named
    `refused-*` get a 550, `slow-*` a one-time stall: see tests/harness/mail.py.
    """
    from .harness.mail import SmtpSink

    sink = SmtpSink(tmp_path_factory.mktemp("smtp-sink") / "mail").start()
    # Django's test setup switches to the in-memory backend; mail must go over SMTP here.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.MAIL_SINK_DIR = sink.directory
    yield sink
    sink.stop()


@pytest.fixture
def mailbox(smtp_sink):
    """The session's SMTP sink, emptied for this test."""
    smtp_sink.clear()
    return smtp_sink

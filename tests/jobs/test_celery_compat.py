"""shop.platform.jobs.celery_compat relies on Celery's and kombu's internals: each test fails, naming
the installed versions, when an upgrade no longer has what the module uses."""

from __future__ import annotations

import copy
import inspect
import time
import uuid
from collections.abc import Set

import celery
import kombu
import pytest
from celery.backends.redis import RedisBackend
from celery.fixups.django import DjangoFixup, DjangoWorkerFixup
from celery.worker import state as worker_state
from celery.worker.request import Request
from django.db import connection
from kombu import Exchange, Queue
from kombu.utils.imports import symbol_by_name

from shop.celery import app
from shop.platform.jobs import celery_compat
from shop.platform.jobs.tasks import demo_square

VERSIONS = f"Celery {celery.__version__} / kombu {kombu.__version__}"


def requires(condition: object, what: str) -> None:
    assert condition, f"{VERSIONS} no longer has what shop/platform/jobs/celery_compat.py relies on: {what}"


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_worker_request_still_announces_cancellation_as_the_override_expects():
    requires(
        parameters(Request._announce_cancelled) == ["self", "emit_retry"],
        "Request._announce_cancelled(emit_retry)",
    )
    source = inspect.getsource(Request._announce_cancelled)
    requires("_already_cancelled = True" in source, "Request._announce_cancelled sets _already_cancelled")
    requires(app.tasks[demo_square.name].Request is celery_compat.ConnectionLossSafeRequest, "Task.Request")


def test_the_redis_backend_still_subscribes_through_the_two_overridden_methods():
    requires(
        parameters(RedisBackend.on_task_call) == ["self", "producer", "task_id"], "RedisBackend.on_task_call"
    )
    requires(
        parameters(RedisBackend._add_pending_result) == ["self", "task_id", "result", "weak"],
        "AsyncBackendMixin._add_pending_result(task_id, result, weak)",
    )
    requires(
        isinstance(app.backend, celery_compat.SwitchableFollowingRedisBackend), "the result backend class"
    )


def test_the_shop_fixup_replaces_celerys_and_keeps_connections_only_while_django_would(transactional_db):
    requires(
        any(isinstance(f, celery_compat.PersistentConnectionsDjangoFixup) for f in app._fixups), "app._fixups"
    )
    requires(isinstance(DjangoFixup.__dict__.get("worker_fixup"), property), "DjangoFixup.worker_fixup")
    for hook in (
        "close_database",
        "_close_database",
        "on_task_prerun",
        "on_task_postrun",
        "on_worker_process_init",
    ):
        requires(callable(getattr(DjangoWorkerFixup, hook, None)), f"DjangoWorkerFixup.{hook}")
    fixup = celery_compat.PersistentConnectionsWorkerFixup(app)
    connection.close()  # a fresh one, kept for a minute (as CONN_MAX_AGE=60 would)
    connection.ensure_connection()
    connection.close_at = time.monotonic() + 60
    kept = connection.connection

    fixup.on_task_prerun(sender=demo_square)
    fixup.on_task_postrun(sender=demo_square)
    requires(connection.connection is kept, "on_task_prerun/postrun go through close_database")

    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    fixup.on_task_postrun(sender=demo_square)
    assert connection.connection is None

    connection.ensure_connection()
    fixup.on_worker_process_init()
    requires(connection.connection is None, "on_worker_process_init closes inherited connections")


def test_workers_keep_connections_as_long_as_their_own_setting_says(settings):
    settings.DATABASES = copy.deepcopy(settings.DATABASES)  # the fixup writes into it
    ages = lambda: {alias: db["CONN_MAX_AGE"] for alias, db in settings.DATABASES.items()}  # noqa: E731
    web = ages()

    settings.WORKER_DATABASE_CONN_MAX_AGE = None
    celery_compat.worker_connection_age_apply(settings)
    assert ages() == web

    settings.WORKER_DATABASE_CONN_MAX_AGE = 7
    celery_compat.worker_connection_age_apply(settings)
    assert ages() == {alias: 7 for alias in web}


def test_kombu_still_keeps_priorities_and_unacked_messages_under_the_keys_the_selectors_read(redis_server):
    queue = Queue(f"compat-{uuid.uuid4().hex[:8]}", Exchange("compat"), routing_key="compat")
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        try:
            producer = conn.Producer()
            for priority in (0, 4):
                producer.publish({"n": priority}, exchange=queue.exchange, routing_key="compat", declare=[queue],
                                 priority=priority, serializer="json")  # fmt: skip
            for priority in (0, 4):
                key = celery_compat.redis_priority_key(queue.name, priority)
                requires(client.llen(key) == 1, f"kombu's Redis list {key!r} for priority {priority}")

            simple = conn.SimpleQueue(queue)
            message = simple.get(timeout=5)
            requires(
                client.hexists(celery_compat.REDIS_UNACKED_KEY, message.delivery_tag), "the unacked hash"
            )
            message.ack()
            simple.close()
        finally:
            keys = client.keys(f"{queue.name}*")
            if keys:
                client.delete(*keys)


def test_the_app_and_worker_state_the_tests_reset_and_read_are_still_there():
    requires(hasattr(app, "_pool"), "Celery._pool")
    requires(
        app.backend is app._local.__dict__.get("backend"), "Celery._local.backend caches the result backend"
    )
    for name in ("active_requests", "reserved_requests"):
        requires(isinstance(getattr(worker_state, name, None), Set), f"celery.worker.state.{name}")


@pytest.mark.parametrize("name", ["sep", "unacked_key"])
def test_kombu_redis_channel_still_names_its_keys_as_class_attributes(name):
    from kombu.transport.redis import Channel

    requires(isinstance(getattr(Channel, name, None), str), f"kombu.transport.redis.Channel.{name}")


def test_the_threads_pool_and_worker_still_have_what_the_cold_shutdown_step_replaces():
    from celery.apps.worker import Worker
    from celery.concurrency.thread import TaskPool as ThreadTaskPool

    requires(hasattr(ThreadTaskPool, "terminate_job"), "celery.concurrency.thread.TaskPool.terminate_job")
    requires(hasattr(Worker, "wait_for_soft_shutdown"), "WorkController.wait_for_soft_shutdown")
    requires(
        hasattr(worker_state, "should_stop") and hasattr(worker_state, "should_terminate"),
        "celery.worker.state.should_stop / should_terminate",
    )
    # A worker that started in this process has already turned the names into classes.
    required = {symbol_by_name(step) for step in celery_compat.ThreadsPoolShutdown.requires}
    requires(
        required <= {symbol_by_name(step) for step in Worker.Blueprint.default_steps},
        "the worker blueprint's Pool step that ThreadsPoolShutdown requires",
    )

"""The Celery topology is declared once and holds together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shop.celery import (
    BULK_QUEUES,
    FAST_QUEUES,
    QUEUE_NAMES,
    TASK_ROUTES,
    Priority,
    app,
    broker_priority,
    priority_from_broker,
)

ROOT = Path(__file__).resolve().parents[2]


def procfile_worker_queues() -> dict[str, set[str]]:
    workers = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if " worker" in command:
            match = re.search(r"--queues[= ](\S+)|-Q (\S+)", command)
            workers[name.strip()] = set((match.group(1) or match.group(2)).split(","))
    return workers


def test_every_routed_queue_is_declared_and_consumed_by_a_procfile_worker():
    consumed = set().union(*procfile_worker_queues().values())
    routed = {route["queue"] for route in TASK_ROUTES.values()}
    declared = {q.name for q in app.conf.task_queues}

    assert routed <= declared
    assert declared == set(QUEUE_NAMES)
    assert declared <= consumed, f"queues nobody consumes: {declared - consumed}"
    assert app.conf.task_default_queue in consumed


def test_procfile_workers_split_fast_and_bulk_work():
    workers = procfile_worker_queues()
    assert workers["worker-fast"] == set(FAST_QUEUES)
    assert workers["worker-bulk"] == set(BULK_QUEUES)


def test_every_registered_task_routes_to_a_declared_queue():
    app.loader.import_default_modules()
    declared = set(QUEUE_NAMES)
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert ours, "no tasks registered"
    for name in ours:
        queue = app.amqp.router.route({}, name)["queue"]
        assert queue.name in declared, f"{name} routes to {queue.name}"


def test_undeclared_queues_are_refused_not_created():
    assert app.conf.task_create_missing_queues is False
    with pytest.raises(Exception, match="nowhere"):
        app.amqp.router.route({"queue": "nowhere"}, "shop.jobs.tasks.demo_square")


def test_priorities_are_semantic_and_hide_the_brokers_direction():
    redis_values = [broker_priority(p, broker_url="redis://x") for p in Priority]
    amqp_values = [broker_priority(p, broker_url="amqp://x") for p in Priority]

    assert redis_values == sorted(redis_values)  # Redis: 0 is served first
    assert amqp_values == sorted(amqp_values, reverse=True)  # RabbitMQ: 9 is served first
    assert broker_priority(Priority.CRITICAL, broker_url="redis://x") == 0
    assert broker_priority(Priority.BULK, broker_url="redis://x") == 9
    assert all(priority_from_broker(broker_priority(p)) is p for p in Priority)
    assert app.conf.task_default_priority == broker_priority(Priority.NORMAL)


def test_redis_transport_has_ten_priority_steps_and_a_long_visibility_timeout():
    options = app.conf.broker_transport_options
    assert options["priority_steps"] == list(range(10))
    assert options["queue_order_strategy"] == "priority"
    assert "sep" not in options  # a custom separator breaks inspect and Flower
    assert options["visibility_timeout"] > 15 * 60 + 10 * 60
    assert app.conf.result_backend_transport_options["visibility_timeout"] == options["visibility_timeout"]


def test_reliability_settings():
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.broker_connection_retry_on_startup is True
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.worker_send_task_events and conf.task_send_sent_event
    assert conf.result_expires


def test_every_task_has_a_soft_limit_below_its_hard_limit():
    app.loader.import_default_modules()
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name

"""The Celery topology is declared once and holds together."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings

from shop.celery import (
    QUEUE_NAMES,
    TASK_ROUTES,
    WORKER_ROLES,
    Priority,
    app,
    broker_priority,
    priority_from_broker,
)

ROOT = Path(__file__).resolve().parents[2]


def procfile_workers() -> dict[str, str]:
    workers = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if " worker " in command:
            workers[name.strip()] = command
    return workers


def option(command: str, name: str) -> str:
    (value,) = re.findall(rf"--{name}=(\S+)", command)
    return value


def test_every_routed_queue_is_declared_and_consumed_by_a_procfile_worker():
    consumed = {
        queue for command in procfile_workers().values() for queue in option(command, "queues").split(",")
    }
    routed = {route["queue"] for route in TASK_ROUTES.values()}
    declared = {q.name for q in app.conf.task_queues}

    assert routed <= declared
    assert declared == set(QUEUE_NAMES)
    assert declared <= consumed, f"queues nobody consumes: {declared - consumed}"
    assert app.conf.task_default_queue in consumed


def test_procfile_workers_are_the_worker_roles_with_their_queues_pools_and_nodes():
    workers = procfile_workers()
    assert set(workers) == set(WORKER_ROLES)
    for name, role in WORKER_ROLES.items():
        assert option(workers[name], "queues").split(",") == list(role.queues), name
        assert option(workers[name], "pool") == role.pool, name
        assert option(workers[name], "hostname") == f"{role.node}@%h", name
    every_queue = [queue for role in WORKER_ROLES.values() for queue in role.queues]
    assert sorted(every_queue) == sorted(QUEUE_NAMES), "each queue has exactly one worker"
    assert [role.node for role in WORKER_ROLES.values()] == settings.HEALTH_EXPECTED_WORKERS


def test_checkout_and_mail_never_share_a_worker_with_bulk_work():
    by_queue = {queue: name for name, role in WORKER_ROLES.items() for queue in role.queues}
    assert by_queue["orders"] != by_queue["mail"]
    for urgent in ("orders", "mail"):
        (urgent_only,) = [role.queues for role in WORKER_ROLES.values() if urgent in role.queues]
        assert urgent_only == (urgent,)


def test_cpu_work_runs_in_processes_and_network_work_in_threads():
    by_queue = {queue: role.pool for role in WORKER_ROLES.values() for queue in role.queues}
    assert {by_queue[q] for q in ("orders", "images", "reports", "sync")} == {"prefork"}
    assert {by_queue[q] for q in ("mail", "bulk")} == {"threads"}


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
        app.amqp.router.route({"queue": "nowhere"}, "jobs.demo_square")


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
    # Task events cost every task; a monitor switches them on (tests/ops/test_flower.py).
    assert not conf.worker_send_task_events and not conf.task_send_sent_event
    assert conf.result_expires


def test_every_task_has_a_soft_limit_below_its_hard_limit():
    app.loader.import_default_modules()
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name


def test_threads_workers_enforce_no_time_limits_so_every_network_call_has_its_own_timeout():
    """Celery's threads pool ignores soft and hard time limits: a hung SMTP server would hold
    a thread for ever. Each network client on those queues must time out by
    itself, well within the soft limit its task declares (which only prefork would enforce)."""
    from django.core.mail import get_connection

    from shop.platform.coordination import redis_client

    smtp_timeout = get_connection("django.core.mail.backends.smtp.EmailBackend").timeout
    redis_timeout = redis_client().connection_pool.connection_kwargs["socket_timeout"]
    assert smtp_timeout == settings.EMAIL_TIMEOUT and smtp_timeout > 0
    assert redis_timeout > 0

    app.loader.import_default_modules()
    threaded = {queue for role in WORKER_ROLES.values() if role.pool == "threads" for queue in role.queues}
    on_threads = [
        task
        for name, task in app.tasks.items()
        if not name.startswith("celery.") and app.amqp.router.route({}, name)["queue"].name in threaded
    ]
    assert on_threads
    longest_single_call = max(smtp_timeout, redis_timeout)
    for task in on_threads:
        assert longest_single_call < (task.soft_time_limit or app.conf.task_soft_time_limit), task.name


def test_a_campaign_batch_on_threads_ends_each_run_within_its_soft_limit():
    """worker-io's threads pool enforces neither of the batch's limits: the batch ends its own
    run after BATCH_RUN_SECONDS; the send under way then takes at most a rate-limit wait and
    an SMTP socket timeout (per operation), still inside the soft limit prefork would enforce."""
    from notifications.sending import RATE_LIMIT_WAIT_SECONDS
    from notifications.tasks import BATCH_RUN_SECONDS, campaign_batch_send

    queue = app.amqp.router.route({}, campaign_batch_send.name)["queue"].name
    (pool,) = [role.pool for role in WORKER_ROLES.values() if queue in role.queues]
    assert pool == "threads"
    longest_send = RATE_LIMIT_WAIT_SECONDS + 4 * settings.EMAIL_TIMEOUT  # MAIL, RCPT, DATA, the message
    assert BATCH_RUN_SECONDS + longest_send < campaign_batch_send.soft_time_limit


def test_workers_stop_threads_tasks_cooperatively_on_a_cold_shutdown():
    from shop.platform.jobs.celery_compat import ThreadsPoolShutdown

    assert ThreadsPoolShutdown in app.steps["worker"]
    assert app.conf.worker_soft_shutdown_timeout > 0


def test_later_steps_go_ahead_within_their_band_and_never_reach_the_band_above():
    bands = list(Priority)  # most urgent first
    for more_urgent, less_urgent in itertools.pairwise(bands):
        # However far along, a less urgent workflow's step waits behind a more urgent first step.
        assert broker_priority(more_urgent, broker_url="redis://x") < min(
            broker_priority(less_urgent, broker_url="redis://x", position=n) for n in range(5)
        )
        assert broker_priority(more_urgent, broker_url="amqp://x") > max(
            broker_priority(less_urgent, broker_url="amqp://x", position=n) for n in range(5)
        )
    assert broker_priority(Priority.HIGH, broker_url="redis://x", position=1) == 1
    assert broker_priority(Priority.BULK, broker_url="redis://x", position=4) == 7
    assert broker_priority(Priority.CRITICAL, broker_url="redis://x", position=3) == 0
    assert all(priority_from_broker(broker_priority(p, position=n)) is p for p in Priority for n in range(4))

"""A worker host given a wrong database or broker URL says so and exits before consuming."""

from __future__ import annotations

import subprocess

from shop.celery import app
from shop.platform.health import redacted
from shop.platform.queues.selectors import queue_depths
from tests.conftest import purge_broker
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.processes import WorkerProcess, free_port, stack_env


def _run_worker(env: dict[str, str], tmp_path) -> tuple[int, str]:
    log = tmp_path / "worker.log"
    worker = WorkerProcess(queues=["orders"], name="preflight", env=env, log_path=log)
    worker.start(wait=False)
    try:
        code = worker.process.wait(60)
    except subprocess.TimeoutExpired:
        worker.kill_all()
        raise AssertionError(f"the worker kept running:\n{log.read_text()}") from None
    return code, log.read_text()


def _orders_waiting() -> int:
    depths, _unacked = queue_depths()
    return next(depth.total for depth in depths if depth.queue == "orders")


def test_a_worker_that_cannot_reach_the_database_exits_without_consuming(worker, tmp_path):
    port = free_port()  # nothing listens there
    env = stack_env(
        DATABASE_URL=f"postgres://shop:s3cret@127.0.0.1:{port}/greengrocer", WORKER_PREFLIGHT_SECONDS="2"
    )
    with in_thread_worker_steps_aside(worker, ["orders"]):
        app.send_task("shop.orders.tasks.charge_payment_task", args=[0], queue="orders")
        assert _orders_waiting() == 1

        code, log = _run_worker(env, tmp_path)
        waiting_after = _orders_waiting()
        purge_broker()  # the message was a probe: no order behind it

    assert code == 1
    assert (
        f"worker preflight failed: cannot reach the database at postgresql://shop@127.0.0.1:{port}/greengrocer"
        in log
    )
    assert "s3cret" not in log
    assert waiting_after == 1  # still there: the worker never consumed it


def test_a_worker_that_cannot_reach_the_broker_exits_and_says_where_it_looked(worker, tmp_path):
    port = free_port()
    env = stack_env(REDIS_URL=f"redis://:hunter2@127.0.0.1:{port}", WORKER_PREFLIGHT_SECONDS="2")

    code, log = _run_worker(env, tmp_path)

    assert code == 1
    assert f"worker preflight failed: cannot reach the broker at redis://:***@127.0.0.1:{port}/0" in log
    assert "hunter2" not in log


def test_redacted_hides_only_the_password():
    assert redacted("redis://:pw@core:6379/0") == "redis://:***@core:6379/0"
    assert redacted("postgres://shop:pw@db/x") == "postgres://shop:***@db/x"
    assert redacted("redis://core:6379/0") == "redis://core:6379/0"

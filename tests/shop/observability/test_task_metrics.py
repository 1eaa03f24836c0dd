"""Task metrics: what workers did, per task and queue, prefork children included."""

from __future__ import annotations

import requests
from prometheus_client import REGISTRY, generate_latest

from shop.platform.jobs.tasks import demo_explode, demo_flaky, demo_square
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_until
from tests.harness.processes import WorkerProcess, free_port, stack_env
from tests.harness.tasks import demo_pause

from .scrape import value

SQUARE = {"task": "jobs.demo_square", "queue": "default"}
FLAKY = {"task": "jobs.demo_flaky", "queue": "default"}
PAUSE = {"task": "tests.demo_pause", "queue": "default"}
EXPLODE = {"task": "jobs.demo_explode", "queue": "default"}


def local(name: str, **labels: str) -> float:
    return value(generate_latest(REGISTRY).decode(), name, **labels)


def test_started_succeeded_retried_failed_and_timed_per_task_and_queue(worker):
    before = {
        "started": local("greengrocer_celery_tasks_started_total", **SQUARE),
        "waits": local("greengrocer_celery_task_queue_wait_seconds_count", **SQUARE),
        "runs": local("greengrocer_celery_task_runtime_seconds_count", **SQUARE),
        "retried": local("greengrocer_celery_tasks_retried_total", **FLAKY),
        "flaky_ok": local("greengrocer_celery_tasks_succeeded_total", **FLAKY),
        "failed": local("greengrocer_celery_tasks_failed_total", **EXPLODE),
    }
    for n in range(3):
        demo_square.delay(number=n)
    demo_flaky.delay(number=2, failures=2)
    demo_explode.delay(value=1)

    wait_until(lambda: local("greengrocer_celery_tasks_succeeded_total", **FLAKY) > before["flaky_ok"],
               timeout=30, message="the flaky task succeeded")  # fmt: skip
    wait_until(lambda: local("greengrocer_celery_tasks_failed_total", **EXPLODE) > before["failed"],
               timeout=30, message="the exploding task failed")  # fmt: skip
    wait_until(lambda: local("greengrocer_celery_task_runtime_seconds_count", **SQUARE) >= before["runs"] + 3,
               timeout=30, message="three squares ran")  # fmt: skip
    assert local("greengrocer_celery_tasks_started_total", **SQUARE) == before["started"] + 3
    assert local("greengrocer_celery_task_queue_wait_seconds_count", **SQUARE) == before["waits"] + 3
    assert local("greengrocer_celery_tasks_retried_total", **FLAKY) == before["retried"] + 2


def test_a_prefork_workers_exporter_adds_up_its_children(worker, tmp_path):
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = stack_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"), WORKER_METRICS_PORT=str(port))
    process = WorkerProcess(queues=["default"], concurrency=2, env=env, log_path=tmp_path / "worker.log")
    try:
        with in_thread_worker_steps_aside(worker, ["default"]):
            process.start()
            # Pauses overlap, so both children take some: the parent must add up two files.
            for n in range(6):
                demo_pause.delay(value=n, seconds=0.3)

            def exported() -> str:
                return requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text

            wait_until(lambda: value(exported(), "greengrocer_celery_tasks_succeeded_total", **PAUSE) >= 6,
                       timeout=60, message="the worker's exporter counted six pauses")  # fmt: skip
            assert len(list((tmp_path / "metrics").glob("worker-*/counter_*.db"))) >= 2
            assert value(exported(), "greengrocer_celery_task_queue_wait_seconds_count", **PAUSE) == 6
    finally:
        process.stop()

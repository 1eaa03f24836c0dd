"""The `celery -A shop inspect / control / events` commands of docs/tour.md, against a real worker.

The worker is a subprocess with a threads pool, as worker-mail and worker-io run; each command
runs as an operator would type it (with the test run's REDIS_URL).
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from shop.celery import app
from shop.platform.jobs.tasks import demo_square
from tests.harness.processes import ROOT, WorkerProcess, stack_env, stop_process


def celery(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "shop", *args],
        cwd=ROOT, env=stack_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def threads_worker(transactional_db, tmp_path):
    worker = WorkerProcess(queues=["default"], name="cli", pool="threads", log_path=tmp_path / "worker.log")
    yield worker.start()
    worker.stop()


def test_inspect_answers_for_the_running_worker(threads_worker):
    node = threads_worker.hostname

    assert f"{node}: OK" in celery("inspect", "ping", "-d", node) and "pong" in celery("inspect", "ping")
    assert "* {'name': 'default'" in celery("inspect", "active_queues", "-d", node)
    stats = celery("inspect", "stats", "-d", node)
    assert "celery.concurrency.thread:TaskPool" in stats  # the threads pool, as in the Procfile
    assert "- empty -" in celery("inspect", "active", "-d", node)
    assert "- empty -" in celery("inspect", "reserved", "-d", node)


def test_control_changes_the_running_worker(threads_worker):
    node = threads_worker.hostname

    assert "add consumer sync" in celery("control", "add_consumer", "sync", "-d", node)
    assert "'name': 'sync'" in celery("inspect", "active_queues", "-d", node)
    assert "no longer consuming from sync" in celery("control", "cancel_consumer", "sync", "-d", node)

    out = celery("control", "rate_limit", demo_square.name, "10/s", "-d", node)
    assert "new rate limit set successfully" in out


def test_events_dump_shows_a_task_from_received_to_succeeded_once_events_are_enabled(
    threads_worker, tmp_path
):
    # Workers send no task events until a monitor asks (Flower does it by itself). Every
    # worker is asked, as a monitor does: whichever consumes the task must report it.
    assert "task events enabled" in celery("control", "enable_events")
    dump_log = tmp_path / "events.log"
    with dump_log.open("w") as log:
        events = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shop", "events", "--dump"],
            cwd=ROOT, env=stack_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            # Events sent before the receiver has bound its queue are lost, and how long it
            # takes to start depends on the machine: send again until one is captured.
            deadline = time.monotonic() + 60
            while True:
                result = demo_square.delay(number=7)
                if _dumped(dump_log, "task succeeded", result.id, wait=5):
                    break
                assert time.monotonic() < deadline, dump_log.read_text()
        finally:
            stop_process(events)
            celery("control", "disable_events")  # back to the default for the tests after
    assert _dumped(dump_log, "task received", result.id, wait=0)
    assert app.AsyncResult(result.id).result == 49


def _dumped(dump_log, kind: str, task_id: str, *, wait: float) -> bool:
    """Whether `celery events --dump` wrote a `kind` line for the task within `wait` s."""
    deadline = time.monotonic() + wait
    while True:
        if any(kind in line and task_id in line for line in dump_log.read_text().splitlines()):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)

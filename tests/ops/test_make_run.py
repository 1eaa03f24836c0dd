"""`make run` on a machine that already runs a Redis of its own on 6379 (Debian's redis-server
package starts one; so does many a developer's machine).

The real path: `make run` (its setup recipe, then scripts/run.sh, honcho and every Procfile
line) in a copy of this working tree, whose var/ is its own. Only `make install` and the
system packages are skipped (`make -o`): the copy's .venv is this test run's environment.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import pytest
import redis
from django.test import override_settings

from shop.platform.queues.selectors import queue_depths
from tests.harness.jobs import wait_until
from tests.harness.processes import RedisServer, free_port
from tests.ops.make_run import (
    CHARGE_SECONDS,
    FOREIGN_REDIS_PORT,
    RUNNING_BANNER,
    STACK_REDIS_PORT,
    MakeRun,
    image_jobs_by_dispatch_state,
    listening,
    payment_status,
    plain_environment,
    processes_in,
    procfile_lines,
    slow_order_placed,
    stack_ports,
    waiting_tasks,
    working_tree_copy,
)


@pytest.fixture
def foreign_redis(tmp_path):
    if listening(FOREIGN_REDIS_PORT):
        pytest.skip(
            f"port {FOREIGN_REDIS_PORT} is taken by something else; this test starts its own Redis there"
        )
    if listening(STACK_REDIS_PORT):
        pytest.skip(f"port {STACK_REDIS_PORT} (the stack's own Redis) is in use on this machine")
    server = RedisServer(tmp_path / "foreign-redis", port=FOREIGN_REDIS_PORT).start()
    yield redis.Redis(port=FOREIGN_REDIS_PORT)
    server.stop()


@pytest.mark.slow
def test_make_run_starts_the_whole_stack_on_its_own_redis_beside_a_running_one(foreign_redis, tmp_path):
    copy = working_tree_copy(tmp_path / "greengrocer")
    run = MakeRun(copy, plain_environment(**stack_ports()), tmp_path / "make-run.log")
    try:
        run.wait_running()
        # The seed ran once the broker answered: its picture Jobs went out at once, none is
        # left in the outbox for beat's sweeper.
        assert image_jobs_by_dispatch_state(copy / "var" / "db.sqlite3") == {"dispatched": 4}
        assert f"Redis         redis://127.0.0.1:{STACK_REDIS_PORT}" in run.output()
        assert "shopper / greengrocer-shopper" in run.output()
        assert run.health()["checks"]["workers"]["ok"]
        assert redis.Redis(port=STACK_REDIS_PORT).dbsize() > 0
        assert foreign_redis.info("keyspace") == {}, "the stack wrote to the machine's own Redis"

        run.interrupt()
        assert not listening(run.web_port) and not listening(STACK_REDIS_PORT)
        assert processes_in(copy) == []
    finally:
        run.cleanup()


@pytest.mark.slow
def test_make_run_with_REDIS_URL_uses_that_redis_and_starts_none(tmp_path):
    chosen = RedisServer(tmp_path / "chosen-redis").start()
    stack_redis_port = free_port()
    copy = working_tree_copy(tmp_path / "greengrocer")
    env = plain_environment(REDIS_URL=chosen.url, REDIS_PORT=stack_redis_port, **stack_ports())
    run = MakeRun(copy, env, tmp_path / "make-run.log")
    try:
        run.wait_running()
        assert run.health()["checks"]["broker"]["ok"]
        assert image_jobs_by_dispatch_state(copy / "var" / "db.sqlite3") == {"dispatched": 4}
        assert "the stack starts no Redis of its own" in run.output()
        assert redis.Redis(port=chosen.port).dbsize() > 0 and not listening(stack_redis_port)

        run.interrupt()
        assert processes_in(copy) == []
    finally:
        run.cleanup()
        chosen.stop()


@pytest.mark.slow
def test_ctrl_c_mid_charge_puts_the_charge_back_in_its_queue_before_redis_stops(tmp_path):
    """The order's charge outlasts the stop: worker-fast waits its soft shutdown, cancels the
    charge and puts its message back in `orders`, in the stack's Redis, which stops only
    after every app process: the next `make run` takes it at once, not after the 2 h
    visibility timeout."""
    redis_port = free_port()
    copy = working_tree_copy(tmp_path / "greengrocer")
    env = plain_environment(REDIS_PORT=redis_port, PAYMENT_SLOW_SECONDS=CHARGE_SECONDS, **stack_ports())
    run = MakeRun(copy, env, tmp_path / "make-run.log")
    database = copy / "var" / "db.sqlite3"
    restored = None
    try:
        run.wait_running()
        order_id = slow_order_placed(f"http://127.0.0.1:{run.web_port}")
        wait_until(lambda: payment_status(database, order_id) == "pending", timeout=60,
                   message="the charge under way on worker-fast")  # fmt: skip
        interrupted_at = time.monotonic()
        run.interrupt()
        stopped_in = time.monotonic() - interrupted_at
        assert processes_in(copy) == []
        print(f"\nCtrl-C mid-charge: make run stopped in {stopped_in:.1f} s")

        infra, app = procfile_lines(copy)
        stopped = run.stopped_in_order()
        assert set(stopped[: len(app)]) == app and set(stopped[len(app) :]) == infra, stopped
        assert "sending SIGKILL" not in run.output()
        assert payment_status(database, order_id) == "pending"  # cancelled mid-charge

        restored = RedisServer(copy / "var" / "redis").start()  # on the stack's AOF
        with override_settings(CELERY_BROKER_URL=restored.url):
            depths, unacked = queue_depths()
        waiting = {depth.queue: depth.total for depth in depths if depth.total}
        assert unacked == 0, "a message was left in the unacked hash for the visibility timeout"
        assert waiting.get("orders") == 1
        charge = ("orders", "orders.charge_payment", {"order_id": order_id})
        assert charge in waiting_tasks(redis.Redis(port=restored.port))
    finally:
        run.cleanup()
        if restored:
            restored.stop()


@pytest.mark.slow
def test_an_infrastructure_process_dying_stops_the_app_and_fails_make_run(tmp_path):
    """The supplier stub exits with status 3 as it starts: its honcho stops Redis and the mail
    sink, and run.sh stops the app too and fails with that status, instead of leaving a shop
    half up or its workers retrying a broker that is gone."""
    copy = working_tree_copy(tmp_path / "greengrocer")
    procfile = copy / "Procfile"
    procfile.write_text(re.sub(r"^supplier: .*$", 'supplier: python -c "raise SystemExit(3)"',
                               procfile.read_text(), flags=re.M))  # fmt: skip
    env = plain_environment(REDIS_PORT=free_port(), **stack_ports())
    run = MakeRun(copy, env, tmp_path / "make-run.log")
    try:
        run.process.wait(timeout=180)
        assert run.process.returncode != 0
        assert "The infrastructure stopped (see above); stopping web worker-fast" in run.output()
        assert re.search(r"^make: \*\*\* .* Error 3$", run.output(), re.M), run.output()[-2000:]
        assert RUNNING_BANNER not in run.output()
        _, app = procfile_lines(copy)
        assert app <= set(run.stopped_in_order())
        assert processes_in(copy) == []
    finally:
        run.cleanup()


def test_a_port_in_use_stops_make_run_before_anything_starts(tmp_path):
    copy = working_tree_copy(tmp_path / "greengrocer")
    redis_port = free_port()
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        taken = occupant.getsockname()[1]
        result = subprocess.run(
            ["scripts/run.sh"],
            cwd=copy, capture_output=True, text=True, timeout=60, check=False,
            env=plain_environment(REDIS_PORT=redis_port, WEB_PORT=taken, FLOWER_PORT=free_port(),
                                  SMTP_PORT=free_port(), SUPPLIER_PORT=free_port()),
        )  # fmt: skip

    assert result.returncode == 1
    assert f"another program listens on port {taken} (WEB_PORT, the shop)" in result.stderr
    assert not listening(redis_port) and processes_in(copy) == []


def test_a_shell_without_settings_talks_to_the_redis_make_run_starts(tmp_path):
    copy = working_tree_copy(tmp_path / "greengrocer")
    env = plain_environment()
    run_sh_url = subprocess.run(
        ["bash", "-c", "source scripts/stack_env.sh && echo $REDIS_URL"],
        cwd=copy, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    settings_url = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.REDIS_URL)"],
        cwd=copy, env={**env, "DJANGO_SETTINGS_MODULE": "shop.settings"}, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip

    assert run_sh_url == settings_url == f"redis://127.0.0.1:{STACK_REDIS_PORT}"

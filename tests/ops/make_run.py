"""What the `make run` tests share: a copy of the working tree, its processes and ports, the
stack's databases and broker read directly, and `MakeRun`, which drives one `make run`."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import redis
import requests

from tests.harness.jobs import wait_until
from tests.harness.processes import ROOT, free_port, stop_process
from tests.orders.conftest import CARD_SLOW
from tests.reliability.conftest import checkout_over_http

FOREIGN_REDIS_PORT = 6379
STACK_REDIS_PORT = 6390
RUNNING_BANNER = "Greengrocer is running"
# The slow test card's charge: longer than a worker's soft shutdown (20 s) after Ctrl-C,
# shorter than the charge task's soft time limit (30 s).
CHARGE_SECONDS = 28


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def working_tree_copy(destination: Path) -> Path:
    """This checkout as it is now (committed or not), without its state; .venv is ours."""
    shutil.copytree(
        ROOT, destination,
        ignore=shutil.ignore_patterns(".git", ".venv", "var", "test-artifacts", "__pycache__", "*.egg-info"),
    )  # fmt: skip
    (destination / ".venv").symlink_to(sys.prefix)
    return destination


def plain_environment(**variables: int | str) -> dict[str, str]:
    """A newcomer's shell: no REDIS_URL or other stack settings unless given; the tests move
    the ports off the defaults other stacks on a shared machine may use (not Redis's)."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update({name: str(value) for name, value in variables.items()})
    # Four drawn pictures, not 128: enough to see them dispatched.
    env.update(DEMO_PICTURES="4", WEB_CONCURRENCY="2")
    return env


def processes_in(directory: Path) -> list[int]:
    """Every process whose working directory is the copy: what a clean stop leaves none of."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(directory):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def image_jobs_by_dispatch_state(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT dispatch_state, COUNT(*) FROM jobs_job WHERE kind = 'product_image' GROUP BY dispatch_state"
        ).fetchall()
    return dict(rows)


def payment_status(database: Path, order_id: int) -> str | None:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT status FROM orders_payment WHERE order_id = ?", (order_id,)
        ).fetchone()
    return row and row[0]


def procfile_lines(copy: Path) -> tuple[set[str], set[str]]:
    """(infrastructure, app): the Procfile's lines as scripts/run.sh splits them."""
    names = set(re.findall(r"^([a-z-]+):", (copy / "Procfile").read_text(), re.M))
    infra = set(
        re.search(r"^INFRA_PROCESSES=\((.*)\)$", (copy / "scripts/run.sh").read_text(), re.M)[1].split()
    )
    return infra & names, names - infra


def waiting_tasks(broker: redis.Redis) -> list[tuple[str, str, dict]]:
    """(queue, task, keyword arguments) of every message waiting in the broker's queue lists."""
    waiting = []
    for key in broker.scan_iter(_type="list"):
        for raw in broker.lrange(key, 0, -1):
            message = json.loads(raw)
            arguments = json.loads(base64.b64decode(message["body"]))[1]
            waiting.append(
                (message["properties"]["delivery_info"]["routing_key"], message["headers"]["task"], arguments)
            )
    return waiting


def slow_order_placed(base_url: str) -> int:
    """The demo shopper's order of one product, paid with the slow test card, over HTTP."""
    session = requests.Session()
    token = session.post(f"{base_url}/api/auth/token/", timeout=30,
                         data={"username": "shopper", "password": "greengrocer-shopper"})  # fmt: skip
    session.headers["Authorization"] = f"Token {token.json()['token']}"
    product = session.get(f"{base_url}/api/products/?ordering=-stock", timeout=30).json()["results"][0]
    placed = checkout_over_http(session, base_url, [(product["id"], 1)], card=CARD_SLOW)
    assert placed.status_code == 201, placed.text
    return placed.json()["id"]


def _sigint_as_in_a_terminal() -> None:
    """A terminal's shell runs `make run` with SIGINT at its default. A test run started in
    the background by a non-interactive shell inherits it ignored, and a signal ignored on
    entry is one bash can never trap: Ctrl-C would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class MakeRun:
    """`make run` in `copy` (install and system packages skipped), stopped as Ctrl-C does."""

    def __init__(self, copy: Path, env: dict[str, str], log_path: Path) -> None:
        self.copy = copy
        self.web_port = int(env["WEB_PORT"])
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                ["make", "-o", "install", "-o", "system-packages", "run"],
                cwd=copy, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_sigint_as_in_a_terminal,
            )  # fmt: skip

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_running(self) -> None:
        wait_until(lambda: RUNNING_BANNER in self.output() or self.process.poll() is not None,
                   timeout=90, message="make run printing its addresses")  # fmt: skip
        assert RUNNING_BANNER in self.output(), self.output()[-3000:]

    def health(self) -> dict:
        response = wait_until(
            lambda: (r := requests.get(f"http://127.0.0.1:{self.web_port}/healthz", timeout=5)).ok and r,
            timeout=60, interval=0.5, message="/healthz answering 200",
        )  # fmt: skip
        return response.json()

    def interrupt(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        self.process.wait(timeout=120)

    def stopped_in_order(self) -> list[str]:
        """The processes as honcho reported them stopped, first to last."""
        return re.findall(r"system\s+\| ([a-z-]+)(?:\.\d+)? stopped \(rc=", self.output())

    def cleanup(self) -> None:
        stop_process(self.process)
        for pid in processes_in(self.copy):
            os.kill(pid, signal.SIGKILL)


def stack_ports() -> dict[str, int]:
    names = ("WEB_PORT", "FLOWER_PORT", "SMTP_PORT", "SUPPLIER_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT",
             "WORKER_FAST_METRICS_PORT", "WORKER_MAIL_METRICS_PORT", "WORKER_BULK_METRICS_PORT",
             "WORKER_IO_METRICS_PORT")  # fmt: skip
    return {name: free_port() for name in names}

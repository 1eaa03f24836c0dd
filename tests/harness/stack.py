"""The whole Procfile stack on free ports, for the end-to-end tests.

Each Procfile line runs as written (through bash, after scripts/stack_env.sh, exactly as
`make run` does), in its own process group with its own log, against a throwaway state
folder: its own Redis data, SQLite file, media, mail and Flower state. Why not `honcho
start`: honcho cannot leave a process out (the bench leaves beat and Flower out), and one
log per process is what tells a failing test which process misbehaved.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from .processes import ROOT, free_port, wait_for_port
from .supplier import TEST_DEFAULTS as SUPPLIER_TEST_DEFAULTS

PROCFILE = ROOT / "Procfile"
LOG_TAIL_CHARS = 3000


def procfile_commands() -> dict[str, str]:
    commands = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            commands[name.strip()] = command.strip()
    return commands


# Every Procfile line, Flower included (tests/e2e/test_flower.py).
DEFAULT_PROCESSES = tuple(procfile_commands())


# Each becomes <NAME>_PORT in the stack's environment (scripts/stack_env.sh's defaults).
PORT_NAMES = ("REDIS", "WEB", "SMTP", "SUPPLIER", "FLOWER", "PROMETHEUS", "ALERTMANAGER",
              "WORKER_FAST_METRICS", "WORKER_MAIL_METRICS", "WORKER_BULK_METRICS", "WORKER_IO_METRICS")  # fmt: skip


class Stack:
    """Start with `start()`, stop with `stop()`; `url` is the shop's address."""

    def __init__(self, directory: Path, *, processes: tuple[str, ...] = DEFAULT_PROCESSES) -> None:
        self.directory = directory
        self.processes = processes
        self.ports = {name: free_port() for name in PORT_NAMES}
        self.running: dict[str, subprocess.Popen] = {}
        self.env = self._environment()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['WEB']}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['PROMETHEUS']}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['ALERTMANAGER']}"

    def stop_process(self, name: str) -> None:
        """Stop one process (SIGTERM to its group), as a crash or an operator would."""
        self._stop_all([self.running.pop(name)], timeout=20)

    def start_process(self, name: str) -> None:
        """Start one process again, as its Procfile line says."""
        self._launch(name, procfile_commands()[name])

    @property
    def flower_login(self) -> tuple[str, str]:
        user, password = self.env["FLOWER_BASIC_AUTH"].split(":", 1)
        return user, password

    def _environment(self) -> dict[str, str]:
        var = self.directory / "var"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ENV")}
        env.update({f"{name}_PORT": str(port) for name, port in self.ports.items()})
        env.update(SUPPLIER_TEST_DEFAULTS)
        env.update(
            DJANGO_SETTINGS_MODULE="shop.settings",
            VAR_DIR=str(var),
            SQLITE_PATH=str(var / "db.sqlite3"),
            MEDIA_ROOT=str(var / "media"),
            MAIL_SINK_DIR=str(var / "mail"),
            FLOWER_DB=str(var / "flower.db"),
            # Derived values stack_env.sh would keep if the caller's environment had them.
            REDIS_URL=f"redis://127.0.0.1:{self.ports['REDIS']}",
            EMAIL_PORT=str(self.ports["SMTP"]),
            SUPPLIER_API_URL=f"http://127.0.0.1:{self.ports['SUPPLIER']}",
            SITE_URL=self.url,
            FLOWER_URL=f"http://127.0.0.1:{self.ports['FLOWER']}",
            PROMETHEUS_URL=f"http://127.0.0.1:{self.ports['PROMETHEUS']}",
            PROMETHEUS_MULTIPROC_DIR=str(var / "metrics"),
            FLOWER_BASIC_AUTH=f"flower:{secrets.token_urlsafe(12)}",
            WEB_CONCURRENCY="2",
            # Alerts within seconds, not minutes (deploy/prometheus/launch.py's defaults).
            PROMETHEUS_SCRAPE_INTERVAL="2s",
            PROMETHEUS_EVALUATION_INTERVAL="2s",
            PROMETHEUS_SCRAPE_TIMEOUT="2s",
            ALERT_WORKER_DOWN_FOR="4s",
            ALERT_FOR="10s",
            ALERT_GROUP_WAIT="1s",
            ALERT_GROUP_INTERVAL="2s",
            # Windows and thresholds the firing tests reach in seconds (tests/e2e/test_alerts.py);
            # beat writes last_run_at back after every send, so its age stays well under 30 s.
            ALERT_WORKFLOW_FAILURE_WINDOW="45s",
            ALERT_OUTBOX_STUCK_AFTER="5",
            ALERT_BEAT_SILENT_AFTER="30",
            CELERY_BEAT_SYNC_EVERY="1",
            QUEUE_WAIT_BUDGETS="orders=5",
            # Sixteen drawn product pictures, not 128: the bulk worker renders them all at start.
            DEMO_PICTURES="16",
            # Every browser and bench client calls from 127.0.0.1: lift the API's rate limits
            # (tests/shop/test_throttling.py proves them at their real rates).
            **{
                f"THROTTLE_{scope}_RATE": "100000/min"
                for scope in ("ANON", "USER", "LOGIN", "REGISTER", "CHECKOUT")
            },
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="INFO",
        )
        return env

    def manage(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def _launch(self, name: str, command: str) -> None:
        if name == "redis":
            # deploy/redis.conf keeps its data under var/redis of the checkout: not ours.
            command += f" --dir {self.directory / 'var' / 'redis'}"
        log = open(self.directory / "logs" / f"{name}.log", "ab")  # noqa: SIM115
        self.running[name] = subprocess.Popen(
            ["bash", "-c", f"source scripts/stack_env.sh && exec {command}"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def start(self, *, seed: tuple[str, ...] = ("seed_demo",)) -> Stack:
        var = self.directory / "var"
        for folder in (var / "redis", var / "media", var / "mail", var / "metrics", self.directory / "logs"):
            folder.mkdir(parents=True, exist_ok=True)
        commands = procfile_commands()
        try:
            for name in ("redis", "smtp", "supplier"):
                if name in self.processes:
                    self._launch(name, commands[name])
            self.manage("migrate", "--noinput")
            self.manage("setup_schedules")
            if "redis" in self.running:
                # As scripts/run.sh does: seed once the broker listens, so seeded Jobs go out at once.
                wait_for_port(self.ports["REDIS"], timeout=30)
            for command in seed:
                self.manage(command)
            for name in self.processes:
                if name not in self.running:
                    self._launch(name, commands[name])
            wait_for_port(self.ports["WEB"], timeout=60)
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_healthy(self, timeout: float = 90) -> None:
        """Until /healthz answers 200: database, broker and both workers answer."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            for name, process in self.running.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")
            try:
                response = requests.get(f"{self.url}/healthz", timeout=5)
                if response.status_code == 200:
                    return
                last = response.text
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.5)
        raise TimeoutError(f"the stack did not become healthy in {timeout}s: {last}")

    def log_tail(self, name: str) -> str:
        path = self.directory / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-LOG_TAIL_CHARS:] if path.exists() else ""

    def stop(self, timeout: float = 20) -> None:
        # Everything else first, Redis last, so nothing shuts down talking to a dead broker.
        others = [name for name in self.running if name != "redis"]
        for names in (others, ["redis"]):
            self._stop_all([self.running[name] for name in names if name in self.running], timeout)
        self.running.clear()

    @staticmethod
    def _stop_all(processes: list[subprocess.Popen], timeout: float) -> None:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

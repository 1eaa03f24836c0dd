"""Real servers for the tests: redis-server on a free port, Celery worker subprocesses."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Every worker the tests start also runs the tests' own tasks (never a production worker).
TEST_TASKS = "tests.harness.tasks"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 15, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def stop_process(process: subprocess.Popen | None, *, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RedisServer:
    """A throwaway redis-server with the production config's durability settings."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--maxmemory-policy", "noeviction", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def restart(self, *, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


def stack_env(**overrides: str) -> dict[str, str]:
    """Environment for a subprocess of the stack that shares this test run's state."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        REDIS_URL=settings.REDIS_URL,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        MAIL_SINK_DIR=str(settings.MAIL_SINK_DIR),
        SUPPLIER_API_URL=settings.SUPPLIER_API_URL,
        EMAIL_PORT=str(settings.EMAIL_PORT),
        PYTHONUNBUFFERED="1",
    )
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(database["NAME"])
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or 'localhost'}"
            f":{database['PORT'] or 5432}/{database['NAME']}"
        )
    env.update(overrides)
    return env


class WorkerProcess:
    """`celery worker` in a subprocess: prefork pool, time limits and SIGKILL as in production."""

    def __init__(
        self,
        *,
        queues: Sequence[str],
        name: str = "proc",
        concurrency: int = 2,
        pool: str = "prefork",
        log_path: Path | None = None,
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.queues = list(queues)
        self.name = f"{name}-{free_port()}"
        self.concurrency = concurrency
        self.pool = pool
        self.log_path = log_path
        self.extra_args = list(extra_args)
        self.env = env or stack_env()
        self.process: subprocess.Popen | None = None

    @property
    def hostname(self) -> str:
        return f"{self.name}@localhost"

    def start(self, *, wait: bool = True) -> WorkerProcess:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shop", "worker", f"--queues={','.join(self.queues)}",
             f"--hostname={self.hostname}", f"--concurrency={self.concurrency}", f"--pool={self.pool}",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", f"--include={TEST_TASKS}",
             *self.extra_args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        from tests.harness.control import broker_control

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited with {self.process.returncode}")
            if broker_control("ping", destination=[self.hostname], timeout=0.5):
                return
        raise TimeoutError(f"worker {self.name} did not answer a ping in {timeout}s")

    def child_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill_all(self) -> None:
        """SIGKILL the main process and its pool children at once (a machine losing power)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_digest(self, *, last: int = 40) -> str:
        """What a failing test prints of this worker: its warnings and errors, its last lines."""
        if not self.log_path or not self.log_path.exists():
            return f"worker {self.name}: no log"
        lines = self.log_path.read_text(errors="replace").splitlines()
        warnings = [line for line in lines if " WARNING " in line or " ERROR " in line]
        return "\n".join([f"--- worker {self.name}: warnings and errors ---", *warnings[-last:],
                          f"--- worker {self.name}: last lines ---", *lines[-last:]])  # fmt: skip

    def stop(self, timeout: float = 30) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill_all()

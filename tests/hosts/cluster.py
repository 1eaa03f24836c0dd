"""The core host (PostgreSQL, Redis, web, SMTP sink, supplier stub) and worker hosts, each
a network namespace (tests/hosts/netns.py) with its own VAR_DIR and log folder.

Every process runs its Procfile line as written (through scripts/stack_env.sh, as `make run`
does); a worker host also gets its own UTS namespace and hostname, so the Procfile's
`--hostname=fast@%h` names the host. Hosts reach the core only at CORE_ADDRESS. The media
folder is the one thing shared by path, standing for the shared volume (or bucket) that
docs/architecture.md says every host must mount.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tests.harness.control import broker_control
from tests.harness.processes import ROOT, wait_for_port
from tests.harness.stack import procfile_commands
from tests.harness.supplier import TEST_DEFAULTS as SUPPLIER_TEST_DEFAULTS

from .netns import CORE_ADDRESS, PREFIX, Network

PG_PORT, REDIS_PORT, WEB_PORT, SMTP_PORT, SUPPLIER_PORT = 5432, 6390, 8000, 1025, 8001
WORKER_LINES = ("worker-fast", "worker-mail", "worker-bulk", "worker-io")
# Messages held by a host that vanished come back after this (production: 2 hours).
VISIBILITY_TIMEOUT = "10"
TASK_LINE = re.compile(r"Task [\w.]+\[(?P<id>[0-9a-f-]{36})\] (?P<event>received|succeeded|retry|raised)")


def _pg_bin() -> Path:
    found = shutil.which("initdb") or max(glob.glob("/usr/lib/postgresql/*/bin/initdb"), default="")
    if not found:
        raise RuntimeError("PostgreSQL is not installed (make test-hosts installs it)")
    return Path(found).resolve().parent


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")


class Cluster:
    def __init__(self, directory: Path, network: Network) -> None:
        self.directory = directory
        self.network = network
        self.media = directory / "shared-media"
        self.mail = directory / "core" / "var" / "mail"
        self.running: dict[tuple[str | None, str], subprocess.Popen] = {}
        self.database_name = ""

    # --- PostgreSQL (before pytest-django creates the test database on it) ---------------
    def postgres_start(self) -> None:
        # Its own folder in /tmp: the postgres user cannot enter pytest's private temp folders.
        self.pg = pg = Path(tempfile.mkdtemp(prefix="greengrocer-hosts-pg."))
        pg.chmod(0o755)
        shutil.chown(pg, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
        _run([*as_postgres, str(_pg_bin() / "initdb"), "-D", str(pg / "data"), "--username=greengrocer",
                        "--auth=trust", "--no-sync"])  # fmt: skip
        with open(pg / "data" / "pg_hba.conf", "a") as hba:  # the namespaces' subnet, nothing else
            hba.write(f"host all all {CORE_ADDRESS}/{PREFIX} trust\n")
        options = (f"-p {PG_PORT} -k {pg} -c listen_addresses={CORE_ADDRESS} -c max_connections=300 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        _run([*self.network.prefix(), *as_postgres, str(_pg_bin() / "pg_ctl"), "start", "-w",
              "-D", str(pg / "data"), "-l", str(pg / "postgres.log"), "-o", options])  # fmt: skip

    def postgres_stop(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(_pg_bin() / "pg_ctl"), "stop", "-m", "immediate",
                        "-D", str(self.pg / "data")], capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(self.pg, ignore_errors=True)

    # --- Environments ---------------------------------------------------------------------
    def env(self, place: str) -> dict[str, str]:
        """The environment of a process on `place` ("core" or a host's name)."""
        var = self.directory / place / "var"
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS_", "PYTEST", "DATABASE_"))
        }
        env.update(SUPPLIER_TEST_DEFAULTS)
        env.update(
            DJANGO_SETTINGS_MODULE="shop.settings",
            VAR_DIR=str(var),
            DATABASE_URL=f"postgres://greengrocer@{CORE_ADDRESS}:{PG_PORT}/{self.database_name}",
            DATABASE_CONN_MAX_AGE="0",
            # Locks held by a host cut off mid-transaction are released after 5 s, not 60.
            DATABASE_IDLE_IN_TRANSACTION_TIMEOUT="5",
            REDIS_PORT=str(REDIS_PORT),
            REDIS_URL=f"redis://{CORE_ADDRESS}:{REDIS_PORT}",
            EMAIL_HOST=CORE_ADDRESS,
            EMAIL_PORT=str(SMTP_PORT),
            SMTP_HOST=CORE_ADDRESS,
            SMTP_PORT=str(SMTP_PORT),
            MAIL_SINK_DIR=str(self.mail),
            # A confirmation to a `slow-*` shopper hangs 6 s once, then is refused (451) and
            # retried: work a host is holding when its cable is pulled.
            SMTP_SINK_STALL_ONCE="^slow",
            SMTP_SINK_STALL_SECONDS="6",
            SUPPLIER_HOST=CORE_ADDRESS,
            SUPPLIER_PORT=str(SUPPLIER_PORT),
            SUPPLIER_API_URL=f"http://{CORE_ADDRESS}:{SUPPLIER_PORT}",
            MEDIA_ROOT=str(self.media),
            WEB_BIND=f"{CORE_ADDRESS}:{WEB_PORT}",
            WEB_CONCURRENCY="2",
            ALLOWED_HOSTS=CORE_ADDRESS,
            SITE_URL=self.url,
            CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="INFO",
            **{f"THROTTLE_{scope}_RATE": "100000/min" for scope in ("ANON", "USER", "CHECKOUT")},
        )
        return env

    @property
    def url(self) -> str:
        return f"http://{CORE_ADDRESS}:{WEB_PORT}"

    @property
    def redis_url(self) -> str:
        return f"redis://{CORE_ADDRESS}:{REDIS_PORT}"

    # --- Processes ------------------------------------------------------------------------
    def launch(self, line: str, *, host: str | None = None, env: dict[str, str] | None = None) -> None:
        place = host or "core"
        logs = self.directory / place / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        command = procfile_commands()[line]
        if line == "redis":
            command += f" --bind {CORE_ADDRESS} --protected-mode no --dir {self.directory / 'core'}"
        script = f"source scripts/stack_env.sh && exec {command}"
        # A host's own hostname (its UTS namespace) is what the Procfile's %h becomes.
        own_name = ["unshare", "--uts", "bash", "-c", f"hostname {host} && {script}"]
        argv = [*self.network.prefix(host), *(own_name if host else ["bash", "-c", script])]
        log = open(logs / f"{line}.log", "ab")  # noqa: SIM115
        self.running[(host, line)] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env or self.env(place),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def core_start(self) -> None:
        for folder in (self.media, self.mail):
            folder.mkdir(parents=True, exist_ok=True)
        for line in ("redis", "smtp", "supplier", "web"):
            self.launch(line)
        for port in (REDIS_PORT, SMTP_PORT, SUPPLIER_PORT, WEB_PORT):
            wait_for_port(port, host=CORE_ADDRESS, timeout=60)

    def host_start(self, host: str, *, env: dict[str, str] | None = None) -> None:
        for line in WORKER_LINES:
            self.launch(line, host=host, env=env)

    def wait_hosts_ready(self, hosts: list[str], timeout: float = 120) -> None:
        expected = {f"{line.split('-')[1]}@{host}" for host in hosts for line in WORKER_LINES}
        deadline = time.monotonic() + timeout
        answered: set[str] = set()
        while time.monotonic() < deadline:
            for (host, line), process in self.running.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{line} on {host or 'core'} exited:\n{self.log(host, line)[-3000:]}")
            answered |= {name for reply in broker_control("ping", timeout=1.0) for name in reply}
            if expected <= answered:
                return
        raise TimeoutError(f"no answer from {sorted(expected - answered)} within {timeout}s")

    def log(self, host: str | None, line: str) -> str:
        path = self.directory / (host or "core") / "logs" / f"{line}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def task_events(self, hosts: list[str]) -> dict[str, dict[str, set[str]]]:
        """{task id: {event: hosts}} from the worker logs: who received and who finished what."""
        events: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for host in hosts:
            for line in WORKER_LINES:
                for match in TASK_LINE.finditer(self.log(host, line)):
                    events[match["id"]][match["event"]].add(host)
        return events

    def stop(self, *, host: str | None = None, kill: bool = False) -> None:
        """Stop the processes of one host (or of every host and then the core)."""
        places = [host] if host else [*{h for h, _ in self.running if h}, None]
        for place in places:
            processes = [p for (h, _), p in self.running.items() if h == place]
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            self.running = {key: p for key, p in self.running.items() if key[0] != place}

"""Scale-out: a supplier sync on 1, 2 and 4 worker hosts (network namespaces, as tests/hosts).

I/O-bound on purpose: the supplier stub answers each page after a fixed latency, so a page
task mostly waits, and each host's `worker-io` (4 threads, its Procfile line) overlaps four
of them. The core (PostgreSQL, Redis, the supplier) is built as in tests/hosts/cluster.py;
only `worker-io` runs on the hosts. The sync is started and timed by a process on the core
(`python -m bench.scenarios.scale_out measure`), which also counts what one page task costs
the broker (Redis commands) and the database (transactions): the figures behind
docs/architecture.md's extrapolation to N hosts. Needs root (namespaces); without, the row
says why and the scenario measures nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.context import BenchContext
from bench.measure import Figure, Row, ScenarioResult
from tests.harness.processes import ROOT, wait_for_port
from tests.hosts.cluster import PG_PORT, REDIS_PORT, SUPPLIER_PORT, Cluster, _pg_bin
from tests.hosts.netns import CORE_ADDRESS, Network, cannot_create_reason

HOST_COUNTS = (1, 2, 4)
PAGE_LATENCY_MS = 1000
PAGE_SIZE = 25
THREADS_PER_HOST = 4


def _pages(context: BenchContext) -> int:
    return 16 if context.sizes.sync_products <= 300 else 64  # --quick: a smoke test


def _env(cluster: Cluster, place: str, pages: int) -> dict[str, str]:
    env = cluster.env(place)
    env.update(
        DATABASE_URL=f"postgres://greengrocer@{CORE_ADDRESS}:{PG_PORT}/greengrocer",
        SUPPLIER_SIZE=str(pages * PAGE_SIZE),
        SUPPLIER_PAGE_SIZE=str(PAGE_SIZE),
        SUPPLIER_SYNC_PAGE_SIZE=str(PAGE_SIZE),
        SUPPLIER_LATENCY_MS=str(PAGE_LATENCY_MS),
        SUPPLIER_RATE_PER_SECOND="100000",
        SUPPLIER_PICTURES_PER_PRODUCT="0",
    )
    return env


def _in_core(cluster: Cluster, env: dict[str, str], *args: str) -> str:
    result = subprocess.run([*cluster.network.prefix(), sys.executable, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_ready(cluster: Cluster, hosts: list[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not all(f"io@{host} ready" in cluster.log(host, "worker-io") for host in hosts):
        if time.monotonic() > deadline:
            raise TimeoutError(f"worker-io not ready on all of {hosts}")
        time.sleep(0.5)


def _measure_all(context: BenchContext) -> dict[int, dict]:
    pages = _pages(context)
    network = Network([f"host{n}" for n in range(1, max(HOST_COUNTS) + 1)]).create()
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="greengrocer-scale-out-")), network)
    cluster.database_name = "greengrocer"
    measured: dict[int, dict] = {}
    try:
        cluster.postgres_start()
        subprocess.run([*network.prefix(), str(_pg_bin() / "createdb"), f"--host={CORE_ADDRESS}",
                        f"--port={PG_PORT}", "--username=greengrocer", "greengrocer"], check=True)  # fmt: skip
        core_env = _env(cluster, "core", pages)
        for line in ("redis", "supplier"):
            cluster.launch(line, env=core_env)
        for port in (REDIS_PORT, SUPPLIER_PORT):
            wait_for_port(port, host=CORE_ADDRESS, timeout=60)
        _in_core(cluster, core_env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
        for count in HOST_COUNTS:
            hosts = [f"host{n}" for n in range(1, count + 1)]
            for host in hosts:
                cluster.launch("worker-io", host=host, env=_env(cluster, host, pages))
            _wait_ready(cluster, hosts)
            measured[count] = json.loads(
                _in_core(cluster, core_env, "-m", "bench.scenarios.scale_out", "measure")
            )
            for host in hosts:
                cluster.stop(host=host)
    finally:
        cluster.stop()
        cluster.postgres_stop()
        network.delete()
    return measured


def run(context: BenchContext) -> ScenarioResult:
    name, pages = "scale_out", _pages(context)
    size = f"{pages} pages of {PAGE_SIZE} products, {PAGE_LATENCY_MS} ms per page, {THREADS_PER_HOST} threads a host"
    if reason := cannot_create_reason():
        return ScenarioResult(name=name, size=size, rows=[], notes=[f"not measured: {reason}"])
    measured = _measure_all(context)
    one = measured[1]["pages_per_s"]
    rows = [Row("sync pages/s on 1 worker host", Figure("pages/s", (one,)))] + [
        Row(
            f"sync pages/s on {count} worker hosts",
            Figure("pages/s", (m["pages_per_s"],)),
            Figure("pages/s", (one,)),
            "1 host",
        )
        for count, m in measured.items()
        if count > 1
    ]
    costs = measured[max(measured)]
    return ScenarioResult(
        name=name,
        size=size,
        rows=rows,
        notes=[
            f"The ceiling of N hosts is N×{THREADS_PER_HOST} pages in flight per {PAGE_LATENCY_MS} ms "
            f"({THREADS_PER_HOST * 1000 / PAGE_LATENCY_MS:.0f} pages/s a host) until the core saturates.",
            f"Per page task: {costs['redis_commands_per_page']:.0f} Redis commands and "
            f"{costs['db_commits_per_page']:.1f} database commits (whole run, divided by its pages).",
        ],
    )


def _measure() -> None:
    """On the core: one sync, timed, with the broker's and the database's operation counts."""
    import django

    django.setup()
    from django.db import connection

    from shop.coordination import redis_connect
    from sync.models import SyncRun
    from sync.services import sync_run_request
    from tests.harness.jobs import wait_until

    def counts() -> tuple[int, int]:
        commands = redis_connect(url=f"redis://{CORE_ADDRESS}:{REDIS_PORT}", db=0).info("stats")
        with connection.cursor() as cursor:
            cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            (commits,) = cursor.fetchone()
        return commands["total_commands_processed"], commits

    before = counts()
    started = time.perf_counter()
    run = sync_run_request(trigger=SyncRun.Trigger.STAFF)
    done = wait_until(
        lambda: (r := SyncRun.objects.get(pk=run.pk)).is_finished and r, timeout=600, interval=0.05
    )
    elapsed = time.perf_counter() - started
    time.sleep(1)  # pg_stat_database is updated by each backend at most every 0.5 s
    after = counts()
    if done.status != SyncRun.Status.SUCCEEDED:
        raise RuntimeError(f"sync run {done.pk}: {done.status}")
    pages = done.pages.count()
    print(json.dumps({
        "pages_per_s": pages / elapsed,
        "redis_commands_per_page": (after[0] - before[0]) / pages,
        "db_commits_per_page": (after[1] - before[1]) / pages,
    }))  # fmt: skip


if __name__ == "__main__" and sys.argv[1:] == ["measure"]:
    _measure()

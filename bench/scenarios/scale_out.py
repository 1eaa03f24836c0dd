"""Scale-out: 1, 2 and 4 worker hosts (network namespaces, as tests/hosts) on two workloads.

I/O-bound: a supplier sync whose stub answers each page after a fixed latency, so a page
task mostly waits, and each host's `worker-bulk` (2 processes, its Procfile line) overlaps two
of them. CPU-bound: uploaded photos rendered by the same `worker-bulk`; every host shares the
same two cores, so that curve stays flat (a real host brings cores). The core (PostgreSQL,
Redis, the supplier) is built as in tests/hosts/cluster.py; only `worker-bulk` runs on the
hosts. The sync is started and timed by a process on the core
(`python -m bench.scenarios.scale_out measure`), which also counts what one page task costs
the broker (Redis commands) and the database (transactions): the figures behind
docs/architecture.md's extrapolation to N hosts. Needs root (namespaces); without, the row
says why and the scenario measures nothing.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.context import BenchContext
from bench.measure import Figure, Row, ScenarioResult, repeat
from tests.harness.processes import ROOT, wait_for_port
from tests.hosts.cluster import PG_PORT, REDIS_PORT, SUPPLIER_PORT, Cluster, _pg_bin
from tests.hosts.netns import CORE_ADDRESS, Network, cannot_create_reason

HOST_COUNTS = (1, 2, 4)
PAGE_LATENCY_MS = 1000
PAGE_SIZE = 25
PAGES_AT_ONCE_PER_HOST = 2  # the Procfile's worker-bulk --concurrency
# Per item: throughput, and what one item cost the broker and the database.
UNITS = {"per_s": "per s", "redis_commands_per_item": "commands", "db_commits_per_item": "commits"}
# Per workload: the worker line the hosts run, and the node name it answers as.
WORKLOADS = {"sync": ("worker-bulk", "bulk"), "images": ("worker-bulk", "bulk")}


def _quick(context: BenchContext) -> bool:
    return context.sizes.sync_products <= 300


def _pages(context: BenchContext) -> int:
    return 16 if _quick(context) else 128


def _images(context: BenchContext) -> int:
    return 4 if _quick(context) else 12


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


def _postgres_missing() -> str:
    try:
        _pg_bin()
    except RuntimeError as exc:
        return str(exc)
    return ""


def _wait_ready(cluster: Cluster, hosts: list[str], line: str, node: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not all(f"{node}@{host} ready" in cluster.log(host, line) for host in hosts):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{line} not ready on all of {hosts}")
        time.sleep(0.5)


def _measure_all(context: BenchContext) -> dict[str, dict[int, dict[str, Figure]]]:
    pages = _pages(context)
    network = Network([f"host{n}" for n in range(1, max(HOST_COUNTS) + 1)]).create()
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="greengrocer-scale-out-")), network)
    cluster.database_name = "greengrocer"
    measured: dict[str, dict[int, dict[str, Figure]]] = {workload: {} for workload in WORKLOADS}
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
        for (workload, (line, node)), count in itertools.product(WORKLOADS.items(), HOST_COUNTS):
            hosts = [f"host{n}" for n in range(1, count + 1)]
            for host in hosts:
                cluster.launch(line, host=host, env=_env(cluster, host, pages))
            _wait_ready(cluster, hosts, line, node)
            runs = itertools.count()

            def once(workload=workload, count=count, runs=runs) -> dict[str, float]:
                tag = f"{count}-{next(runs)}"  # distinct products for each images run
                measure = ["-m", __name__, "measure", workload, tag, str(_images(context))]
                return json.loads(_in_core(cluster, core_env, *measure))

            (measured[workload][count],) = repeat(once, units=UNITS)
            for host in hosts:
                cluster.stop(host=host)
    finally:
        cluster.stop()
        cluster.postgres_stop()
        network.delete()
        shutil.rmtree(cluster.directory, ignore_errors=True)
    return measured


def run(context: BenchContext) -> ScenarioResult:
    name, pages = "scale_out", _pages(context)
    size = f"{pages} pages of {PAGE_SIZE} products, {PAGE_LATENCY_MS} ms per page, {PAGES_AT_ONCE_PER_HOST} processes a host"
    if reason := cannot_create_reason() or _postgres_missing():
        return ScenarioResult(name=name, size=size, rows=[], notes=[f"not measured: {reason}"])
    measured = _measure_all(context)
    rows = []
    for workload, unit in (("sync", "pages/s"), ("images", "images/s")):
        one = measured[workload][1]["per_s"]
        one = Figure(unit, one.runs)
        rows.append(Row(f"{workload} {unit} on 1 worker host", one))
        rows += [
            Row(f"{workload} {unit} on {count} worker hosts", Figure(unit, m["per_s"].runs), one, "1 host")
            for count, m in measured[workload].items()
            if count > 1
        ]
    costs = {name: figure.median for name, figure in measured["sync"][max(HOST_COUNTS)].items()}
    return ScenarioResult(
        name=name,
        size=f"{size}; {_images(context)} photos of 1600×1200",
        rows=rows,
        notes=[
            f"Sync: the ceiling of N hosts is N×{PAGES_AT_ONCE_PER_HOST} pages in flight per {PAGE_LATENCY_MS} ms "
            f"({PAGES_AT_ONCE_PER_HOST * 1000 / PAGE_LATENCY_MS:.0f} pages/s a host) until the core saturates.",
            f"Per sync page task: {costs['redis_commands_per_item']:.0f} Redis commands and "
            f"{costs['db_commits_per_item']:.1f} database commits (whole run, divided by its pages).",
            "Images: every namespace host shares this machine's cores; one host's 2 prefork processes "
            "already use both, so more hosts cannot render faster here (on real hosts each brings its cores).",
        ],
    )


def _measure(workload: str, run_number: str, images: str) -> None:
    """On the core: one workload, timed, with the broker's and the database's operation counts."""
    import django

    django.setup()
    from django.db import connection

    from catalog.models import ProductImage
    from catalog.services import product_image_from_bytes
    from shop.celery import Priority
    from shop.platform.coordination import redis_connect
    from sync.models import SyncRun
    from sync.services import sync_run_request
    from tests.catalog import pictures
    from tests.factories import ProductFactory
    from tests.harness.jobs import wait_until

    def counts() -> tuple[int, int]:
        commands = redis_connect(url=f"redis://{CORE_ADDRESS}:{REDIS_PORT}", db=0).info("stats")
        with connection.cursor() as cursor:
            cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            (commits,) = cursor.fetchone()
        return commands["total_commands_processed"], commits

    if workload == "images":
        photo = pictures.jpeg(1600, 1200)
        products = [
            ProductFactory(sku=f"SCALE-{run_number}-{n}", slug=f"scale-{run_number}-{n}")
            for n in range(int(images))
        ]
    before = counts()
    started = time.perf_counter()
    if workload == "sync":
        run = sync_run_request(trigger=SyncRun.Trigger.STAFF)
        done = wait_until(
            lambda: (r := SyncRun.objects.get(pk=run.pk)).is_finished and r, timeout=600, interval=0.05
        )
        if done.status != SyncRun.Status.SUCCEEDED:
            raise RuntimeError(f"sync run {done.pk}: {done.status}")
        items = done.pages.count()
    else:
        ids = [product_image_from_bytes(product=p, content=photo, name="crate.jpg", priority=Priority.NORMAL).id
               for p in products]  # fmt: skip
        ready = ProductImage.objects.filter(
            id__in=ids, status__in=[ProductImage.Status.READY, ProductImage.Status.FAILED]
        )
        wait_until(lambda: ready.count() == len(ids), timeout=600, interval=0.05)
        if ready.filter(status=ProductImage.Status.FAILED).exists():
            raise RuntimeError("an image failed to render")
        items = len(ids)
    elapsed = time.perf_counter() - started
    time.sleep(1)  # pg_stat_database is updated by each backend at most every 0.5 s
    after = counts()
    print(json.dumps({
        "per_s": items / elapsed,
        "redis_commands_per_item": (after[0] - before[0]) / items,
        "db_commits_per_item": (after[1] - before[1]) / items,
    }))  # fmt: skip


if __name__ == "__main__" and sys.argv[1:2] == ["measure"]:
    _measure(*sys.argv[2:5])

"""A supplier sync under heavy mixed faults converges to the supplier's catalog exactly.

tests/sync already shows 30 % faults over 300 products on the in-thread worker. Here the
faults are heavier (45 %: 5xx, 429 with Retry-After, read timeouts), the catalog is 2,000
products in 40 pages, and the pages run on a prefork worker subprocess, as the
Procfile's worker-bulk runs them (two pages at once, sharing the global rate limit).
Then the supplier moves on and a second sync under the same faults follows it exactly.
"""

from __future__ import annotations

import time

import pytest

from shop.platform.jobs.models import Job
from sync.models import SyncRun
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_for_job
from tests.harness.processes import WorkerProcess, stack_env
from tests.sync.helpers import assert_matches_supplier, sync_run_to_end

pytestmark = pytest.mark.reliability

PRODUCTS = 2000
PAGE_SIZE = 50
FAULTS = {"error_rate": 0.2, "throttle_rate": 0.15, "timeout_rate": 0.1}
# Fast retries and short timeouts, so that 45 % faults cost seconds, not minutes.
SYNC_SETTINGS = {
    "SUPPLIER_SYNC_PAGE_SIZE": PAGE_SIZE,
    "SUPPLIER_READ_TIMEOUT": 0.5,
    "SUPPLIER_RATE_PER_SECOND": 200,
    "SUPPLIER_RETRY_BACKOFF": 0.1,
    "SUPPLIER_RETRY_BACKOFF_MAX": 1.5,
}


def _sync_under_faults(supplier_stub) -> tuple[SyncRun, dict[str, int], float]:
    """One sync to its end; the run, the faults the stub served during it, and its seconds."""
    before = supplier_stub.state()["counters"]
    started = time.monotonic()
    run = sync_run_to_end(timeout=180)
    elapsed = time.monotonic() - started
    after = supplier_stub.state()["counters"]
    served = {kind: after[kind] - before[kind] for kind in ("ok", "error", "throttle", "timeout")}
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_matches_supplier(supplier_stub.catalog())
    job = wait_for_job(run.job)
    assert job.status == Job.Status.SUCCEEDED
    # Every fault was met by exactly one retry of the step that got it.
    assert (
        sum(job.steps.values_list("retries", flat=True))
        == served["error"] + served["throttle"] + served["timeout"]
    )
    return run, served, elapsed


def _describe(run: SyncRun, served: dict[str, int], elapsed: float) -> str:
    requests = sum(served.values())
    faulted = requests - served["ok"]
    return (
        f"version {run.supplier_version}: {requests} requests, {faulted} faulted ({faulted / requests:.0%}: "
        f"{served['error']} 5xx, {served['throttle']} 429, {served['timeout']} timeouts), "
        f"{run.products_created} created, {run.products_updated} updated, "
        f"{run.products_deactivated} deactivated, in {elapsed:.0f} s"
    )


def test_a_sync_under_45_percent_mixed_faults_converges_to_the_supplier_catalog(
    worker, settings, supplier_stub, tmp_path
):
    for name, value in SYNC_SETTINGS.items():
        setattr(settings, name, value)
    supplier_stub.control(size=PRODUCTS, retry_after=1, timeout_seconds=1, **FAULTS)
    pages_worker = WorkerProcess(
        queues=["sync"], name="bulk", pool="prefork", concurrency=2, log_path=tmp_path / "bulk.log",
        env=stack_env(**{name: str(value) for name, value in SYNC_SETTINGS.items()}),
    )  # fmt: skip
    with in_thread_worker_steps_aside(worker, ["sync"]):
        pages_worker.start()
        try:
            first = _sync_under_faults(supplier_stub)
            supplier_stub.control(advance_version=3)
            second = _sync_under_faults(supplier_stub)
        finally:
            pages_worker.stop()

    print(f"\nsupplier faults, {PRODUCTS} products in {PRODUCTS // PAGE_SIZE} pages on a prefork ×2 worker; "
          f"{_describe(*first)}; {_describe(*second)}; both match the supplier's catalog exactly")  # fmt: skip
    for run, served, _ in (first, second):
        assert all(served[kind] for kind in ("error", "throttle", "timeout")), served
        assert run.listed_total == len(supplier_stub.catalog(version=run.supplier_version))
    assert first[0].products_created == PRODUCTS
    assert second[0].products_updated and second[0].products_deactivated

"""A sync whose worker dies midway is abandoned, and the next run converges exactly."""

from __future__ import annotations

import pytest

from shop.platform.jobs.models import Job
from sync import services
from sync.models import SyncRun
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_until
from tests.harness.processes import WorkerProcess, stack_env

from .helpers import assert_matches_supplier, sync_run_to_end


@pytest.mark.slow
def test_a_run_killed_midway_then_run_again_ends_with_exactly_the_suppliers_catalog(
    worker, sync_settings, supplier_stub, tmp_path
):
    sync_settings.SUPPLIER_SYNC_PAGE_SIZE = 20  # 15 pages
    supplier_stub.control(latency_ms=150)
    # The in-thread worker steps aside on the sync queue so the run lands on a prefork
    # worker subprocess, which can die the way a machine does.
    with in_thread_worker_steps_aside(worker, ["sync"]):
        doomed = WorkerProcess(queues=["sync"], name="sync-doomed", log_path=tmp_path / "worker.log",
                               env=stack_env(SUPPLIER_RATE_PER_SECOND="200")).start()  # fmt: skip
        try:
            first = services.sync_run_request(trigger=SyncRun.Trigger.STAFF)
            wait_until(
                lambda: SyncRun.objects.get(pk=first.pk).pages_done >= 3,
                timeout=60,
                message="3 pages applied",
            )
        finally:
            doomed.kill_all()  # the machine dies midway (or the wait failed: nothing left running)
    first.refresh_from_db()
    assert first.status == SyncRun.Status.RUNNING
    assert 3 <= first.pages_done < first.pages_total == 15

    # Nothing will move it on now; once it counts as stale the next request abandons it.
    sync_settings.SUPPLIER_SYNC_STALE_SECONDS = 0
    supplier_stub.control(advance_version=2, latency_ms=0)
    second = sync_run_to_end()

    assert second.status == SyncRun.Status.SUCCEEDED, second.error
    assert_matches_supplier(supplier_stub.catalog())
    first.refresh_from_db()
    assert (first.status, first.error) == (SyncRun.Status.FAILED, "abandoned: no progress for 0s")
    assert Job.objects.get(pk=first.job_id).status == Job.Status.CANCELLED

"""The sync workflow on the real worker against the real stub over HTTP."""

from __future__ import annotations

from catalog.models import Category, Product
from shop.platform.jobs.models import Job, JobStep
from sync.models import SyncPage, SyncRun
from tests.harness.jobs import wait_for_job

from .helpers import assert_matches_supplier, sync_run_to_end


def test_a_full_sync_matches_the_supplier_record_for_record(worker, sync_settings, supplier_stub):
    run = sync_run_to_end()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_matches_supplier(supplier_stub.catalog())
    assert (run.supplier_version, run.listed_total, run.pages_total, run.pages_done, run.pages_failed) == (
        0,
        300,
        6,
        6,
        0,
    )
    assert (run.products_created, run.products_updated, run.products_unchanged, run.products_deactivated) == (
        300,
        0,
        0,
        0,
    )
    assert run.started_at <= run.finished_at
    assert set(Category.objects.values_list("name", flat=True)) >= {
        i["category"] for i in supplier_stub.catalog()
    }
    job = wait_for_job(run.job)
    assert job.status == Job.Status.SUCCEEDED
    assert (job.kind, job.subject) == ("sync", f"sync-run:{run.pk}")
    steps = list(job.steps.filter(role=JobStep.Role.STEP).values_list("name", flat=True))
    assert steps == ["sync_run_begin", *["sync_page_apply"] * 5, "sync_run_finish"]
    assert (job.progress_done, job.progress_total) == (7, 7)
    assert {s.queue for s in job.steps.all()} == {"sync"}
    assert job.canvas["items"][1]["stage"] == "pages"


def test_a_second_sync_with_no_supplier_changes_writes_nothing(worker, sync_settings, supplier_stub):
    sync_run_to_end()
    written = dict(Product.objects.values_list("supplier_ref", "updated_at"))

    again = sync_run_to_end()

    assert again.status == SyncRun.Status.SUCCEEDED
    assert (
        again.products_created,
        again.products_updated,
        again.products_unchanged,
        again.products_deactivated,
    ) == (0, 0, 300, 0)
    assert dict(Product.objects.values_list("supplier_ref", "updated_at")) == written


def test_when_the_supplier_moves_on_the_sync_follows_exactly(worker, sync_settings, supplier_stub):
    before = {item["ref"]: item for item in supplier_stub.catalog()}
    sync_run_to_end()
    supplier_stub.control(advance_version=4)
    after = {item["ref"]: item for item in supplier_stub.catalog()}

    run = sync_run_to_end()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_matches_supplier(list(after.values()))
    changed = sum(1 for ref in after.keys() & before.keys() if after[ref] != before[ref])
    assert run.supplier_version == 4
    assert run.products_created == len(after.keys() - before.keys()) > 0
    assert run.products_deactivated == len(before.keys() - after.keys()) > 0
    assert run.products_updated == changed > 0
    assert run.products_unchanged == len(after) - run.products_created - changed
    gone = Product.objects.filter(supplier_ref__in=before.keys() - after.keys())
    assert gone.exists() and not gone.filter(is_active=True).exists()


def test_with_30_percent_faults_it_still_converges_exactly(worker, sync_settings, supplier_stub):
    sync_settings.SUPPLIER_SYNC_PAGE_SIZE = 20  # 15 pages: enough requests for every kind of fault
    supplier_stub.control(
        error_rate=0.12, throttle_rate=0.1, retry_after=1, timeout_rate=0.08, timeout_seconds=1
    )

    run = sync_run_to_end(timeout=120)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_matches_supplier(supplier_stub.catalog())
    counters = supplier_stub.state()["counters"]
    assert counters["error"] and counters["throttle"] and counters["timeout"], counters
    job = wait_for_job(run.job)
    assert job.status == Job.Status.SUCCEEDED
    assert (
        sum(job.steps.values_list("retries", flat=True))
        == counters["error"] + counters["throttle"] + counters["timeout"]
    )


def test_a_malformed_page_fails_that_page_and_leaves_the_database_consistent(
    worker, sync_settings, supplier_stub
):
    old = {item["ref"]: item for item in supplier_stub.catalog()}
    sync_run_to_end()
    supplier_stub.control(advance_version=4, malformed_pages=[3])
    new = supplier_stub.catalog()

    run = sync_run_to_end()

    assert run.status == SyncRun.Status.PARTIAL
    failed = run.pages.get(number=3)
    assert failed.status == SyncPage.Status.FAILED
    assert "MalformedPayload" in failed.error
    assert run.error.startswith("page 3: MalformedPayload")
    assert (run.pages_done, run.pages_failed, run.products_deactivated) == (run.pages_total - 1, 1, 0)
    # Every page but page 3 is applied as the supplier lists them now; page 3's products are
    # exactly as before, and nothing was deactivated from an incomplete listing.
    page_three = {item["ref"] for item in new[100:150]}
    assert_matches_supplier([item for item in new if item["ref"] not in page_three] +
                            [old[ref] for ref in old.keys() - {i["ref"] for i in new} | (page_three & old.keys())])  # fmt: skip
    job = wait_for_job(run.job)
    assert job.status == Job.Status.FAILED
    assert "MalformedPayload" in job.error
    assert job.steps.get(role=JobStep.Role.ON_ERROR).state == JobStep.State.SUCCESS

"""Supplier sync: products per second from the supplier's HTTP API into the catalog.

Ours: `sync_run_request` (as the staff API calls it): page 1, then a chord of page tasks,
each one SELECT and one bulk upsert, on the `sync` queue's worker. Naive: one task walking
the same pages over the same client and calling `update_or_create` per product
(bench/naive/tasks.py), on the same queue. Every repetition starts from a catalog without
the supplier's products, so each one imports them all; the supplier's rate limit is lifted.
"""

from __future__ import annotations

import time

from bench import broker
from bench.context import BenchContext
from bench.limit.sync import sync_loop
from bench.measure import Row, ScenarioResult, repeat
from bench.naive import tasks as naive
from bench.sizes import scaled_down
from catalog.models import Product
from sync.models import SyncRun
from sync.services import sync_run_request
from tests.harness.jobs import wait_until

TIMEOUT = 900


def _supplier_products_forget() -> None:
    Product.objects.filter(supplier_ref__isnull=False).delete()


def run(context: BenchContext) -> ScenarioResult:
    products, naive_products = context.sizes.sync_products, context.sizes.sync_naive_products
    queue = broker.queue_of("sync.sync_page_apply")

    def ours() -> dict[str, float]:
        _supplier_products_forget()
        started = time.perf_counter()
        sync_run = sync_run_request(trigger=SyncRun.Trigger.STAFF)
        finished = wait_until(
            lambda: SyncRun.objects.filter(id=sync_run.id, finished_at__isnull=False).first(),
            timeout=TIMEOUT,
            interval=0.1,
            message="the sync run finished",
        )
        elapsed = time.perf_counter() - started
        if finished.status != SyncRun.Status.SUCCEEDED or finished.products_created != products:
            raise RuntimeError(
                f"sync run {finished.id}: {finished.status}, {finished.products_created} created"
            )
        return {"products_per_s": products / elapsed}

    def naive_loop() -> dict[str, float]:
        _supplier_products_forget()
        started = time.perf_counter()
        synced = naive.supplier_sync_loop.apply_async(args=(naive_products,), queue=queue).get(
            timeout=TIMEOUT
        )
        elapsed = time.perf_counter() - started
        if synced != naive_products:
            raise RuntimeError(f"the naive loop synced {synced} of {naive_products}")
        return {"products_per_s": naive_products / elapsed}

    def limit() -> dict[str, float]:
        _supplier_products_forget()
        started = time.perf_counter()
        synced = sync_loop(products)
        elapsed = time.perf_counter() - started
        if synced != products:
            raise RuntimeError(f"the limit synced {synced} of {products}")
        return {"products_per_s": products / elapsed}

    figures, naive_figures, limit_figures = repeat(
        ours, naive_loop, limit, units={"products_per_s": "products/s"}
    )
    scaled, scaled_notes = scaled_down("sync_products", products)
    size = f"{products:,} products{scaled}" + (
        f" (naive: {naive_products:,}, its rate is per product)" if naive_products != products else ""
    )
    return ScenarioResult(
        name="sync",
        size=size,
        rows=[
            Row(
                "supplier products/s into the catalog",
                figures["products_per_s"],
                naive_figures["products_per_s"],
                "naive update_or_create loop",
            ),
            Row(
                "supplier products/s against the limit",
                figures["products_per_s"],
                limit_figures["products_per_s"],
                "the limit: pages of 1,000 over one session, executemany upsert",
            ),
        ],
        notes=[
            "A fresh import each repetition, timed from the request to the run's end (ours) or the "
            "task's result (naive); SUPPLIER_RATE_PER_SECOND lifted so the rate limit does not cap it.",
            "The catalog only: the bench's supplier lists no pictures (SUPPLIER_PICTURES_PER_PRODUCT=0, "
            "bench/stack.py), so no run has a pictures stage.",
            *scaled_notes,
        ],
    )

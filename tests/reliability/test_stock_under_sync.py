"""Shoppers check out, cancel and have cards declined over real HTTP while supplier syncs raise
and lower the counts of the same products (real worker, real supplier stub).

Sampled all along, in one statement each: for every product the units held equal its open
allocations, available = max(quantity - held, 0), and no more units are ever held at once than
the supplier ever had. Once that has settled, every allocation was closed once, the way its
order ended. Last, orders hold units while one more count lands and are released after it (a
declined card, a cancel): exactly the supplier's figures are for sale, not a unit more.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import OuterRef, Sum
from django.db.models.functions import Coalesce

from catalog.models import Product, StockAllocation
from shop.orders.models import Order
from sync import services as sync_services
from sync.models import SyncRun
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_for_job, wait_until
from tests.harness.processes import WorkerProcess, stack_env
from tests.orders.conftest import CARD_DECLINED, CARD_SUCCEEDS
from tests.sync.helpers import wait_run_finished

from .conftest import checkout_over_http, customer_session, worker_processes

pytestmark = pytest.mark.reliability

PRODUCTS = 5
SYNC_VERSIONS = 3  # syncs to versions 1..3 while shoppers buy, then one more at the end
SHOPPERS = 4
ORDERS_EACH = (6, 12)  # each shopper places at least 6 checkouts, and goes on while syncs run
DECLINED_EVERY = 4  # every 4th order of a shopper has a declined card
CANCELLED_EVERY = 3  # every 3rd is cancelled right after it is placed


def _figures(stub, version: int) -> dict[str, int]:
    stub.control(version=version)  # the stub serves only versions it has reached
    return {item["ref"]: item["stock"] for item in stub.catalog(version=version)}


def _held_per_product(product_ids: list[int]) -> list[dict]:
    """One statement, so one consistent snapshot on SQLite and PostgreSQL alike."""
    open_held = StockAllocation.objects.filter(state=StockAllocation.State.OPEN).values("product_id")
    return list(
        Product.objects.filter(id__in=product_ids)
        .annotate(
            open_held=Coalesce(
                open_held.filter(product_id=OuterRef("id")).annotate(units=Sum("quantity")).values("units"), 0
            )
        )
        .values("id", "supplier_ref", "quantity", "allocated", "available", "open_held")
    )


@pytest.fixture
def fast_sync(settings, supplier_stub):
    settings.SUPPLIER_SYNC_PAGE_SIZE = 50
    settings.SUPPLIER_RATE_PER_SECOND = 200
    return supplier_stub


def test_stock_adds_up_while_orders_cancellations_declines_and_syncs_interleave(
    worker, mailbox, live_server, fast_sync, tmp_path
):
    figures = [_figures(fast_sync, version) for version in range(SYNC_VERSIONS + 2)]
    fast_sync.control(version=0)
    # Products every version lists, with small counts so that shoppers compete for them.
    refs = sorted(
        ref for ref, units in figures[0].items() if 5 <= units <= 30 and all(ref in f for f in figures)
    )
    refs = refs[:PRODUCTS]
    assert len(refs) == PRODUCTS, "the stub's catalog has too few small, steady products"
    most_ever = {ref: max(f[ref] for f in figures[: SYNC_VERSIONS + 1]) for ref in refs}

    wait_run_finished(sync_services.sync_run_request(trigger=SyncRun.Trigger.STAFF).pk)
    ids = dict(Product.objects.filter(supplier_ref__in=refs).values_list("supplier_ref", "id"))
    product_ids = list(ids.values())
    sessions = [customer_session() for _ in range(SHOPPERS)]
    shopping, synced = threading.Event(), threading.Event()
    shopping.set()
    violations: list[str] = []
    samples = 0

    def sample() -> None:
        nonlocal samples
        try:
            while shopping.is_set():
                for row in _held_per_product(product_ids):
                    if row["allocated"] != row["open_held"]:
                        violations.append(
                            f"held {row['allocated']} != open allocations {row['open_held']}: {row}"
                        )
                    if row["available"] != max(row["quantity"] - row["allocated"], 0):
                        violations.append(f"available is not quantity - held: {row}")
                    if row["allocated"] > most_ever[row["supplier_ref"]]:
                        violations.append(f"more held than the supplier ever had: {row}")
                samples += 1
        finally:
            connection.close()

    def shop(number: int) -> Counter:
        rng, session, outcome = random.Random(number), sessions[number], Counter()
        fewest, most = ORDERS_EACH
        for n in range(1, most + 1):
            if n > fewest and synced.is_set():
                break
            lines = [(ids[ref], rng.randint(1, 3)) for ref in rng.sample(refs, rng.randint(1, 2))]
            card = CARD_DECLINED if n % DECLINED_EVERY == 0 else CARD_SUCCEEDS
            response = checkout_over_http(session, live_server.url, lines, card=card, key=uuid.uuid4().hex)
            outcome[response.status_code] += 1
            if response.status_code == 201 and n % CANCELLED_EVERY == 0:
                cancel = session.post(
                    f"{live_server.url}/api/orders/{response.json()['id']}/cancel/", timeout=30
                )
                outcome[f"cancel {cancel.status_code}"] += 1
        session.close()
        return outcome

    def sync_versions() -> None:
        try:
            for version in range(1, SYNC_VERSIONS + 1):
                fast_sync.control(version=version)
                run = wait_run_finished(sync_services.sync_run_request(trigger=SyncRun.Trigger.STAFF).pk)
                assert run.status == SyncRun.Status.SUCCEEDED, run.error
        finally:
            synced.set()
            connection.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    # Syncs run in a worker process of their own, as on worker-bulk; orders on the in-thread worker.
    sync_worker = WorkerProcess(queues=["sync"], name="sync", log_path=tmp_path / "sync-worker.log",
                                env=stack_env(SUPPLIER_RATE_PER_SECOND="200", SUPPLIER_SYNC_PAGE_SIZE="50"))  # fmt: skip
    try:
        with in_thread_worker_steps_aside(worker, ["sync"]), worker_processes([sync_worker]):
            with ThreadPoolExecutor(SHOPPERS + 1) as pool:
                syncing = pool.submit(sync_versions)
                outcomes = sum(pool.map(shop, range(SHOPPERS)), Counter())
                syncing.result()
            # The in-thread worker runs every order's steps and mail one at a time: give it the backlog.
            wait_until(lambda: not Order.objects.exclude(status__in=Order.FINAL).exists(), timeout=300,
                       message="every order final")  # fmt: skip
            first_orders = set(Order.objects.values_list("id", flat=True))
            # Then orders hold units while a count lands, and are released afterwards (a declined
            # card, a cancel): the count must come out exact, not a unit more.
            with in_thread_worker_steps_aside(worker, ["orders"]):
                for_sale = [
                    product_id for product_id in product_ids if Product.objects.get(id=product_id).available
                ]
                # Even ones will be cancelled, odd ones have their card declined.
                holding = [
                    checkout_over_http(sessions[0], live_server.url, [(product_id, 1)],
                                       card=CARD_DECLINED if n % 2 else CARD_SUCCEEDS).json()
                    for n, product_id in enumerate(for_sale)
                ]  # fmt: skip
                fast_sync.control(version=SYNC_VERSIONS + 1)
                wait_run_finished(sync_services.sync_run_request(trigger=SyncRun.Trigger.STAFF).pk)
                for n, order in enumerate(holding):
                    if not n % 2:
                        sessions[0].post(f"{live_server.url}/api/orders/{order['id']}/cancel/", timeout=30)
            for order in holding:
                wait_for_job(order["job"]["id"], timeout=120)
    finally:
        shopping.clear()
        sampler.join()

    orders = list(Order.objects.filter(id__in=first_orders).prefetch_related("lines"))
    statuses = Counter(order.status for order in orders)
    print(f"\n{outcomes[201] + outcomes[409]} checkouts beside {SYNC_VERSIONS} syncs: {dict(outcomes)}; "
          f"orders {dict(statuses)}; {samples} samples of {PRODUCTS} products")  # fmt: skip
    assert not violations, violations[:5]
    placed = sorted(order.placed_at for order in orders)
    sync_ends = SyncRun.objects.filter(supplier_version__in=range(1, SYNC_VERSIONS + 1)).values_list(
        "finished_at", flat=True
    )
    assert any(placed[0] < finished < placed[-1] for finished in sync_ends), "no sync ran among the orders"
    assert samples > 0
    assert set(outcomes) <= {201, 409, "cancel 200", "cancel 409"} and outcomes[201] == len(orders)
    assert holding, "nothing was left for sale to hold during the last count"
    assert set(statuses) <= {Order.Status.COMPLETED, Order.Status.FAILED, Order.Status.CANCELLED}
    assert statuses[Order.Status.FAILED] >= 1 and statuses[Order.Status.CANCELLED] >= 1

    # Every allocation was closed once, the way its order ended.
    closed_as = {Order.Status.COMPLETED: "fulfilled", Order.Status.FAILED: "released",
                 Order.Status.CANCELLED: "released"}  # fmt: skip
    allocations = Counter(
        StockAllocation.objects.filter(holder__in=[o.stock_holder for o in orders]).values_list(
            "holder", "state"
        )
    )
    assert allocations == Counter(
        {(order.stock_holder, closed_as[order.status]): order.lines.count() for order in orders}
    )
    final = figures[SYNC_VERSIONS + 1]
    assert Order.objects.exclude(id__in=first_orders).exclude(status__in=["failed", "cancelled"]).count() == 0
    assert not StockAllocation.objects.filter(state=StockAllocation.State.OPEN).exists()
    stock = {row["supplier_ref"]: (row["quantity"], row["allocated"], row["available"])
             for row in _held_per_product(product_ids)}  # fmt: skip
    assert stock == {ref: (final[ref], 0, final[ref]) for ref in refs}

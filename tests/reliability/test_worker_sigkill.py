"""Orders in flight while every worker process is SIGKILLed about every 2 seconds.

The orders and mail queues are consumed by two prefork worker subprocesses (the
Procfile's worker-fast and worker-mail consume them; prefork here, so that there are pool
children to kill). A killer thread alternates between SIGKILLing every pool
child (the main process requeues the child's message: task_reject_on_worker_lost) and
SIGKILLing every process of both workers at once, then restarting them (the messages they
held unacked come back after the broker's visibility timeout; the workers here run with
CELERY_VISIBILITY_TIMEOUT=10 so that takes seconds, not the production two hours).

At the end every order is completed or compensated (failed, stock released), with exactly
one captured charge per completed order at the gateway, one confirmation per completed
order in the SMTP sink, and stock that adds up exactly.

A SIGKILL can lose a message: a main process that dies just after popping it from Redis
(kombu records it as unacked only after the pop), or a chord header killed after storing
its result but before its part was counted (the chord then never fires). The order sits
`placed` or `paid`. The shop's answer is the stalled-order sweeper (beat, for orders whose
Job has been quiet for 10 minutes), which resends the stored workflow: every step is
idempotent, so what already ran does nothing twice. Once nothing has moved for
QUIET_SECONDS the test runs it as beat would 10 minutes later (conftest.sweep_until_settled).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from catalog.models import Product
from shop.orders.models import Order
from shop.orders.services import stalled_orders_redispatch
from tests.factories import ProductFactory
from tests.harness.beat import BeatProcess
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.processes import WorkerProcess, stack_env
from tests.orders.conftest import CARD_DECLINED, CARD_SUCCEEDS

from .conftest import (
    captured_payments,
    checkout_over_http,
    copies_received,
    customer_session,
    gateway_captures,
    sweep_until_settled,
    unfinished_orders,
    units_sold,
    worker_processes,
)

pytestmark = pytest.mark.reliability

# The issue asks for 200 orders, and 200 is what this test runs.
ORDERS = 200
DECLINED_EVERY = 10  # every 10th shopper's card is declined: those orders must be compensated
KILL_EVERY_SECONDS = 2.0
KILLING_AT_LEAST_SECONDS = 20
STOCK = 1000


class Killer(threading.Thread):
    """SIGKILLs every process of `workers` every KILL_EVERY_SECONDS until stopped."""

    def __init__(self, workers: list[WorkerProcess]) -> None:
        super().__init__(daemon=True)
        self.workers = workers
        self.stopping = threading.Event()
        self.sigkills = 0
        self.rounds = 0

    def run(self) -> None:
        while not self.stopping.wait(KILL_EVERY_SECONDS):
            self.rounds += 1
            if self.rounds % 2:
                for worker in self.workers:
                    for pid in worker.child_pids():
                        os.kill(pid, signal.SIGKILL)
                        self.sigkills += 1
            else:
                for worker in self.workers:
                    self.sigkills += 1 + len(worker.child_pids())
                    worker.kill_all()
                for worker in self.workers:
                    worker.start(wait=False)
                for worker in self.workers:
                    worker.wait_ready(timeout=60)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def _place(base_url: str, products: list[Product]) -> list[int]:
    shoppers = [customer_session() for _ in range(ORDERS)]

    def place(index: int) -> int:
        card = CARD_DECLINED if index % DECLINED_EVERY == 0 else CARD_SUCCEEDS
        lines = [(products[index % len(products)].id, 1 + index % 3)]
        response = checkout_over_http(shoppers[index], base_url, lines, card=card)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(place, range(ORDERS)))


def test_every_order_completes_or_is_compensated_exactly_once_while_workers_are_sigkilled(
    worker, mailbox, live_server, tmp_path
):
    products = [ProductFactory(quantity=STOCK) for _ in range(4)]
    env = stack_env(CELERY_VISIBILITY_TIMEOUT="10")
    workers = [
        WorkerProcess(queues=["orders", "mail"], name=f"fast{n}", env=env, log_path=tmp_path / f"fast{n}.log")
        for n in range(2)
    ]
    with (
        in_thread_worker_steps_aside(worker, ["orders", "mail"]),
        BeatProcess(tmp_path),
        worker_processes(workers),
    ):
        killer = Killer(workers)
        try:
            started = time.monotonic()
            killer.start()
            _place(live_server.url, products)
            placed_in = time.monotonic() - started
            time.sleep(max(0.0, KILLING_AT_LEAST_SECONDS - (time.monotonic() - started)))
            killer.stop()
            resent = sweep_until_settled(
                lambda: stalled_orders_redispatch(older_than=timedelta(0)), unfinished_orders
            )
            all_final_in = time.monotonic() - started
        finally:
            killer.stop()

    orders = list(Order.objects.prefetch_related("lines", "payments"))
    statuses = Counter(order.status for order in orders)
    captured = captured_payments(orders)
    confirmations = copies_received(mailbox, {o.id: f"order:{o.number}:confirmation" for o in orders})
    completed = [o for o in orders if o.status == Order.Status.COMPLETED]
    failed = [o for o in orders if o.status == Order.Status.FAILED]
    sold = units_sold(completed)
    print(f"\n{ORDERS} orders, {killer.sigkills} SIGKILLs in {killer.rounds} rounds, "
          f"{statuses[Order.Status.COMPLETED]} completed, {statuses[Order.Status.FAILED]} compensated, "
          f"{resent} workflows lost and resent by the stalled-order sweeper, 0 lost, {sum(n - 1 for n in captured.values())} doubled charges, "
          f"{sum(n - 1 for n in confirmations.values() if n > 1)} doubled confirmations "
          f"({mailbox.count()} messages in the sink); placed in {placed_in:.0f} s, all final "
          f"{all_final_in:.0f} s after the first order")  # fmt: skip

    assert len(orders) == ORDERS
    assert set(statuses) <= {Order.Status.COMPLETED, Order.Status.FAILED}
    assert len(failed) == ORDERS // DECLINED_EVERY
    assert all(o.stock_released and not any(p.status == "captured" for p in o.payments.all()) for o in failed)
    assert {o.id: captured[o.id] for o in completed} == {o.id: 1 for o in completed}
    assert gateway_captures() == len(completed)
    assert {o.id: confirmations[o.id] for o in completed} == {o.id: 1 for o in completed}
    assert {p.id: (p.quantity, p.allocated, p.available) for p in Product.objects.all()} == {
        p.id: (STOCK - sold[p.id], 0, STOCK - sold[p.id]) for p in products
    }

"""Orders: N checkouts over HTTP by K concurrent clients, each followed to `completed`.

Each client is a customer with an API token on its own keep-alive connection to the stack's
gunicorn, posting `POST /api/orders/` (one line, the test card that succeeds, a fresh
Idempotency-Key). Measured: the API's latency (p50/p99); orders per second from the first
request to the last order completed; each order's end-to-end time from its request to its
`completed_at` (p50/p99); and orders/s × tasks per order (the steps of its Job) as a share
of the ceiling scenario's no-op tasks/s on the same `orders` worker. The mail step runs
on the `mail` queue's own worker, so the share slightly overstates the load on `orders`.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from bench.catalog_data import bench_products
from bench.context import BenchContext
from bench.load import Request, http_load
from bench.measure import Figure, Row, ScenarioResult, percentile, repeat
from shop.jobs.models import JobStep
from shop.orders.models import Order
from tests.harness.jobs import wait_until

SUCCEEDING_CARD = "4242424242424242"
TIMEOUT = 600


def _customers_tokens(count: int) -> list[str]:
    User = get_user_model()
    tokens = []
    for n in range(count):
        user, _ = User.objects.get_or_create(
            username=f"bench-shopper-{n}", defaults={"email": f"shopper{n}@bench.greengrocer.test"}
        )
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    return tokens


def _product_id() -> int:
    return bench_products("orders", 1, price=Decimal("12.50"), quantity=1_000_000)[0].id


def run(context: BenchContext) -> ScenarioResult:
    count, clients = context.sizes.orders, context.sizes.order_clients
    tokens = _customers_tokens(clients)
    body = json.dumps({"lines": [{"product": _product_id(), "quantity": 1}], "card_number": SUCCEEDING_CARD})

    def checkout(number: int) -> Request:
        return Request(
            "POST",
            "/api/orders/",
            body.encode(),
            {
                "Authorization": f"Token {tokens[number % clients]}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )

    def once() -> dict[str, float]:
        samples = http_load(settings.SITE_URL, clients=clients, total=count, request_for=checkout)
        if any(sample.status != 201 for sample in samples):
            raise RuntimeError(f"checkouts answered {sorted({s.status for s in samples})}")
        sent_at = {json.loads(s.body)["id"]: s.sent_at for s in samples}
        orders = Order.objects.filter(id__in=sent_at)
        wait_until(
            lambda: orders.filter(status__in=Order.FINAL).count() == count,
            timeout=TIMEOUT,
            interval=0.1,
            message="every order finished its workflow",
        )
        completed = dict(orders.filter(status=Order.Status.COMPLETED).values_list("id", "completed_at"))
        if len(completed) != count:
            raise RuntimeError(f"{count - len(completed)} orders did not complete")
        end_to_end = [completed[order_id].timestamp() - sent_at[order_id] for order_id in completed]
        last = max(at.timestamp() for at in completed.values())
        steps = JobStep.objects.filter(job__in=orders.values("job"), role=JobStep.Role.STEP).count()
        api = [s.seconds for s in samples]
        return {
            "api_p50": percentile(api, 0.5),
            "api_p99": percentile(api, 0.99),
            "orders_per_s": count / (last - min(sent_at.values())),
            "e2e_p50": percentile(end_to_end, 0.5),
            "e2e_p99": percentile(end_to_end, 0.99),
            "tasks_per_order": steps / count,
        }

    units = {
        "api_p50": "s",
        "api_p99": "s",
        "orders_per_s": "orders/s",
        "e2e_p50": "s",
        "e2e_p99": "s",
        "tasks_per_order": "tasks",
    }
    (figures,) = repeat(once, units=units)
    rows = [
        Row("checkout API latency p50", figures["api_p50"], higher_is_better=False),
        Row("checkout API latency p99", figures["api_p99"], higher_is_better=False),
        Row("orders/s to completed", figures["orders_per_s"]),
        Row("order end-to-end (request → completed) p50", figures["e2e_p50"], higher_is_better=False),
        Row("order end-to-end (request → completed) p99", figures["e2e_p99"], higher_is_better=False),
        Row("tasks per order", figures["tasks_per_order"]),
    ]
    notes = []
    if ceiling := context.results.get("ceiling"):
        ceiling_per_s = ceiling.rows[0].ours.median
        share = tuple(
            100 * orders_per_s * tasks / ceiling_per_s
            for orders_per_s, tasks in zip(
                figures["orders_per_s"].runs, figures["tasks_per_order"].runs, strict=True
            )
        )
        rows.append(
            Row(
                f"orders/s × tasks per order, share of the ceiling ({ceiling_per_s:,.0f} tasks/s)",
                Figure("%", share),
            )
        )
        notes.append(
            "A share near 100 % means the order steps cost little beyond Celery's own per-task cost; "
            "the rest is the steps' work (payment, invoice PDF, SMTP, database)."
        )
    else:
        notes.append("Run with the ceiling scenario for the share of the ceiling.")
    return ScenarioResult(name="orders", size=f"{count:,} orders, {clients} clients", rows=rows, notes=notes)

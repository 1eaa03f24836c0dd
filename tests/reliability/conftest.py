"""The reliability suite (each module is marked `reliability`): tests talk to the shop over
real HTTP (pytest-django's live_server), with real workers, Redis, SMTP sink and supplier stub.

`customer_session(live_server)` gives a requests.Session signed in with a customer's API
token; `checkout_over_http` places an order through POST /api/orders/.
`sweep_until_settled` runs the shop's own recovery (beat's sweepers) the way beat would,
with beat's minutes compressed into seconds of quiet; the counting helpers below say what
the orders and mail came to in the end (payments, gateway charges, sink copies, stock).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager

import requests
from rest_framework.authtoken.models import Token

from notifications.sending import stable_message_id
from shop.orders.models import Order
from shop.platform.coordination import redis_client
from shop.platform.jobs.models import Job
from tests.factories import UserFactory
from tests.harness.jobs import wait_until
from tests.harness.mail import SmtpSink
from tests.harness.processes import WorkerProcess
from tests.orders.conftest import CARD_SUCCEEDS

# Nothing moved for this long: the workflows are finished, or some lost messages.
QUIET_SECONDS = 15


def token_session(user) -> requests.Session:
    """A requests.Session that authenticates as `user` with its API token."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return session


def customer_session(**user_fields) -> requests.Session:
    """A new customer's session (without a password: hashing one costs more than the test)."""
    return token_session(UserFactory(password=None, **user_fields))


def checkout_over_http(session: requests.Session, base_url: str, lines: list[tuple[int, int]], *,
                       card: str = CARD_SUCCEEDS, key: str | None = None) -> requests.Response:  # fmt: skip
    """POST /api/orders/ with (product id, quantity) lines."""
    return session.post(
        f"{base_url}/api/orders/",
        json={"lines": [{"product": p, "quantity": q} for p, q in lines], "card_number": card},
        headers={"Idempotency-Key": key} if key else {},
        timeout=60,
    )


@contextmanager
def worker_processes(workers: list[WorkerProcess]):
    """Start the worker subprocesses; stop them (SIGTERM, then SIGKILL) afterwards. If the
    test fails meanwhile, each worker's warnings and last lines are printed with it."""
    for process in workers:
        process.start()
    try:
        yield workers
    except BaseException:
        for process in workers:
            print(process.log_digest())
        raise
    finally:
        for process in workers:
            process.stop()


def unfinished_orders() -> str:
    """Each order that is not final yet, with its Job's steps ("" when there is none)."""
    lines = []
    for order in Order.objects.exclude(status__in=Order.FINAL).select_related("job"):
        steps = ", ".join(f"{s.name}={s.state}" for s in order.job.steps.filter(role="step"))
        lines.append(
            f"{order.number} {order.status} job={order.job.status}/{order.job.dispatch_state}: {steps}"
        )
    return "; ".join(lines)


def _wait_until_quiet() -> None:
    """Until every Job is finished, or none has changed for QUIET_SECONDS (some stalled)."""

    def quiet() -> bool:
        unfinished = Job.objects.exclude(status__in=Job.FINISHED)
        last_change = Job.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
        return not unfinished.exists() or time.time() - last_change.timestamp() > QUIET_SECONDS

    wait_until(quiet, timeout=240, interval=1, message="the workflows settled")


def sweep_until_settled(
    sweep: Callable[[], int], unfinished: Callable[[], str], *, timeout: float = 300
) -> int:
    """Run `sweep` (the shop's sweepers, told that quiet for 0 s is quiet enough) each time
    the Jobs go quiet, as beat would every few minutes for workflows quiet 10 minutes,
    until `unfinished()` names nothing; return how many workflows the sweeps sent.

    A confirmation whose sender was killed holding its claim waits for the claim to go
    stale (2 minutes) before it is sent: that bounds the wait.
    """
    sent = 0
    deadline = time.monotonic() + timeout
    while remaining := unfinished():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still unfinished after {timeout:.0f} s: {remaining}")
        _wait_until_quiet()
        sent += sweep()
        time.sleep(2)
    return sent


def captured_payments(orders: Iterable[Order]) -> Counter[int]:
    """Captured payments per order id (orders fetched with prefetch_related("payments"))."""
    return Counter(p.order_id for order in orders for p in order.payments.all() if p.status == "captured")


def gateway_captures() -> int:
    """How many charges the demo gateway recorded as captured (one key per charge in Redis)."""
    gateway = redis_client()
    return sum(b'"captured"' in (gateway.get(key) or b"") for key in gateway.keys("gateway:charge:*"))


def copies_received(mailbox: SmtpSink, keys: dict) -> dict:
    """How many copies of each message reached the sink: {name: business key} → {name: count}."""
    message_ids = Counter(str(message["Message-ID"]) for message in mailbox.messages())
    return {name: message_ids[stable_message_id(key)] for name, key in keys.items()}


def units_sold(orders: Iterable[Order]) -> Counter[int]:
    """Units per product id over `orders` (fetched with prefetch_related("lines"))."""
    sold: Counter[int] = Counter()
    for order in orders:
        for line in order.lines.all():
            sold[line.product_id] += line.quantity
    return sold

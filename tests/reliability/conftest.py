"""The reliability suite (each module is marked `reliability`): tests talk to the shop over
real HTTP (pytest-django's live_server), with real workers, Redis, SMTP sink and supplier stub.

`customer_session(live_server)` gives a requests.Session signed in with a customer's API
token; `checkout_over_http` places an order through POST /api/orders/.
"""

from __future__ import annotations

from contextlib import contextmanager

import requests
from rest_framework.authtoken.models import Token

from shop.celery import app
from tests.factories import UserFactory
from tests.orders.conftest import CARD_SUCCEEDS


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
def in_thread_worker_steps_aside(worker, queues: list[str]):
    """The session's in-thread worker stops consuming `queues` (so worker subprocesses get
    that work), and takes them up again afterwards."""
    for queue in queues:
        app.control.cancel_consumer(queue, destination=[worker.hostname], reply=True)
    try:
        yield
    finally:
        for queue in queues:
            app.control.add_consumer(queue, destination=[worker.hostname], reply=True)

"""Orders tests: a shopper with an API client, and a helper to check out over the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from devservers.payment_gateway import TEST_CARDS, TOKEN_DECLINED, TOKEN_SLOW, TOKEN_SUCCEEDS, TOKEN_TRANSIENT
from tests.factories import ProductFactory, UserFactory

CARD_FOR = {token: number for number, token in TEST_CARDS.items()}
CARD_SUCCEEDS = CARD_FOR[TOKEN_SUCCEEDS]
CARD_DECLINED = CARD_FOR[TOKEN_DECLINED]
CARD_TRANSIENT = CARD_FOR[TOKEN_TRANSIENT]
CARD_SLOW = CARD_FOR[TOKEN_SLOW]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def checkout(client: APIClient, lines: list[tuple[int, int]], *, card: str = CARD_SUCCEEDS,
             express: bool = False, key: str | None = None):  # fmt: skip
    """POST /api/orders/ with (product id, quantity) lines."""
    body = {
        "lines": [{"product": p, "quantity": q} for p, q in lines],
        "express": express,
        "card_number": card,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/orders/", body, format="json", **headers)


@pytest.fixture
def shopper():
    return UserFactory(first_name="Ada")


@pytest.fixture
def api(shopper) -> APIClient:
    return client_for(shopper)


@pytest.fixture
def apples():
    return ProductFactory(name="Apples", price="2.50", quantity=10)


@pytest.fixture
def pears():
    return ProductFactory(name="Pears", price="3.20", quantity=10)

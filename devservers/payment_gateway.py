"""The demo payment gateway: documented test cards, every charge and refund keyed.

The shop's default PAYMENT_GATEWAY outside production (shop/orders/payments.py has the
interface). Test cards (only the number matters; spaces are ignored):

    4242 4242 4242 4242   always succeeds
    4000 0000 0000 0002   always declined ("card_declined")
    4000 0000 0000 9995   the gateway fails transiently TRANSIENT_FAILURES times per charge
                          (counted per idempotency key), then succeeds
    4000 0000 0000 0077   succeeds after SLOW_SECONDS (a slow gateway)

Any other number is not a test card and is refused at checkout (400).

Tokenizing is offline, so checkout works while Redis is down. Like a real gateway, this one
remembers every charge and refund under its idempotency key (in the coordination Redis): a
charge retried with the same key returns the first result and never charges twice; the same
holds for refunds.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict
from decimal import Decimal

from redis.exceptions import RedisError

from shop.orders.payments import CardDeclined, CardToken, GatewayReceipt, InvalidCard, TransientGatewayError
from shop.platform.coordination import redis_client

TRANSIENT_FAILURES = 2
# PAYMENT_SLOW_SECONDS lengthens it for tests that must stop a worker mid-charge.
SLOW_SECONDS = float(os.environ.get("PAYMENT_SLOW_SECONDS", "3"))
# How long the gateway remembers an idempotency key (a real one: about a day or more).
KEY_RETENTION_SECONDS = 7 * 24 * 60 * 60

TOKEN_SUCCEEDS = "tok_succeeds"
TOKEN_DECLINED = "tok_declined"
TOKEN_TRANSIENT = "tok_transient_failures"
TOKEN_SLOW = "tok_slow"

TEST_CARDS = {
    "4242424242424242": TOKEN_SUCCEEDS,
    "4000000000000002": TOKEN_DECLINED,
    "4000000000009995": TOKEN_TRANSIENT,
    "4000000000000077": TOKEN_SLOW,
}
BEHAVIOUR = {
    TOKEN_SUCCEEDS: "Payment succeeds.",
    TOKEN_DECLINED: "The card is declined: the order fails and its stock goes back on the shelf.",
    TOKEN_TRANSIENT: f"The gateway fails {TRANSIENT_FAILURES} times, the step retries, then it succeeds.",
    TOKEN_SLOW: f"The gateway takes about {SLOW_SECONDS:g} seconds, then succeeds.",
}


def _remembered(kind: str, idempotency_key: str) -> GatewayReceipt | None:
    stored = redis_client().get(f"gateway:{kind}:{idempotency_key}")
    return GatewayReceipt(**json.loads(stored)) if stored else None


def _remember(kind: str, idempotency_key: str, receipt: GatewayReceipt) -> GatewayReceipt:
    """Store the receipt unless a concurrent request stored one first; return the stored one."""
    key = f"gateway:{kind}:{idempotency_key}"
    if redis_client().set(key, json.dumps(asdict(receipt)), nx=True, ex=KEY_RETENTION_SECONDS):
        return receipt
    return _remembered(kind, idempotency_key) or receipt


def _transient_failure_due(idempotency_key: str) -> bool:
    counter = f"gateway:attempts:{idempotency_key}"
    attempts = redis_client().incr(counter)
    redis_client().expire(counter, KEY_RETENTION_SECONDS)
    return attempts <= TRANSIENT_FAILURES


class DemoPaymentGateway:
    """shop.orders.payments.PaymentGateway over the test cards above."""

    test_cards = {number: BEHAVIOUR[token] for number, token in TEST_CARDS.items()}

    def card_tokenize(self, card_number: str) -> CardToken:
        digits = "".join(card_number.split())
        token = TEST_CARDS.get(digits)
        if token is None:
            raise InvalidCard("Not a test card: use one of the documented test card numbers.")
        return CardToken(token=token, last4=digits[-4:])

    def charge(self, *, idempotency_key: str, amount: Decimal, currency: str, token: str) -> GatewayReceipt:
        try:
            receipt = _remembered("charge", idempotency_key)
            if receipt is None:
                if token == TOKEN_TRANSIENT and _transient_failure_due(idempotency_key):
                    raise TransientGatewayError("Gateway timeout (test card 4000 0000 0000 9995).")
                if token == TOKEN_SLOW:
                    time.sleep(SLOW_SECONDS)
                declined = token not in TEST_CARDS.values() or token == TOKEN_DECLINED
                receipt = _remember(
                    "charge",
                    idempotency_key,
                    GatewayReceipt(
                        reference=f"ch_{secrets.token_hex(10)}",
                        status="declined" if declined else "captured",
                        amount=str(amount),
                        currency=currency,
                        message="Your card was declined." if declined else "",
                    ),
                )
        except RedisError as exc:
            raise TransientGatewayError(f"Gateway unavailable: {exc}") from exc
        if receipt.status == "declined":
            raise CardDeclined(receipt.message)
        return receipt

    def refund(
        self, *, idempotency_key: str, charge_reference: str, amount: Decimal, currency: str
    ) -> GatewayReceipt:
        try:
            return _remembered("refund", idempotency_key) or _remember(
                "refund",
                idempotency_key,
                GatewayReceipt(
                    reference=f"re_{secrets.token_hex(10)}",
                    status="refunded",
                    amount=str(amount),
                    currency=currency,
                    message=f"Refund of {charge_reference}",
                ),
            )
        except RedisError as exc:
            raise TransientGatewayError(f"Gateway unavailable: {exc}") from exc

"""The demo payment gateway: documented test cards, every charge and refund keyed.

Test cards (only the number matters; spaces are ignored):

    4242 4242 4242 4242   always succeeds
    4000 0000 0000 0002   always declined ("card_declined")
    4000 0000 0000 9995   the gateway fails transiently TRANSIENT_FAILURES times per charge
                          (counted per idempotency key), then succeeds
    4000 0000 0000 0077   succeeds after SLOW_SECONDS (a slow gateway)

Any other number is not a test card and is refused at checkout (400).

At checkout the card number becomes a token (`card_tokenize`, offline, so checkout works
while Redis is down); the order keeps the token and the last four digits, never the number.

Like a real gateway, this one remembers every charge and refund under its idempotency key
(in the coordination Redis): a charge retried with the same key returns the first result and
never charges twice; the same holds for refunds.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from decimal import Decimal

from redis.exceptions import RedisError

from shop.coordination import redis_client
from shop.errors import TransientError

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


class GatewayError(Exception):
    """The gateway refused or could not process a request."""


class TransientGatewayError(GatewayError, TransientError):
    """Timeout, 5xx or the gateway's storage unreachable: the same request may succeed later."""


class CardDeclined(GatewayError):
    """The card was declined: retrying the same charge will not help."""


class InvalidCard(ValueError):
    """The number is not one of the documented test cards."""


@dataclass(frozen=True)
class CardToken:
    token: str
    last4: str


@dataclass(frozen=True)
class GatewayReceipt:
    """What the gateway answers for a charge or a refund (stored under its key)."""

    reference: str
    status: str  # "captured", "declined" or "refunded"
    amount: str
    currency: str
    message: str = ""


def card_tokenize(card_number: str) -> CardToken:
    """Swap a test card number for the gateway's token (raises InvalidCard)."""
    digits = "".join(card_number.split())
    token = TEST_CARDS.get(digits)
    if token is None:
        raise InvalidCard("Not a test card: use one of the documented test card numbers.")
    return CardToken(token=token, last4=digits[-4:])


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


def charge(*, idempotency_key: str, amount: Decimal, currency: str, token: str) -> GatewayReceipt:
    """Charge a card once per idempotency key. Raises CardDeclined or TransientGatewayError."""
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


def refund(*, idempotency_key: str, charge_reference: str, amount: Decimal, currency: str) -> GatewayReceipt:
    """Refund a captured charge once per idempotency key. Raises TransientGatewayError."""
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

"""The payment gateway the orders charge and refund through, chosen in settings.

`settings.PAYMENT_GATEWAY` names a class (a dotted path) that implements `PaymentGateway`;
`gateway()` loads it once per process. Locally it is the demo gateway
(devservers/payment_gateway.py); production must name one (shop/settings/services.py).

What the order workflow relies on, whichever gateway it is:
- a charge or a refund repeated with its idempotency key returns the first result and never
  moves money twice (steps are retried and redelivered; see steps.py);
- TransientGatewayError means the same request may succeed later (the step retries),
  CardDeclined that it will not (the order fails), InvalidCard that checkout refuses the
  number (400);
- the order keeps the card's token and last four digits, never its number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from shop.platform.errors import TransientError


class GatewayError(Exception):
    """The gateway refused or could not process a request."""


class TransientGatewayError(GatewayError, TransientError):
    """Timeout, 5xx or the gateway's storage unreachable: the same request may succeed later."""


class CardDeclined(GatewayError):
    """The card was declined: retrying the same charge will not help."""


class InvalidCard(ValueError):
    """The gateway does not accept this card number."""


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


@runtime_checkable
class PaymentGateway(Protocol):
    # Test card number -> what it does, listed on the checkout page; a live gateway has none.
    test_cards: Mapping[str, str]

    def card_tokenize(self, card_number: str) -> CardToken:
        """Swap a card number for the gateway's token (raises InvalidCard)."""
        ...

    def charge(self, *, idempotency_key: str, amount: Decimal, currency: str, token: str) -> GatewayReceipt:
        """Charge once per key. Raises CardDeclined or TransientGatewayError."""
        ...

    def refund(
        self, *, idempotency_key: str, charge_reference: str, amount: Decimal, currency: str
    ) -> GatewayReceipt:
        """Refund a captured charge once per key. Raises TransientGatewayError."""
        ...


@cache
def gateway() -> PaymentGateway:
    """The gateway settings.PAYMENT_GATEWAY names, created on first use."""
    instance = import_string(settings.PAYMENT_GATEWAY)()
    if not isinstance(instance, PaymentGateway):
        raise ImproperlyConfigured(f"PAYMENT_GATEWAY={settings.PAYMENT_GATEWAY} is not a PaymentGateway.")
    return instance


@receiver(setting_changed)
def _gateway_forget(*, setting: str, **kwargs) -> None:
    # A test that overrides PAYMENT_GATEWAY gets the gateway it named.
    if setting == "PAYMENT_GATEWAY":
        gateway.cache_clear()

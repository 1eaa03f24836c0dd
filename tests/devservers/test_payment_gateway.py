"""The demo gateway: test cards, and one charge or refund per idempotency key."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from devservers import payment_gateway as demo
from shop.orders import payments
from tests.orders.conftest import CARD_DECLINED, CARD_SUCCEEDS, CARD_TRANSIENT

gateway = demo.DemoPaymentGateway()


def _charge(key: str, card: str) -> payments.GatewayReceipt:
    token = gateway.card_tokenize(card).token
    return gateway.charge(idempotency_key=key, amount=Decimal("9.95"), currency="EUR", token=token)


def test_a_charge_repeated_with_its_key_is_the_same_charge():
    key = f"test:{uuid.uuid4()}"
    first = _charge(key, CARD_SUCCEEDS)

    assert first.status == "captured" and first.reference.startswith("ch_")
    assert _charge(key, CARD_SUCCEEDS) == first
    assert _charge(f"test:{uuid.uuid4()}", CARD_SUCCEEDS).reference != first.reference


def test_the_decline_card_is_declined_every_time():
    key = f"test:{uuid.uuid4()}"
    for _ in range(2):
        with pytest.raises(payments.CardDeclined):
            _charge(key, CARD_DECLINED)


def test_the_transient_card_fails_a_few_times_per_key_then_succeeds_once():
    key = f"test:{uuid.uuid4()}"
    for _ in range(demo.TRANSIENT_FAILURES):
        with pytest.raises(payments.TransientGatewayError):
            _charge(key, CARD_TRANSIENT)
    receipt = _charge(key, CARD_TRANSIENT)
    assert receipt.status == "captured"
    assert _charge(key, CARD_TRANSIENT) == receipt


def test_a_refund_repeated_with_its_key_is_the_same_refund():
    key = f"test:{uuid.uuid4()}"
    refund = gateway.refund(
        idempotency_key=key, charge_reference="ch_x", amount=Decimal("1.00"), currency="EUR"
    )
    again = gateway.refund(
        idempotency_key=key, charge_reference="ch_x", amount=Decimal("1.00"), currency="EUR"
    )

    assert refund == again and refund.reference.startswith("re_")


@pytest.mark.parametrize("number", ["4111111111111111", "", "4242", "not a card"])
def test_only_the_documented_test_cards_are_accepted(number):
    with pytest.raises(payments.InvalidCard):
        gateway.card_tokenize(number)
    assert gateway.card_tokenize("4242 4242 4242 4242") == payments.CardToken(demo.TOKEN_SUCCEEDS, "4242")

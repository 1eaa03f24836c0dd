"""The gateway orders pay through is the one settings.PAYMENT_GATEWAY names.

The steps run in this process (no worker), so the overridden setting is the one they read.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from devservers.payment_gateway import DemoPaymentGateway
from shop.orders import compensation, payments, steps
from shop.orders.models import Order, Payment

from .conftest import checkout

pytestmark = pytest.mark.django_db

GATEWAY = f"{__name__}.RecordingGateway"


class RecordingGateway(DemoPaymentGateway):
    """The demo gateway with no test cards to list, noting what it is asked to do."""

    test_cards = {}
    calls: list[tuple[str, dict]] = []

    def charge(self, **request):
        self.calls.append(("charge", request))
        return super().charge(**request)

    def refund(self, **request):
        self.calls.append(("refund", request))
        return super().refund(**request)


@pytest.fixture
def recording(settings):
    settings.PAYMENT_GATEWAY = GATEWAY
    RecordingGateway.calls = []
    yield RecordingGateway.calls
    # The settings fixture puts the demo back after this: the next test gets it again.


def test_the_demo_gateway_is_the_local_default():
    assert isinstance(payments.gateway(), DemoPaymentGateway)
    assert not isinstance(payments.gateway(), RecordingGateway)


def test_the_charge_and_the_refund_go_through_the_configured_gateway_once(recording, api, apples):
    order = Order.objects.get(id=checkout(api, [(apples.id, 2)]).json()["id"])
    key = f"order:{order.number}:charge"

    charged = steps.charge_payment(order_id=order.id)
    assert steps.charge_payment(order_id=order.id) == charged, "a repeated step charges nothing new"
    Order.objects.filter(id=order.id).update(status=Order.Status.CANCELLED)
    (refund,) = compensation.payments_refund(order_id=order.id)

    assert [kind for kind, _ in recording] == ["charge", "refund"]
    assert recording[0][1] == {"idempotency_key": key, "amount": order.total, "currency": order.currency,
                               "token": order.payment_token}  # fmt: skip
    assert recording[1][1]["idempotency_key"] == f"{key}:refund"
    assert Payment.objects.get(order=order).refund_reference == refund


def test_checkout_lists_the_configured_gateways_test_cards(recording, client, shopper):
    client.force_login(shopper)
    assert "Test cards" not in client.get("/checkout/").content.decode()


def test_a_setting_that_names_no_gateway_is_refused(settings):
    settings.PAYMENT_GATEWAY = "shop.orders.models.Order"
    with pytest.raises(ImproperlyConfigured, match="is not a PaymentGateway"):
        payments.gateway()

"""Every step run again by hand after the workflow finished changes nothing."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile

from catalog.models import Product
from notifications.models import OutgoingMessage
from notifications.tasks import send_message
from shop.orders import tasks
from shop.orders.models import Order, OrderStepRecord, Payment
from shop.platform.coordination import redis_client
from shop.platform.jobs.models import Job
from tests.harness.jobs import wait_for_job

from .conftest import checkout


def _effects(order_id: int) -> dict:
    order = Order.objects.filter(id=order_id).values().get()
    order.pop("updated_at")
    return {
        "order": {k: str(v) if isinstance(v, FieldFile) else v for k, v in order.items()},
        "payments": list(Payment.objects.values("status", "gateway_reference", "refund_reference", "amount")),
        "records": list(OrderStepRecord.objects.values_list("order_id", "step", "result")),
        "messages": list(OutgoingMessage.objects.values_list("key", "status", "attempts")),
        "stock": list(Product.objects.values_list("id", "quantity", "allocated")),
        "gateway": sorted(redis_client().keys("gateway:*")),
        "jobs": Job.objects.count(),
    }


def test_each_step_run_twice_by_hand_changes_nothing_the_second_time(worker, mailbox, api, apples):
    order = checkout(api, [(apples.id, 2)]).json()
    wait_for_job(order["job"]["id"])
    mailbox.wait_for(1)
    before = _effects(order["id"])
    message_id = OutgoingMessage.objects.get().id

    for task in (tasks.charge_payment, tasks.render_invoice_pdf, tasks.book_shipment,
                 tasks.prepare_confirmation, tasks.complete_order, tasks.order_fail,
                 tasks.payments_refund):  # fmt: skip
        assert task.apply(kwargs={"order_id": order["id"]}).state == "SUCCESS", task.name
    assert send_message.apply(kwargs={"message_id": message_id}).state == "SUCCESS"

    assert _effects(order["id"]) == before
    assert before["order"]["status"] == Order.Status.COMPLETED
    assert mailbox.count() == 1

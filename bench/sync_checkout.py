"""The orders scenario's baseline: a synchronous checkout, all of an order's work in the request.

`POST /bench/checkout/` takes what `POST /api/orders/` takes and runs the shop's own code in
the request, under the same gunicorn: `order_place` (checks, order, stock held), then the
six steps' functions in the workflow's order: charge, invoice PDF, shipment, confirmation,
the mail through the SMTP sink, completion. It answers 201 once the order is completed.
`order_place` also records the order's Job; it is marked sent and its on-commit send is
dropped before the commit, so the outbox never publishes it and no worker repeats the work.
That costs the baseline the small inserts the asynchronous checkout pays too.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.services import message_send
from shop.orders import services, steps
from shop.orders.serializers import OrderPlaceSerializer, OrderSerializer
from shop.platform.jobs.models import Job

SYNC_CHECKOUT_PATH = "bench/checkout/"


class SyncCheckoutView(APIView):
    throttle_scope = "checkout"

    def post(self, request: Request) -> Response:
        params = OrderPlaceSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            placement = services.order_place(
                customer=request.user,
                idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
                **params.validated_data,
            )
            Job.objects.filter(id=placement.order.job_id).update(dispatch_state=Job.DispatchState.DISPATCHED)
            transaction.get_connection().run_on_commit.clear()
        order_id = placement.order.id
        steps.charge_payment(order_id=order_id)
        steps.render_invoice_pdf(order_id=order_id)
        steps.book_shipment(order_id=order_id)
        message_send(message_id=steps.prepare_confirmation(order_id=order_id))
        steps.complete_order(order_id=order_id)
        placement.order.refresh_from_db()
        return Response(OrderSerializer(placement.order).data, status=status.HTTP_201_CREATED)

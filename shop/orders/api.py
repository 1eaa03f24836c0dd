"""Orders API: checkout (with Idempotency-Key), the caller's orders, cancel, the invoice PDF."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from shop.platform.errors import Conflict

from . import compensation, selectors, services
from .models import Order
from .serializers import OrderPlaceSerializer, OrderSerializer

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"error": {"status", "code", "message", "details"?}}'
)
IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="Up to 100 characters. Repeating a request with the same key returns the order it "
    "placed (200); the same key with a different request is a 409.",
)
MAX_IDEMPOTENCY_KEY = 100


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's orders. Another customer's order is a 404; staff may read any."""

    serializer_class = OrderSerializer
    filterset_fields = ["status", "express"]
    search_fields = ["number"]
    ordering_fields = ["placed_at", "total"]

    @property
    def throttle_scope(self) -> str | None:
        """Placing orders has its own limit (shop.platform.throttling); reading them does not."""
        return "checkout" if getattr(self, "action", None) == "create" else None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Order.objects.none()
        return selectors.order_list(user=self.request.user).prefetch_related("payments")

    def _order(self) -> Order:
        try:
            return selectors.order_get(user=self.request.user, order_id=int(self.kwargs["pk"]))
        except (Order.DoesNotExist, ValueError):
            raise NotFound("No such order.") from None

    def get_object(self) -> Order:
        return self._order()

    @extend_schema(
        request=OrderPlaceSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(
                OrderSerializer, description="Replayed: the order an earlier request placed."
            ),
            400: ERROR_RESPONSE,
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="Out of stock, or Idempotency-Key reused."),
        },
    )
    def create(self, request):
        """Place an order: its stock is held now; payment, invoice and mail follow in its Job."""
        params = OrderPlaceSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        idempotency_key = request.headers.get("Idempotency-Key", "").strip()
        if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            raise serializers.ValidationError(
                {"Idempotency-Key": [f"At most {MAX_IDEMPOTENCY_KEY} characters."]}
            )
        placement = services.order_place(
            customer=request.user, idempotency_key=idempotency_key, **params.validated_data
        )
        return Response(
            OrderSerializer(placement.order, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if placement.created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={200: OrderSerializer, 404: ERROR_RESPONSE, 409: ERROR_RESPONSE})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel: steps not yet run are revoked, those that ran are undone (refund, stock)."""
        order = compensation.order_cancel(order_id=self._order().id)
        order = selectors.order_get(user=request.user, order_id=order.id)
        return Response(OrderSerializer(order, context=self.get_serializer_context()).data)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: ERROR_RESPONSE,
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="The invoice is not rendered yet."),
        }
    )
    @action(detail=True, methods=["get"])
    def invoice(self, request, pk=None):
        """The invoice PDF, for the order's customer and for staff."""
        order = self._order()
        if not order.invoice:
            raise Conflict(
                f"The invoice of order {order.number} is not rendered yet; it follows the payment.",
                code="invoice_not_ready",
                details={"order": order.id, "status": order.status},
            )
        return FileResponse(
            order.invoice.open("rb"), content_type="application/pdf", filename=f"invoice-{order.number}.pdf"
        )

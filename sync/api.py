"""Staff API for the supplier sync: start a run (202 + its Job), list and read runs, and
read or set the supplier stub's fault switches for the staff console."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import SyncRun
from .serializers import SupplierFaultsSerializer, SyncRunDetailSerializer, SyncRunSerializer

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"error": {"status", "code", "message", "details"?}}'
)


@extend_schema_view(
    list=extend_schema(summary="Supplier sync runs with their counts, newest first (staff)"),
    retrieve=extend_schema(
        summary="One sync run with its pages (staff)", responses={200: SyncRunDetailSerializer}
    ),
)
class SyncRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = SyncRunSerializer
    filterset_fields = ["status", "trigger"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.sync_run_detail_list() if self.action == "retrieve" else selectors.sync_run_list()

    def get_serializer_class(self):
        return SyncRunDetailSerializer if self.action == "retrieve" else SyncRunSerializer

    @extend_schema(
        summary="Start a supplier sync now (staff)",
        request=None,
        responses={202: SyncRunSerializer, 409: ERROR_RESPONSE},
        description="Answers 409 with the running run in `details.run` if a sync is already running.",
    )
    def create(self, request):
        run = services.sync_run_request(trigger=SyncRun.Trigger.STAFF, requested_by=request.user)
        return Response(SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class SupplierFaultsView(APIView):
    """The supplier stub's fault switches, proxied to its control endpoint (staff)."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(summary="Read the supplier stub's fault switches and counters (staff)",
                   responses={200: OpenApiTypes.OBJECT, 503: ERROR_RESPONSE})  # fmt: skip
    def get(self, request):
        return Response(services.supplier_faults())

    @extend_schema(
        summary="Change the supplier stub's fault switches (staff)",
        request=SupplierFaultsSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: ERROR_RESPONSE, 502: ERROR_RESPONSE, 503: ERROR_RESPONSE},
    )
    def post(self, request):
        changes = SupplierFaultsSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        return Response(services.supplier_faults(changes=changes.validated_data))

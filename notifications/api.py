"""Staff API: campaigns (create, send, counts) and the SMTP sink's mailbox."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from devservers import mailbox
from shop.platform.api_pagination import PageNumberPagination

from . import campaigns, selectors
from .serializers import CampaignCreateSerializer, CampaignSerializer, MailboxMessageSerializer


class CampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Campaigns and their delivery counts. Staff only."""

    permission_classes = [permissions.IsAdminUser]
    serializer_class = CampaignSerializer
    filterset_fields = ["status", "audience"]
    search_fields = ["name", "subject"]
    ordering_fields = ["created_at", "started_at"]

    def get_queryset(self):
        return selectors.campaign_list()

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request, *args, **kwargs):
        params = CampaignCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        campaign = campaigns.campaign_create(created_by=request.user, **params.validated_data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={202: CampaignSerializer, 409: OpenApiResponse(description="Not a draft")}
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send a draft campaign: 202 with the campaign and its Job; 409 if already sent."""
        campaign = campaigns.campaign_send_start(campaign_id=self.get_object().id, owner=request.user)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_202_ACCEPTED)


class MailboxViewSet(viewsets.ViewSet):
    """The SMTP sink's messages, newest first (what `python -m devservers.smtp_sink` stored)."""

    permission_classes = [permissions.IsAdminUser]
    lookup_value_regex = r"\d{20}-[0-9a-f]{8}"
    # Declared on the view so that the schema describes the list as the paginated page it is.
    pagination_class = PageNumberPagination

    @extend_schema(responses=MailboxMessageSerializer(many=True))
    def list(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(mailbox.sink_message_ids(), request, view=self)
        messages = [m for m in (self._read(message_id) for message_id in page) if m is not None]
        data = MailboxMessageSerializer(messages, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(responses=MailboxMessageSerializer)
    def retrieve(self, request, pk=None):
        message = self._read(pk)
        if message is None:
            raise NotFound("No such message in the mailbox.")
        return Response(MailboxMessageSerializer(message, context={"request": request}).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<index>\d+)")
    def attachment(self, request, pk=None, index=None):
        """Download one attachment of a message."""
        try:
            filename, content_type, content = mailbox.sink_attachment_get(pk, int(index))
        except mailbox.SinkMessageNotFound:
            raise NotFound("No such attachment.") from None
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response

    @staticmethod
    def _read(message_id: str) -> mailbox.SinkMessage | None:
        try:
            return mailbox.sink_message_get(message_id)
        except mailbox.SinkMessageNotFound:
            return None  # deleted between listing and reading

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema, inline_serializer
from redis.exceptions import RedisError
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.platform.errors import Unavailable

from .selectors import queue_depths


class BrokerUnavailable(Unavailable):
    code = "broker_unavailable"
    default_message = "The broker (Redis) cannot be reached."


class QueueDepthView(APIView):
    """Messages waiting in each queue, per semantic priority, plus those taken but unacked."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        responses=inline_serializer(
            "QueueDepths",
            {
                "queues": serializers.ListField(child=serializers.DictField()),
                "unacked": serializers.IntegerField(),
            },
        )
    )
    def get(self, request):
        try:
            depths, unacked = queue_depths()
        except RedisError as exc:
            raise BrokerUnavailable(details={"reason": str(exc)}) from exc
        return Response({"queues": [asdict(d) for d in depths], "unacked": unacked})

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import Job
from .serializers import DemoJobRequestSerializer, JobSerializer


class JobFilter(filters.FilterSet):
    class Meta:
        model = Job
        fields = ["kind", "status"]


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Workflow runs: their status, progress and steps. Owners see theirs; staff see all."""

    # The schema generator reads the model from here (get_queryset needs a real user).
    queryset = Job.objects.none()
    serializer_class = JobSerializer
    # Ids only: with the demo off, jobs/demo/ is no Job's address but a 404 (shop/urls.py).
    lookup_value_regex = r"\d+"
    filterset_class = JobFilter
    ordering_fields = ["created_at"]
    search_fields = ["subject"]

    def get_queryset(self):
        return selectors.job_list(user=self.request.user)

    @extend_schema(request=DemoJobRequestSerializer, responses={202: JobSerializer})
    @action(detail=False, methods=["post"], permission_classes=[permissions.IsAdminUser])
    def demo(self, request):
        """Start the demo workflow (chain + chord, one step retries) and follow it."""
        params = DemoJobRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = services.demo_job_start(owner=request.user, **params.validated_data)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

"""Staff API for sales reports: request one (202 + its Job), list, read, download the PDF."""

from __future__ import annotations

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from shop.api_urls import absolute_url
from shop.platform.errors import Conflict, InvalidInput
from shop.platform.jobs.serializers import JobSummarySerializer

from . import selectors, services
from .models import Report

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"error": {"status", "code", "message", "details"?}}'
)


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    period_start = serializers.DateField(
        required=False,
        help_text="Custom: the first day. Other kinds: any day of the period (default: the last complete one).",
    )
    period_end = serializers.DateField(
        required=False, help_text="Custom reports only: the last day (inclusive)."
    )

    def validate(self, attrs):
        try:
            start, end = services.report_period(
                kind=attrs["kind"], period_start=attrs.get("period_start"), period_end=attrs.get("period_end")
            )
        except InvalidInput as exc:  # a field error of this serializer, named "period"
            raise serializers.ValidationError({"period": [exc.message]}) from exc
        return {"kind": attrs["kind"], "period_start": start, "period_end": end}


class ReportSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True, help_text="Percent of the workflow's steps finished.")
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    pdf_url = serializers.SerializerMethodField()
    job = JobSummarySerializer(read_only=True)

    class Meta:
        model = Report
        fields = [
            "id", "kind", "period_start", "period_end", "status", "progress", "audience", "requested_by",
            "requested_at", "started_at", "finished_at", "error", "pdf_url", "job",
        ]  # fmt: skip
        read_only_fields = fields

    def get_pdf_url(self, report: Report) -> str | None:
        if not report.is_ready:
            return None
        return absolute_url(self.context, reverse("report-pdf", args=[report.id]))


class ReportDetailSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "figures"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Sales reports, newest first (staff)"),
    retrieve=extend_schema(
        summary="One report with its figures (staff)", responses={200: ReportDetailSerializer}
    ),
)
class ReportViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Sales reports. Staff only: they show the whole shop's revenue."""

    permission_classes = [permissions.IsAdminUser]
    filterset_fields = ["kind", "status"]
    ordering_fields = ["requested_at", "period_start"]

    def get_queryset(self):
        return selectors.report_list()

    def get_serializer_class(self):
        if self.action == "create":
            return ReportRequestSerializer
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    @extend_schema(
        summary="Request a report (staff)",
        description="Starts the report workflow at NORMAL priority; follow `job` for progress. "
        "The requester is mailed when the PDF is ready.",
        request=ReportRequestSerializer,
        responses={202: ReportSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
    )
    def create(self, request, *args, **kwargs):
        params = ReportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        report = services.report_request(requested_by=request.user, **params.validated_data)
        body = ReportSerializer(report, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download the report's PDF (staff)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: ERROR_RESPONSE,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Not ready yet (report_not_ready) or failed."
            ),
        },
    )
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        report = self.get_object()
        if report.status == Report.Status.FAILED:
            raise Conflict(f"This report failed, so it has no PDF: {report.error}", code="report_failed")
        if not report.is_ready:
            raise Conflict(
                f"The report is still {report.get_status_display().lower()} ({report.progress}% done); "
                "try again when its status is ready.",
                code="report_not_ready",
                details={"status": report.status, "progress": report.progress},
            )
        if not report.pdf or not report.pdf.storage.exists(report.pdf.name):
            raise NotFound("The report is ready but its PDF file is missing.")
        filename = f"greengrocer-{report.kind}-report-{report.period_start}-{report.period_end}.pdf"
        return FileResponse(report.pdf.open("rb"), content_type="application/pdf", filename=filename)

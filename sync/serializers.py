from __future__ import annotations

from rest_framework import serializers

from shop.platform.jobs.serializers import JobSummarySerializer

from .models import SyncPage, SyncRun


class SyncRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    duration_seconds = serializers.SerializerMethodField()
    job = JobSummarySerializer(read_only=True)

    class Meta:
        model = SyncRun
        fields = [
            "id", "status", "trigger", "requested_by", "supplier_version", "listed_total", "page_size",
            "pages_total", "pages_done", "pages_failed", "products_created", "products_updated",
            "products_unchanged", "products_deactivated", "pictures_fetched", "pictures_unchanged",
            "pictures_failed", "pictures_removed", "error", "created_at", "started_at",
            "finished_at", "duration_seconds", "job",
        ]  # fmt: skip
        read_only_fields = fields

    def get_duration_seconds(self, run: SyncRun) -> float | None:
        return round(run.duration.total_seconds(), 3) if run.duration is not None else None


class SyncPageSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncPage
        fields = ["number", "status", "products_created", "products_updated", "products_unchanged", "error",
                  "recorded_at"]  # fmt: skip
        read_only_fields = fields


class SyncRunDetailSerializer(SyncRunSerializer):
    pages = SyncPageSerializer(many=True, read_only=True)

    class Meta(SyncRunSerializer.Meta):
        fields = [*SyncRunSerializer.Meta.fields, "pages"]
        read_only_fields = fields


class SupplierFaultsSerializer(serializers.Serializer):
    """The stub's switches a member of staff may change; all optional."""

    latency_ms = serializers.IntegerField(min_value=0, max_value=30_000, required=False)
    error_rate = serializers.FloatField(min_value=0, max_value=1, required=False,
                                        help_text="Share of page requests answered 500.")  # fmt: skip
    throttle_rate = serializers.FloatField(min_value=0, max_value=1, required=False,
                                           help_text="Share answered 429 with Retry-After.")  # fmt: skip
    retry_after = serializers.IntegerField(min_value=0, max_value=600, required=False)
    timeout_rate = serializers.FloatField(min_value=0, max_value=1, required=False,
                                          help_text="Share that stall past the client's read timeout.")  # fmt: skip
    timeout_seconds = serializers.FloatField(min_value=0, max_value=120, required=False)
    malformed_pages = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=100,
                                            required=False, help_text="Pages served as truncated JSON.")  # fmt: skip
    fault_seed = serializers.IntegerField(min_value=0, max_value=2**31, required=False)
    max_consecutive_faults = serializers.IntegerField(min_value=0, max_value=100, required=False)
    advance_version = serializers.IntegerField(min_value=1, max_value=1000, required=False,
                                               help_text="Move the catalog on: prices, stock, listings change.")  # fmt: skip
    reset = serializers.BooleanField(
        required=False, help_text="Back to the stub's start configuration first."
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give at least one switch to change.")
        rates = ("error_rate", "throttle_rate", "timeout_rate")
        if sum(attrs.get(name, 0) for name in rates) > 1:
            raise serializers.ValidationError(
                "error_rate, throttle_rate and timeout_rate add up to more than 1."
            )
        return attrs

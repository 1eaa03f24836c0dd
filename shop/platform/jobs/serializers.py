from __future__ import annotations

from rest_framework import serializers

from .models import Job, JobStep


class JobStepSerializer(serializers.ModelSerializer):
    flower_url = serializers.CharField(read_only=True)

    class Meta:
        model = JobStep
        fields = [
            "position", "name", "task_name", "task_id", "queue", "priority", "role", "state",
            "retries", "error", "started_at", "finished_at", "flower_url",
        ]  # fmt: skip


class JobSerializer(serializers.ModelSerializer):
    steps = JobStepSerializer(many=True, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    is_finished = serializers.BooleanField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id", "kind", "subject", "status", "priority", "progress_done", "progress_total",
            "percent", "is_finished", "error", "dispatch_state", "dispatch_attempts",
            "created_at", "started_at", "finished_at", "canvas", "steps",
        ]  # fmt: skip


class JobSummarySerializer(serializers.ModelSerializer):
    """What another resource embeds: enough to follow the Job at its own URL."""

    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "subject", "status", "progress_done", "progress_total", "percent"]


class DemoJobRequestSerializer(serializers.Serializer):
    numbers = serializers.ListField(
        child=serializers.IntegerField(min_value=-1000, max_value=1000),
        min_length=1,
        max_length=50,
        default=[1, 2, 3, 4],
    )
    flaky_failures = serializers.IntegerField(min_value=0, max_value=3, default=1)
    explode = serializers.BooleanField(default=False)

from __future__ import annotations

from rest_framework import serializers

from shop.api_urls import absolute_url
from shop.platform.jobs.serializers import JobSummarySerializer

from .models import Campaign


class CampaignSerializer(serializers.ModelSerializer):
    job = JobSummarySerializer(read_only=True, allow_null=True)  # a draft has no Job yet

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "subject", "body_text", "body_html", "audience", "recent_days", "status",
            "recipients_total", "sent_count", "failed_count", "skipped_count", "error", "job",
            "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class CampaignCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    subject = serializers.CharField(max_length=200)
    body_text = serializers.CharField(max_length=50_000)
    body_html = serializers.CharField(max_length=200_000, required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(
        choices=Campaign.Audience.choices, default=Campaign.Audience.ALL_CUSTOMERS
    )
    recent_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True)

    def validate(self, attrs):
        if attrs["audience"] == Campaign.Audience.RECENT_BUYERS and not attrs.get("recent_days"):
            raise serializers.ValidationError({"recent_days": ["Required for the recent buyers audience."]})
        return attrs


class MailboxAttachmentSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return absolute_url(
            self.context, f"/api/mailbox/{self.context['message_id']}/attachments/{attachment.index}/"
        )


class MailboxMessageSerializer(serializers.Serializer):
    id = serializers.CharField()
    received_at = serializers.DateTimeField()
    headers = serializers.DictField(child=serializers.CharField())
    envelope_to = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    html = serializers.CharField()
    attachments = serializers.SerializerMethodField()

    def get_attachments(self, message) -> list[dict]:
        context = {**self.context, "message_id": message.id}
        return MailboxAttachmentSerializer(message.attachments, many=True, context=context).data

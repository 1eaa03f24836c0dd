from django.contrib import admin

from .models import Campaign, Delivery, MailPreference, OutgoingMessage


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "to", "subject", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "to", "subject", "message_id"]
    readonly_fields = ["key", "message_id", "attempts", "claimed_at", "sent_at", "created_at"]
    date_hierarchy = "created_at"


@admin.register(MailPreference)
class MailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "campaigns_opt_out", "opted_out_at", "updated_at"]
    list_filter = ["campaigns_opt_out"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "id", "name", "audience", "status", "recipients_total", "sent_count", "failed_count",
        "skipped_count", "started_at", "finished_at",
    ]  # fmt: skip
    list_filter = ["status", "audience"]
    search_fields = ["name", "subject"]
    readonly_fields = [
        "status", "recipients_total", "sent_count", "failed_count", "skipped_count", "error",
        "job", "created_by", "created_at", "started_at", "finished_at",
    ]  # fmt: skip


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "recipient", "status", "sent_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["recipient__email", "error"]
    raw_id_fields = ["campaign", "recipient"]
    list_select_related = ["campaign", "recipient"]

import functools

from django.contrib import admin

from . import services
from .models import Campaign, Delivery, MailPreference, OutgoingMessage

SEND_LATER_SECONDS = 5 * 60


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "to", "subject", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "to", "subject", "message_id"]
    readonly_fields = ["key", "message_id", "attempts", "claimed_at", "sent_at", "created_at"]
    date_hierarchy = "created_at"
    actions = ["send_now", "send_in_five_minutes"]

    @admin.action(description="Send the selected pending messages now")
    def send_now(self, request, queryset):
        self._send(request, queryset, services.message_send_now, "now")

    @admin.action(description="Send the selected pending messages in 5 minutes")
    def send_in_five_minutes(self, request, queryset):
        send_later = functools.partial(services.message_send_later, seconds=SEND_LATER_SECONDS)
        self._send(request, queryset, send_later, "in 5 minutes")

    def _send(self, request, queryset, send, when: str) -> None:
        pending = list(queryset.filter(status=OutgoingMessage.Status.PENDING).values_list("id", flat=True))
        for message_id in pending:
            send(message_id=message_id)
        skipped = queryset.count() - len(pending)
        note = f" ({skipped} not pending, left alone)" if skipped else ""
        self.message_user(request, f"{len(pending)} message(s) will be sent {when}{note}.")


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

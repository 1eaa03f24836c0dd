"""Mail: transactional messages, campaigns, deliveries and opt-outs.

Every send is recorded under a business key before it happens (OutgoingMessage.key,
Delivery per campaign + recipient), so a task Celery delivers twice finds the record and
does not send again. Status changes are checked in one method per model.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class StatusTransitions:
    """The one method that says which status changes a model allows (its TRANSITIONS)."""

    def check_transition(self, to: str) -> None:
        if to != self.status and to not in self.TRANSITIONS[self.Status(self.status)]:
            raise ValidationError(f"{type(self).__name__} {self.pk}: cannot go from {self.status} to {to}.")


class OutgoingMessage(StatusTransitions, models.Model):
    """One transactional message: rendered once, sent at most once per key (see services)."""

    class Kind(models.TextChoices):
        WELCOME = "welcome", "Welcome"
        ORDER_CONFIRMATION = "order_confirmation", "Order confirmation"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        REPORT_READY = "report_ready", "Report ready"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"  # claimed by one task run
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    TRANSITIONS = {
        Status.PENDING: {Status.SENDING, Status.FAILED},
        Status.SENDING: {Status.PENDING, Status.SENT, Status.FAILED},
        Status.SENT: set(),
        Status.FAILED: set(),
    }

    key = models.CharField(max_length=200, unique=True, help_text="Business key, e.g. order:42:confirmation")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField()
    attachments = models.JSONField(
        default=list, blank=True, help_text="Names of files in the media storage (STORAGES['default'])."
    )
    message_id = models.CharField(max_length=250, help_text="The Message-ID header, derived from the key.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"


class MailPreference(models.Model):
    """A user's choices about mail. Transactional mail ignores them; campaigns honour them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference"
    )
    campaigns_opt_out = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({'opted out' if self.campaigns_opt_out else 'subscribed'})"


class Campaign(StatusTransitions, models.Model):
    class Audience(models.TextChoices):
        ALL_CUSTOMERS = "all_customers", "All customers"
        RECENT_BUYERS = "recent_buyers", "Customers who ordered in the last N days"
        STAFF = "staff", "Staff"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    TRANSITIONS = {
        Status.DRAFT: {Status.SENDING},
        Status.SENDING: {Status.SENT, Status.FAILED},
        Status.SENT: set(),
        Status.FAILED: set(),
    }

    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True, help_text="Optional; built from the text when empty.")
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.ALL_CUSTOMERS)
    recent_days = models.PositiveIntegerField(null=True, blank=True, help_text="For recent buyers only.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    recipients_total = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class Delivery(models.Model):
    """One campaign message to one recipient; the row exists before the send is tried."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (opted out)"

    FINISHED = frozenset({Status.SENT, Status.FAILED, Status.SKIPPED})

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "recipient"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "recipient"], name="delivery_unique_per_campaign_recipient"
            )
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} → user {self.recipient_id} ({self.status})"

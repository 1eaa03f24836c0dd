"""Reads for the mail app."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from shop.orders.models import Order

from .models import Campaign, MailPreference

User = get_user_model()


def campaign_audience(*, campaign: Campaign) -> QuerySet:
    """The users a campaign is for (opted-out ones included: batches record them skipped).

    "Ordered in the last N days" counts from the moment the campaign started sending, so
    every batch of one run sees the same window.
    """
    users = User.objects.filter(is_active=True).exclude(email="")
    if campaign.audience == Campaign.Audience.STAFF:
        return users.filter(is_staff=True)
    customers = users.filter(is_staff=False)
    if campaign.audience == Campaign.Audience.RECENT_BUYERS:
        since = (campaign.started_at or timezone.now()) - timedelta(days=campaign.recent_days or 0)
        return customers.filter(id__in=Order.objects.filter(placed_at__gte=since).values("customer_id"))
    return customers


def opted_out_user_ids(*, user_ids: list[int]) -> set[int]:
    return set(
        MailPreference.objects.filter(user_id__in=user_ids, campaigns_opt_out=True).values_list(
            "user_id", flat=True
        )
    )


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("job", "created_by")

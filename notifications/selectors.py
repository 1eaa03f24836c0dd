"""Reads for the mail app."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

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
        return customers.filter(_bought_since(since))
    return customers


def _bought_since(since: datetime) -> Q:
    """Users who ordered since `since`, as the apps that take orders tell (the `recent_buyer_ids`
    hook of their AppConfig): orders send mail, so mail does not import orders."""
    bought = Q(pk__in=[])
    for config in apps.get_app_configs():
        if hasattr(config, "recent_buyer_ids"):
            bought |= Q(id__in=config.recent_buyer_ids(since=since))
    return bought


def opted_out_user_ids(*, user_ids: list[int]) -> set[int]:
    return set(
        MailPreference.objects.filter(user_id__in=user_ids, campaigns_opt_out=True).values_list(
            "user_id", flat=True
        )
    )


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("job", "created_by")

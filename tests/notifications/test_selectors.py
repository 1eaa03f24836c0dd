"""Who a campaign goes to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Campaign
from notifications.selectors import campaign_audience
from shop.orders.models import Order
from tests.factories import CampaignFactory, StaffFactory

from .helpers import customers_create

pytestmark = pytest.mark.django_db


def test_audiences_pick_customers_recent_buyers_or_staff():
    recent, old, never, inactive = customers_create(4, prefix="audience")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    staff = StaffFactory()
    now = timezone.now()
    for number, (customer, days_ago) in enumerate([(recent, 3), (recent, 5), (old, 40), (staff, 1)]):
        Order.objects.create(
            number=f"GG-A{number}", customer=customer, placed_at=now - timedelta(days=days_ago)
        )

    def audience(**fields) -> set:
        return set(campaign_audience(campaign=CampaignFactory(**fields)))

    assert audience(audience=Campaign.Audience.ALL_CUSTOMERS) == {recent, old, never}
    assert audience(audience=Campaign.Audience.RECENT_BUYERS, recent_days=30) == {recent}
    assert audience(audience=Campaign.Audience.STAFF) == {staff}

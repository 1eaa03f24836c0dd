"""The seed_demo hook of the mail app."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from notifications.demo import DEMO_CUSTOMERS
from notifications.models import Campaign

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_customers_and_a_draft_campaign_once():
    config = apps.get_app_config("notifications")

    config.seed_demo(stdout=io.StringIO())
    config.seed_demo(stdout=io.StringIO())

    customers = get_user_model().objects.filter(username__startswith="demo-customer-")
    assert customers.count() == DEMO_CUSTOMERS
    assert not customers.first().has_usable_password()
    assert list(Campaign.objects.values_list("status", flat=True)) == [Campaign.Status.DRAFT]

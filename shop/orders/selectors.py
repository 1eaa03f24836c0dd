"""Reads for orders."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .models import Order


def order_list(*, user: AbstractBaseUser) -> QuerySet[Order]:
    """The caller's own orders (staff included: the shop's list is the admin)."""
    return Order.objects.filter(customer=user).select_related("job").prefetch_related("lines")


def order_get(*, user: AbstractBaseUser, order_id: int) -> Order:
    """One order its owner or staff may see; Order.DoesNotExist for anyone else."""
    orders = Order.objects.select_related("job", "customer").prefetch_related("lines")
    return orders.get(id=order_id) if user.is_staff else orders.get(id=order_id, customer=user)


def recent_buyer_ids(*, since: datetime) -> QuerySet:
    """The ids of the customers who placed an order since `since` (a campaign's audience)."""
    return Order.objects.filter(placed_at__gte=since).values("customer_id")

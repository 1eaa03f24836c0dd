from datetime import datetime

from django.apps import AppConfig
from django.db.models import QuerySet


class OrdersConfig(AppConfig):
    name = "shop.orders"
    label = "orders"
    verbose_name = "Orders"

    def recent_buyer_ids(self, *, since: datetime) -> QuerySet:
        """Asked by notifications for a "recent buyers" campaign (mail does not import orders)."""
        from .selectors import recent_buyer_ids

        return recent_buyer_ids(since=since)

    def periodic_tasks(self) -> list[dict]:
        return [
            {
                "name": "Send again order workflows that were sent but never started",
                "task": "orders.sweep_stalled_orders",
                "every_seconds": 120,
            }
        ]

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shop.orders"
    label = "orders"
    verbose_name = "Orders"

    def periodic_tasks(self) -> list[dict]:
        return [
            {
                "name": "Send again order workflows that were sent but never started",
                "task": "orders.sweep_stalled_orders",
                "every_seconds": 120,
            }
        ]

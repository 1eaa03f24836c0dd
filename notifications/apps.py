from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)

    def periodic_tasks(self) -> list[dict]:
        return [
            {
                "name": "Send again campaign workflows that went quiet while sending",
                "task": "notifications.sweep_stalled_campaigns",
                "every_seconds": 300,
            }
        ]

    def seed_demo(self, *, stdout) -> None:
        from .demo import notifications_demo_seed

        notifications_demo_seed(stdout=stdout)

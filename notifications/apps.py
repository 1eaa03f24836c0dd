from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)

    def seed_demo(self, *, stdout) -> None:
        from .demo import notifications_demo_seed

        notifications_demo_seed(stdout=stdout)

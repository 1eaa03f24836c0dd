from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Greengrocer"

    def seed_demo(self, *, stdout) -> None:
        from .demo import demo_logins_seed

        demo_logins_seed(stdout=stdout)

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def seed_demo(self, *, stdout) -> None:
        from .demo import catalog_seed

        catalog_seed(stdout=stdout)

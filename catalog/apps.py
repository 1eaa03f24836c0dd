from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete

        from .models import ProductImage
        from .storage import image_folder_delete

        def delete_files(sender, instance: ProductImage, **kwargs) -> None:
            # Only once the deletion is committed: a rolled-back delete keeps its files. (The id is
            # read now: Django clears it on the instance after the delete.)
            image_id = instance.id
            transaction.on_commit(lambda: image_folder_delete(image_id))

        post_delete.connect(delete_files, sender=ProductImage, dispatch_uid="catalog.image_files")

    def seed_demo(self, *, stdout) -> None:
        from .demo import catalog_seed

        catalog_seed(stdout=stdout)

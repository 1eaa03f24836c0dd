"""Re-render product images (all, or those of some products) at LOW priority."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog import selectors, services


class Command(BaseCommand):
    help = "Run the image pipeline again for every product image (or --product ID ...), at low priority."

    def add_arguments(self, parser):
        parser.add_argument("--product", type=int, action="append", dest="product_ids",
                            help="Only this product's images (repeatable).")  # fmt: skip

    def handle(self, *args, product_ids=None, **options):
        jobs = services.images_rerender(images=selectors.product_images(product_ids=product_ids), owner=None)
        self.stdout.write(self.style.SUCCESS(f"Started {len(jobs)} image job(s) at low priority."))

"""Demo catalog: 8 categories × 16 products with a picture each, deterministic, safe to seed again.

The pictures are drawn with Pillow (a JPEG 2,048 px wide, distinct per product) and go
through the real pipeline like a staff upload, at LOW priority. Workers need not run at seed
time: the Jobs wait in the outbox and are dispatched once the broker is there.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify

from shop.celery import Priority

from . import drawing, selectors, services
from .models import Category, Product

DEMO_CATALOG = {
    "Fruit": ["Apple", "Pear", "Plum", "Cherry", "Apricot", "Peach", "Nectarine", "Quince",
              "Fig", "Kiwi", "Mango", "Papaya", "Lychee", "Grape", "Melon", "Orange"],
    "Vegetables": ["Carrot", "Leek", "Onion", "Shallot", "Parsnip", "Beetroot", "Celeriac",
                   "Kale", "Spinach", "Chard", "Courgette", "Aubergine", "Pepper", "Fennel",
                   "Radish", "Turnip"],
    "Herbs": ["Basil", "Parsley", "Coriander", "Dill", "Mint", "Thyme", "Rosemary", "Sage",
              "Chives", "Tarragon", "Oregano", "Marjoram", "Lovage", "Sorrel", "Chervil",
              "Bay Leaf"],
    "Berries": ["Strawberry", "Raspberry", "Blueberry", "Blackberry", "Redcurrant",
                "Blackcurrant", "Gooseberry", "Cranberry", "Elderberry", "Mulberry",
                "Loganberry", "Tayberry", "Boysenberry", "Cloudberry", "Lingonberry",
                "Whitecurrant"],
    "Salad": ["Lettuce", "Rocket", "Lamb's Lettuce", "Endive", "Radicchio", "Watercress",
              "Cucumber", "Tomato", "Spring Onion", "Celery", "Frisée", "Mizuna", "Purslane",
              "Pak Choi", "Little Gem", "Romaine"],
    "Mushrooms": ["Button", "Chestnut", "Portobello", "Oyster", "Shiitake", "Enoki",
                  "King Oyster", "Chanterelle", "Porcini", "Morel", "Maitake", "Shimeji",
                  "Lion's Mane", "Black Trumpet", "Hedgehog", "Wood Ear"],
    "Roots": ["Potato", "Sweet Potato", "Yam", "Cassava", "Ginger", "Turmeric", "Horseradish",
              "Salsify", "Jerusalem Artichoke", "Swede", "Kohlrabi", "Daikon", "Taro",
              "Burdock", "Oca", "Yacon"],
    "Nuts": ["Walnut", "Hazelnut", "Almond", "Chestnut", "Pecan", "Cashew", "Pistachio",
             "Macadamia", "Brazil Nut", "Pine Nut", "Peanut", "Coconut", "Tiger Nut",
             "Acorn", "Beech Nut", "Candlenut"],
}  # fmt: skip
ADJECTIVES = ["Organic", "Heritage", "Local", "Sun-ripened", "Hand-picked", "Seasonal"]


def catalog_seed(*, stdout) -> None:
    rng = random.Random(20261124)
    created = 0
    skus = []
    for position, (category_name, items) in enumerate(DEMO_CATALOG.items()):
        category, _ = Category.objects.get_or_create(
            slug=slugify(category_name), defaults={"name": category_name, "position": position}
        )
        for index, item in enumerate(items):
            sku = f"GG-{category.slug[:3].upper()}-{index + 1:03d}"
            skus.append(sku)
            adjective = ADJECTIVES[rng.randrange(len(ADJECTIVES))]
            price = Decimal(rng.randrange(79, 1299)) / 100
            quantity = rng.randrange(20, 400)
            _, was_created = Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "slug": slugify(f"{adjective} {item} {sku}"),
                    "name": f"{adjective} {item}",
                    "description": f"{adjective} {item.lower()} from our growers, "
                    f"picked to order and packed the same day.",
                    "category": category,
                    "price": price,
                    "quantity": quantity,
                },
            )
            created += was_created
    stdout.write(f"  catalog: {Product.objects.count()} products ({created} new)")
    # DEMO_PICTURES caps how many products get a picture (the browser tests seed a few).
    pictured_skus = skus[: int(os.environ.get("DEMO_PICTURES", len(skus)))]
    pictured = product_pictures_seed(
        products=selectors.products_without_images().filter(sku__in=pictured_skus)
    )
    stdout.write(f"  catalog: {pictured} product pictures drawn and sent to the image pipeline")


PICTURE_SIZE = (2048, 1536)


def product_picture(product: Product) -> bytes:
    """A JPEG of the product: its own colours and shapes (seeded by its SKU) and its name."""
    return drawing.still_life(key=product.sku, title=product.name, size=PICTURE_SIZE)


def product_pictures_seed(*, products: Iterable[Product]) -> int:
    """Give each product a drawn picture through the same path as a staff upload."""
    count = 0
    for product in products:
        upload = SimpleUploadedFile(
            f"{product.slug}.jpg", product_picture(product), content_type="image/jpeg"
        )
        services.product_image_add(product=product, upload=upload, uploaded_by=None, priority=Priority.LOW)
        count += 1
    return count

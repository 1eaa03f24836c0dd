"""Demo catalog: 8 categories × 16 products with a picture each, deterministic, safe to seed again.

The pictures are drawn with Pillow (a JPEG 2,048 px wide, distinct per product) and go
through the real pipeline like a staff upload, at LOW priority. Workers need not run at seed
time: the Jobs wait in the outbox and are dispatched once the broker is there.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
from collections.abc import Iterable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont, ImageOps

from shop.celery import Priority

from . import selectors, services
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
    rng = random.Random(hashlib.sha256(product.sku.encode()).digest())
    width, height = PICTURE_SIZE
    sky = tuple(rng.randrange(120, 256) for _ in range(3))
    ground = tuple(rng.randrange(0, 120) for _ in range(3))
    picture = ImageOps.colorize(Image.linear_gradient("L").resize(PICTURE_SIZE), sky, ground)
    draw = ImageDraw.Draw(picture)
    for _ in range(rng.randrange(5, 10)):
        x, y, radius = rng.randrange(width), rng.randrange(height), rng.randrange(60, 300)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
        else:
            draw.rectangle((x - radius, y - radius // 2, x + radius, y + radius // 2), fill=colour)
    produce = tuple(rng.randrange(256) for _ in range(3))
    centre_x, centre_y, radius = width // 2, height // 2 - 120, 420
    draw.ellipse((centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius), fill=produce,
                 outline="white", width=16)  # fmt: skip
    draw.ellipse((centre_x - 260, centre_y - 300, centre_x - 120, centre_y - 160), fill="white")
    font = ImageFont.load_default(size=140)
    # Long names shrink to fit the picture's width with a margin.
    font = font.font_variant(size=min(140, int(140 * (width - 200) / draw.textlength(product.name, font))))
    draw.text((centre_x, height - 180), product.name, font=font, fill="white", anchor="ms", stroke_width=6,
              stroke_fill="black")  # fmt: skip
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


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

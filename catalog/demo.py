"""Demo catalog: 8 categories × 16 products, deterministic, safe to seed again."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils.text import slugify

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
    for position, (category_name, items) in enumerate(DEMO_CATALOG.items()):
        category, _ = Category.objects.get_or_create(
            slug=slugify(category_name), defaults={"name": category_name, "position": position}
        )
        for index, item in enumerate(items):
            sku = f"GG-{category.slug[:3].upper()}-{index + 1:03d}"
            adjective = ADJECTIVES[rng.randrange(len(ADJECTIVES))]
            price = Decimal(rng.randrange(79, 1299)) / 100
            stock = rng.randrange(20, 400)
            _, was_created = Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "slug": slugify(f"{adjective} {item} {sku}"),
                    "name": f"{adjective} {item}",
                    "description": f"{adjective} {item.lower()} from our growers, "
                    f"picked to order and packed the same day.",
                    "category": category,
                    "price": price,
                    "stock": stock,
                },
            )
            created += was_created
    stdout.write(f"  catalog: {Product.objects.count()} products ({created} new)")

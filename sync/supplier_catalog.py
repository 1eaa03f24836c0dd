"""The supplier stub's catalog: a pure function of (seed, size, version), no I/O.

Version 0 lists exactly `size` products; each later version drops about 3 % of them and lists
about half of a 5 % reserve of new ones, and prices and stock move on their own periods.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

CATEGORIES = ("Fruit", "Vegetables", "Herbs", "Berries", "Salad", "Mushrooms", "Roots", "Nuts")
ADJECTIVES = ("Organic", "Heritage", "Local", "Sun-ripened", "Hand-picked", "Seasonal", "Wild",
              "Greenhouse", "Biodynamic", "Farmhouse")  # fmt: skip
PRODUCE = ("Apple", "Pear", "Plum", "Cherry", "Fig", "Kiwi", "Mango", "Grape", "Carrot", "Leek",
           "Onion", "Kale", "Spinach", "Fennel", "Radish", "Basil", "Parsley", "Mint", "Thyme",
           "Sage", "Strawberry", "Raspberry", "Blueberry", "Lettuce", "Rocket", "Tomato",
           "Cucumber", "Oyster Mushroom", "Shiitake", "Chanterelle", "Potato", "Ginger",
           "Beetroot", "Walnut", "Hazelnut", "Almond", "Chestnut", "Quince", "Celeriac", "Chard")  # fmt: skip
PACKS = ("250 g", "500 g", "1 kg", "2 kg", "bunch", "crate")


def _draw(*parts: object) -> int:
    """A stable 64-bit number for `parts` (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def fraction(*parts: object) -> float:
    return _draw(*parts) / 2**64


def _is_listed(seed: int, size: int, index: int, version: int) -> bool:
    # Version 0 lists exactly `size` products. Each later version drops ~3 % of them and
    # lists about half of a 5 % reserve of new ones, each decided afresh per version.
    if version == 0:
        return index < size
    roll = _draw(seed, "listed", index, version) % 100
    return roll >= 3 if index < size else roll < 50


def _product(seed: int, index: int, version: int) -> dict[str, Any]:
    ref = f"SUP-{index:06d}"
    name = (
        f"{ADJECTIVES[_draw(seed, 'adjective', index) % len(ADJECTIVES)]} "
        f"{PRODUCE[_draw(seed, 'produce', index) % len(PRODUCE)]} "
        f"({PACKS[_draw(seed, 'pack', index) % len(PACKS)]})"
    )
    # A product's price changes every 5–24 versions and its stock every 1–4, at offsets of
    # its own, so each version changes a steady share of the catalog.
    price_period = 5 + _draw(seed, "price-period", index) % 20
    price_epoch = (version + _draw(seed, "price-offset", index) % price_period) // price_period
    stock_period = 1 + _draw(seed, "stock-period", index) % 4
    stock_epoch = (version + _draw(seed, "stock-offset", index) % stock_period) // stock_period
    cents = 49 + _draw(seed, "price", index, price_epoch) % 1950
    return {
        "ref": ref,
        "sku": ref,
        "name": name,
        "description": f"{name}, from grower {1 + _draw(seed, 'grower', index) % 40}.",
        "category": CATEGORIES[_draw(seed, "category", index) % len(CATEGORIES)],
        "price": f"{cents // 100}.{cents % 100:02d}",
        "currency": "EUR",
        "stock": _draw(seed, "stock", index, stock_epoch) % 500,
    }


@lru_cache(maxsize=16)
def catalog_at(seed: int, size: int, version: int) -> tuple[dict[str, Any], ...]:
    """Every product listed at `version`, in the order the supplier pages them."""
    reserve = max(1, size // 20)
    return tuple(
        _product(seed, index, version)
        for index in range(size + reserve)
        if _is_listed(seed, size, index, version)
    )

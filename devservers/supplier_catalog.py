"""The supplier stub's catalog: a pure function of (seed, size, version, pictures), no I/O.

A product is a produce × variety × pack from devservers/produce.py ("Cox Apple, 1 kg"): its
category follows the produce and its price the produce's price per kilogram (bunch, piece)
times the pack. Every combination is listed once, in an order drawn from the seed; past the
1,228 combinations (a catalog of more than ~1,150 products) the same ones come again from
named growers ("Cox Apple, 1 kg (Hillside Farm)"), so names stay unique up to 60,172 products.

Version 0 lists exactly `size` products. Each product then changes on periods of its own, so a
version step changes a small, steady share: its listing every 8–24 versions (a listed product
is away 5 % of the time, one of the 5 % reserve listed half of the time), its price every
20–60 versions (a drift of at most 6 % around its base), its stock every 8–24 versions,
its pictures' count every 40–120 and each picture every 30–90.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .produce import BULK_DISCOUNT, GROWERS, PACKS, PRODUCE, Produce

MAX_PRICE_DRIFT = 0.06
REF_PREFIX = "SUP-"


def _draw(*parts: object) -> int:
    """A stable 64-bit number for `parts` (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def fraction(*parts: object) -> float:
    return _draw(*parts) / 2**64


def _epoch(seed: int, what: str, key: object, version: int, shortest: int, longest: int) -> int:
    """Which period of its own `key` is in at `version` (0 at version 0)."""
    period = shortest + _draw(seed, what, "period", key) % (longest - shortest + 1)
    return (version + _draw(seed, what, "offset", key) % period) // period


# Every (produce, variety, pack), in the table's order.
COMBINATIONS = tuple(
    (produce, variety, pack_index)
    for produce in PRODUCE
    for variety in produce.varieties
    for pack_index in range(len(PACKS[produce.packs]))
)
CAPACITY = len(COMBINATIONS) * (1 + len(GROWERS))


def reserve_for(size: int) -> int:
    """Products beyond `size` that later versions may list (new lines)."""
    return max(1, size // 20)


@lru_cache(maxsize=8)
def _order(seed: int) -> tuple[int, ...]:
    """The seed's order of the combinations, so a small catalog still has every kind of produce."""
    return tuple(sorted(range(len(COMBINATIONS)), key=lambda n: _draw(seed, "order", n)))


@dataclass(frozen=True)
class Line:
    """What a product index stands for: its produce, variety, pack and grower (None: the house line)."""

    produce: Produce
    variety: str
    pack_index: int
    grower: str | None

    @property
    def name(self) -> str:
        pack = PACKS[self.produce.packs][self.pack_index].label
        name = f"{self.variety} {self.produce.name}, {pack}"
        return f"{name} ({self.grower})" if self.grower else name


def line_of(seed: int, index: int) -> Line:
    block, position = divmod(index, len(COMBINATIONS))
    if block > len(GROWERS):
        raise ValueError(f"product {index} is past the catalog's capacity of {CAPACITY}")
    produce, variety, pack_index = COMBINATIONS[_order(seed)[position]]
    grower = None if block == 0 else GROWERS[(block - 1 + _draw(seed, "grower-shift")) % len(GROWERS)]
    return Line(produce=produce, variety=variety, pack_index=pack_index, grower=grower)


def ref_of(index: int) -> str:
    return f"{REF_PREFIX}{index:06d}"


def index_of(ref: str) -> int | None:
    digits = ref.removeprefix(REF_PREFIX)
    return int(digits) if ref.startswith(REF_PREFIX) and digits.isdigit() else None


def _is_listed(seed: int, size: int, index: int, version: int) -> bool:
    epoch = _epoch(seed, "listing", index, version, 8, 24)
    if epoch == 0:
        return index < size
    roll = _draw(seed, "listed", index, epoch) % 100
    return roll >= 5 if index < size else roll < 50


def _price_cents(seed: int, index: int, line: Line, version: int) -> int:
    """Produce price × variety and grower premium × pack, a bulk discount, and a small drift."""
    produce = line.produce
    pack = PACKS[produce.packs][line.pack_index]
    variety = 0.85 + 0.4 * fraction(seed, "variety-price", produce.name, line.variety)
    grower = 1.0 if line.grower is None else 0.9 + 0.25 * fraction(seed, "grower-price", line.grower)
    epoch = _epoch(seed, "price", index, version, 20, 60)
    drift = 1 + MAX_PRICE_DRIFT * (2 * fraction(seed, "price-drift", index, epoch) - 1) if epoch else 1.0
    per_unit = produce.price * variety * grower * (1 - BULK_DISCOUNT * line.pack_index)
    return max(20, round(100 * per_unit * pack.quantity * drift))


def picture_count(seed: int, index: int, version: int, pictures: int) -> int:
    """How many pictures the product has at `version`: 1..`pictures` (0 when pictures are off)."""
    if pictures <= 0:
        return 0
    return 1 + _draw(seed, "pictures", index, _epoch(seed, "pictures", index, version, 40, 120)) % pictures


def picture_revision(seed: int, index: int, number: int, version: int) -> int:
    """Which drawing of picture `number` is current at `version` (it changes now and then)."""
    return _epoch(seed, "picture", f"{index}/{number}", version, 30, 90)


def picture_path(index: int, number: int) -> str:
    return f"/pictures/{ref_of(index)}/{number}.jpg"


def _product(seed: int, index: int, version: int, pictures: int) -> dict[str, Any]:
    ref = ref_of(index)
    line = line_of(seed, index)
    cents = _price_cents(seed, index, line, version)
    grower = line.grower or GROWERS[_draw(seed, "house-grower", index) % len(GROWERS)]
    stock_epoch = _epoch(seed, "stock", index, version, 8, 24)
    return {
        "ref": ref,
        "sku": ref,
        "name": line.name,
        "description": f"{line.variety} {line.produce.name.lower()} from {grower}, packed the day it ships.",
        "category": line.produce.category,
        "price": f"{cents // 100}.{cents % 100:02d}",
        "currency": "EUR",
        "stock": _draw(seed, "stock", index, stock_epoch) % 500,
        "pictures": [
            picture_path(index, n) for n in range(1, picture_count(seed, index, version, pictures) + 1)
        ],
    }


@lru_cache(maxsize=16)
def catalog_at(seed: int, size: int, version: int, pictures: int = 0) -> tuple[dict[str, Any], ...]:
    """Every product listed at `version`, in the order the supplier pages them; each with up to
    `pictures` picture paths (relative to the supplier's own address)."""
    if size + reserve_for(size) > CAPACITY:
        raise ValueError(
            f"a catalog of {size} products (and its reserve) exceeds the {CAPACITY} distinct names"
        )
    return tuple(
        _product(seed, index, version, pictures)
        for index in range(size + reserve_for(size))
        if _is_listed(seed, size, index, version)
    )


def is_listed(seed: int, size: int, index: int, version: int) -> bool:
    return 0 <= index < size + reserve_for(size) and _is_listed(seed, size, index, version)

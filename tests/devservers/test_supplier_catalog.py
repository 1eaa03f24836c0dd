"""The supplier's catalog makes sense to a greengrocer: categories, names, prices, changes."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from devservers.produce import PACKS, PRODUCE
from devservers.supplier_catalog import CAPACITY, catalog_at

CATEGORY_OF = {produce.name: produce.category for produce in PRODUCE}
NAME = re.compile(r"^(?P<variety_produce>.+), (?P<pack>[^(]+?)(?: \((?P<grower>[^)]+)\))?$")


def _parts(name: str) -> tuple[str, str, str, str | None]:
    """(produce, variety + produce, pack, grower) of a product name like "Cox Apple, 1 kg"."""
    match = NAME.match(name)
    assert match, name
    produce = next(
        p for p in sorted(CATEGORY_OF, key=len, reverse=True) if match["variety_produce"].endswith(p)
    )
    return produce, match["variety_produce"], match["pack"], match["grower"]


def test_the_category_follows_the_produce():
    items = catalog_at(0, 1000, 0)

    for item in items:
        produce, *_ = _parts(item["name"])
        assert item["category"] == CATEGORY_OF[produce], item
    almonds = [item for item in items if _parts(item["name"])[0] == "Almond"]
    basil = [item for item in items if _parts(item["name"])[0] == "Basil"]
    assert almonds and {item["category"] for item in almonds} == {"Nuts"}
    assert basil and {item["category"] for item in basil} == {"Herbs"}
    assert len({item["category"] for item in items}) == 8


@pytest.mark.parametrize("size", [1000, 50_000])
def test_names_are_unique_at_a_real_size_and_at_the_bench_size(size):
    every_version = [catalog_at(0, size, version) for version in (0, 7)]

    for items in every_version:
        names = [item["name"] for item in items]
        assert len(set(names)) == len(names)
    assert size * 21 // 20 <= CAPACITY
    # A real supplier's list has no grower lines; the bench's has them to stay unique.
    has_grower_lines = any(_parts(item["name"])[3] for item in every_version[0])
    assert has_grower_lines == (size > 1000)


def test_a_default_catalog_is_a_greengrocers_list():
    items = catalog_at(0, 1000, 0)
    produce = {_parts(item["name"])[0] for item in items}

    assert len(items) == 1000
    assert len(produce) > 60
    assert all(item["ref"] == item["sku"] and item["ref"].startswith("SUP-") for item in items)
    assert all(Decimal("0.20") <= Decimal(item["price"]) < Decimal("200") for item in items)


def test_prices_scale_with_the_pack_and_are_cheaper_per_kilogram_in_bulk():
    by_line = defaultdict(dict)
    pack_order = {pack.label: (family, n) for family, packs in PACKS.items() for n, pack in enumerate(packs)}
    quantity = {pack.label: pack.quantity for packs in PACKS.values() for pack in packs}
    for item in catalog_at(0, 3000, 0):
        _, line, pack, grower = _parts(item["name"])
        by_line[line, grower][pack] = Decimal(item["price"])

    compared = 0
    for prices in by_line.values():
        ordered = sorted(prices.items(), key=lambda entry: pack_order[entry[0]])
        for (small, small_price), (big, big_price) in itertools.pairwise(ordered):
            assert big_price > small_price, (small, small_price, big, big_price)
            per_unit_small = small_price / Decimal(quantity[small])
            per_unit_big = big_price / Decimal(quantity[big])
            assert per_unit_big <= per_unit_small * Decimal("1.01")
            compared += 1
    assert compared > 500


def test_each_version_changes_a_small_share_of_the_catalog():
    size = 2000
    previous = {item["ref"]: item for item in catalog_at(0, size, 0, 2)}
    for version in range(1, 6):
        current = {item["ref"]: item for item in catalog_at(0, size, version, 2)}
        common = previous.keys() & current.keys()
        came_and_went = len(previous.keys() ^ current.keys())
        repriced = [ref for ref in common if previous[ref]["price"] != current[ref]["price"]]
        changed = came_and_went + sum(previous[ref] != current[ref] for ref in common)

        assert 0 < came_and_went <= size * 0.02
        assert 0 < len(repriced) <= size * 0.06
        assert changed <= size * 0.2
        for ref in repriced:
            old, new = Decimal(previous[ref]["price"]), Decimal(current[ref]["price"])
            assert abs(new - old) <= old * Decimal("0.13") + Decimal("0.01")  # drift: at most ±6 % each way
        assert all(previous[ref]["name"] == current[ref]["name"] for ref in common)
        previous = current


def test_the_catalog_is_a_pure_function_of_its_inputs():
    assert catalog_at(3, 500, 4, 2) == catalog_at.__wrapped__(3, 500, 4, 2)
    assert catalog_at(3, 500, 4) != catalog_at(4, 500, 4)
    assert {len(item["pictures"]) for item in catalog_at(0, 500, 0, 2)} == {1, 2}
    assert {len(item["pictures"]) for item in catalog_at(0, 500, 0, 0)} == {0}

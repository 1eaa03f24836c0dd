"""Running a sync to its end and comparing the catalog with the supplier's."""

from __future__ import annotations

from catalog.models import Product
from sync import services
from sync.models import SyncRun
from tests.harness.jobs import wait_until


def sync_run_to_end(*, timeout: float = 60, requested_by=None) -> SyncRun:
    run = services.sync_run_request(trigger=SyncRun.Trigger.STAFF, requested_by=requested_by)
    return wait_run_finished(run.pk, timeout=timeout)


def wait_run_finished(run_id: int, *, timeout: float = 60) -> SyncRun:
    def finished() -> SyncRun | None:
        run = SyncRun.objects.get(pk=run_id)
        return run if run.is_finished else None

    return wait_until(finished, timeout=timeout, message=f"sync run {run_id} finished")


def shop_catalog() -> dict[str, dict]:
    """Active supplier products as the supplier would describe them."""
    products = Product.objects.filter(supplier_ref__isnull=False, is_active=True).select_related("category")
    return {
        p.supplier_ref: {
            "ref": p.supplier_ref, "sku": p.sku, "name": p.name, "description": p.description,
            "category": p.category.name, "price": f"{p.price:.2f}", "currency": p.currency, "stock": p.quantity,
        }
        for p in products
    }  # fmt: skip


def assert_matches_supplier(items: list[dict]) -> None:
    """Record for record: every listed product active and equal, every other one inactive."""
    # Pictures are synced by their own stage (sync/pictures.py), not onto the product's fields.
    expected = {item["ref"]: {k: v for k, v in item.items() if k != "pictures"} for item in items}
    actual = shop_catalog()
    assert actual.keys() == expected.keys(), (
        f"missing {sorted(expected.keys() - actual.keys())[:5]}, extra {sorted(actual.keys() - expected.keys())[:5]}"
    )
    differing = [ref for ref in expected if actual[ref] != expected[ref]]
    assert not differing, f"{len(differing)} differ, e.g. {actual[differing[0]]} != {expected[differing[0]]}"

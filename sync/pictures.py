"""The pictures stage of a sync run: one page's products' pictures, brought in line with the supplier.

Runs after the catalog pages, as tasks of its own, so a picture server in trouble never holds
up a product update. For each product of the page:

- a picture no longer listed is deleted from the product;
- a listed one is asked for with a conditional GET (the validators of the picture the shop
  holds): 304 leaves it as it is; new bytes are checked exactly like a staff upload
  (catalog.validation, through catalog.services) and become a new image, or replace the
  old one, which is rendered again by the image pipeline at LOW priority;
- a picture refused (a bomb, a polyglot, not an image, too big) or the supplier refuses
  (404) is counted as failed, nothing of it is stored, and the next run tries it again.

Each picture is settled once per run, in the transaction that records what became of it, so
a retried task (a timeout, 5xx or 429 from the picture server) carries on where it stopped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from catalog import services as catalog_services
from catalog.selectors import products_by_supplier_ref
from catalog.validation import ImageRejected
from shop.celery import Priority
from shop.platform.errors import TransientError

from .client import PermanentSupplierError, SupplierClient, TransientSupplierError
from .models import SupplierPicture, SyncPage, SyncRun

if TYPE_CHECKING:
    from catalog.models import Product

logger = logging.getLogger(__name__)

COUNTER_FOR_OUTCOME = {
    SupplierPicture.Outcome.FETCHED: "pictures_fetched",
    SupplierPicture.Outcome.UNCHANGED: "pictures_unchanged",
    SupplierPicture.Outcome.FAILED: "pictures_failed",
}


class PicturesOutstanding(TransientError):
    """The picture server did not answer for some of the page's pictures: try the page again."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def page_pictures_sync(*, run_id: int, number: int, final_attempt: bool) -> None:
    """Sync the pictures of page `number`. Raises PicturesOutstanding on a transient failure,
    unless this is the last attempt: then what is left is counted failed, for the next run."""
    run = SyncRun.objects.filter(id=run_id, status=SyncRun.Status.RUNNING).first()
    page = SyncPage.objects.filter(run_id=run_id, number=number, status=SyncPage.Status.APPLIED).first()
    if run is None or page is None:
        return
    listed: dict[str, list[str]] = page.pictures
    held = {
        (row.product_ref, row.url): row for row in SupplierPicture.objects.filter(product_ref__in=page.refs)
    }
    for (ref, url), row in held.items():
        if url not in listed.get(ref, []):
            _picture_remove(run_id=run_id, row=row)
    products = products_by_supplier_ref(refs=listed.keys())
    pending = [
        (ref, position, url)
        for ref in page.refs
        for position, url in enumerate(listed.get(ref, []))
        if (ref, url) not in held or held[ref, url].checked_run_id != run_id
    ]
    with SupplierClient.from_settings() as client:
        for done, (ref, position, url) in enumerate(pending):
            row = held.get((ref, url)) or SupplierPicture(product_ref=ref, url=url)
            try:
                _picture_sync(
                    client=client, run_id=run_id, product=products.get(ref), row=row, position=position
                )
            except TransientSupplierError as exc:
                if not final_attempt:
                    raise PicturesOutstanding(str(exc), retry_after=exc.retry_after) from exc
                # Out of retries: the rest of the page waits for the next run, untried.
                for ref_left, position_left, url_left in pending[done:]:
                    row_left = held.get((ref_left, url_left)) or SupplierPicture(
                        product_ref=ref_left, url=url_left
                    )
                    _settle(run_id=run_id, row=row_left, position=position_left, outcome="failed",
                            code="unreachable", error=f"gave up after retries: {exc}")  # fmt: skip
                return


def _picture_sync(
    *, client: SupplierClient, run_id: int, product: Product | None, row: SupplierPicture, position: int
) -> None:
    if product is None:
        _settle(run_id=run_id, row=row, position=position, outcome="failed", code="no_product",
                error="the page's product is not in the catalog")  # fmt: skip
        return
    # Validators only for a picture the shop still holds: one staff deleted is fetched again.
    holds = row.image_id is not None
    try:
        download = client.picture(
            url=row.url,
            etag=row.etag if holds else "",
            last_modified=row.last_modified if holds else "",
            max_bytes=settings.CATALOG_IMAGE_MAX_BYTES,
        )
    except PermanentSupplierError as exc:
        _settle(run_id=run_id, row=row, position=position, outcome="failed", code="supplier_refused",
                error=str(exc))  # fmt: skip
        return
    if download is None:
        _settle(run_id=run_id, row=row, position=position, outcome="unchanged")
        return
    name = f"{product.sku}-{position + 1}"
    try:
        with transaction.atomic():
            if holds:
                image = catalog_services.product_image_replace(
                    image_id=row.image_id, content=download.content, name=name, priority=Priority.LOW
                )
            else:
                image = catalog_services.product_image_from_bytes(
                    product=product, content=download.content, name=name, priority=Priority.LOW
                )
            row.image_id, row.etag, row.last_modified = image.id, download.etag, download.last_modified
            if not _settle(run_id=run_id, row=row, position=position, outcome="fetched"):
                # Another delivery of this task settled it first: undo this copy.
                transaction.set_rollback(True)
    except ImageRejected as exc:
        logger.warning("Supplier picture %s of %s refused: %s", row.url, product.sku, exc.code)
        _settle(run_id=run_id, row=row, position=position, outcome="failed", code=exc.code, error=exc.message)


def _settle(
    *, run_id: int, row: SupplierPicture, position: int, outcome: str, code: str = "", error: str = ""
) -> bool:
    """Record what became of the picture in this run and count it, once; False if already settled."""
    now = timezone.now()
    fields = {"position": position, "etag": row.etag, "last_modified": row.last_modified,
              "image_id": row.image_id, "checked_run_id": run_id, "outcome": outcome,
              "error_code": code, "error": error[:2000], "checked_at": now}  # fmt: skip
    with transaction.atomic():
        if row.pk is None:
            try:
                with transaction.atomic():
                    SupplierPicture.objects.create(product_ref=row.product_ref, url=row.url, **fields)
            except IntegrityError:
                return False
        else:
            updated = (
                SupplierPicture.objects.filter(id=row.pk).exclude(checked_run_id=run_id).update(**fields)
            )
            if not updated:
                return False
        counter = COUNTER_FOR_OUTCOME[SupplierPicture.Outcome(outcome)]
        SyncRun.objects.filter(id=run_id).update(**{counter: F(counter) + 1}, progressed_at=now)
    return True


def _picture_remove(*, run_id: int, row: SupplierPicture) -> None:
    """The supplier no longer lists the picture: it disappears from the product."""
    with transaction.atomic():
        if not SupplierPicture.objects.filter(id=row.pk).delete()[0]:
            return
        if row.image_id is not None:
            catalog_services.product_image_delete(image_id=row.image_id)
        SyncRun.objects.filter(id=run_id).update(
            pictures_removed=F("pictures_removed") + 1, progressed_at=timezone.now()
        )

"""Writes of the catalog: stock (allocations and counts), product images and their pipeline.

Work is scheduled only through `workflow_start` (after commit, via the outbox). The pipeline
steps below are what catalog.tasks call; each is safe to run again for the same image: files
have fixed names and are overwritten, rendition rows are upserted per (image, size, format).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from shop.celery import Priority
from shop.platform.errors import Conflict
from shop.platform.jobs.models import Job
from shop.platform.jobs.services import workflow_start

from . import rendering, storage, workflows
from .models import ImageFormat, ImageRendition, ImageSize, Product, ProductImage, StockAllocation
from .validation import image_upload_check

logger = logging.getLogger(__name__)

RENDITIONS_PER_IMAGE = len(ImageSize) * len(ImageFormat)
COUNT_BATCH = 500


# --- Stock ---------------------------------------------------------------------------------
# available = quantity - allocated is a generated column, so no write can leave it wrong: a
# count (stock_set_quantity) changes only quantity, an allocation or a release only
# allocated, and the check that an allocation fits is part of its own UPDATE.


@dataclass(frozen=True)
class StockLine:
    product_id: int
    quantity: int


class StockShort(Conflict):
    """A line asks for more than is available (or the product is not for sale)."""

    code = "out_of_stock"

    def __init__(self, *, line: StockLine, available: int) -> None:
        super().__init__(
            f"product {line.product_id}: {line.quantity} requested, {available} available",
            details={"product": line.product_id, "requested": line.quantity, "available": available},
        )
        self.line = line
        self.available = available


def stock_allocate(*, holder: str, lines: Sequence[StockLine]) -> list[StockAllocation]:
    """Hold every line's units for `holder`, all or none; raises StockShort for the first short line.

    Each line is one conditional UPDATE (`quantity >= allocated + q`), atomic on SQLite and
    PostgreSQL alike: a concurrent allocation or count is either before it or after it.
    Products are taken in id order, so concurrent allocations lock rows in the same order.
    """
    with transaction.atomic():
        for line in sorted(lines, key=lambda line: line.product_id):
            held = Product.objects.filter(
                id=line.product_id, is_active=True, quantity__gte=F("allocated") + line.quantity
            ).update(allocated=F("allocated") + line.quantity)
            if not held:
                available = Product.objects.filter(id=line.product_id).values_list("available", flat=True)
                raise StockShort(line=line, available=available.first() or 0)
        return StockAllocation.objects.bulk_create(
            StockAllocation(product_id=line.product_id, holder=holder, quantity=line.quantity)
            for line in lines
        )


def _allocations_close(*, holder: str, to: StockAllocation.State, on_hand_leaves: bool) -> int:
    closed_units = 0
    with transaction.atomic():
        now = timezone.now()
        # In product id order, as stock_allocate and the sync lock them: no deadlock on PostgreSQL.
        open_allocations = StockAllocation.objects.filter(holder=holder, state=StockAllocation.State.OPEN)
        for allocation in open_allocations.order_by("product_id", "id"):
            # The conditional UPDATE closes each allocation once, whoever else tries at the same time.
            if not StockAllocation.objects.filter(id=allocation.id, state=StockAllocation.State.OPEN).update(
                state=to, closed_at=now
            ):
                continue
            change = {"allocated": F("allocated") - allocation.quantity}
            if on_hand_leaves:
                # A supplier count below the units held must not make the quantity negative.
                change["quantity"] = Greatest(F("quantity") - allocation.quantity, 0)
            Product.objects.filter(id=allocation.product_id).update(**change)
            closed_units += allocation.quantity
    return closed_units


def stock_deallocate(*, holder: str) -> int:
    """Release the holder's open allocations (its order failed or was cancelled), once; the units
    go back on sale. Returns the units released (0 when there was nothing open)."""
    return _allocations_close(holder=holder, to=StockAllocation.State.RELEASED, on_hand_leaves=False)


def stock_fulfil(*, holder: str) -> int:
    """The holder's units leave (its order completed): its open allocations become fulfilled and
    the quantity on hand drops by as much, so `available` does not move. Once; returns the units."""
    return _allocations_close(holder=holder, to=StockAllocation.State.FULFILLED, on_hand_leaves=True)


def stock_set_quantity(*, quantities: Mapping[int, int]) -> int:
    """Record counted quantities on hand ({product id: units}), the supplier's or staff's figure.

    Only `quantity` is written: the units held by open orders stay held, so `available` is the
    new count minus them (0 if the count is below them). One UPDATE per COUNT_BATCH products.
    """
    if any(units < 0 for units in quantities.values()):
        raise ValueError("a quantity on hand cannot be negative")
    ids = sorted(quantities)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(ids), COUNT_BATCH):
            batch = ids[start : start + COUNT_BATCH]
            Product.objects.filter(id__in=batch).update(
                quantity=Case(
                    *(When(id=product_id, then=Value(quantities[product_id])) for product_id in batch)
                ),
                updated_at=now,
            )
    return len(ids)


# --- Images --------------------------------------------------------------------------------


def image_pipeline_start(*, image: ProductImage, priority: Priority, owner: AbstractBaseUser | None) -> Job:
    """Start (or start again) the image's pipeline; it is dispatched when this transaction commits."""
    with transaction.atomic():
        job = workflow_start(
            kind="product_image",
            subject=f"product-image:{image.id}",
            workflow=workflows.image_pipeline(image_id=image.id),
            priority=priority,
            owner=owner,
        )
        image.job = job
        image.save(update_fields=["job", "updated_at"])
    return job


def product_image_add(
    *, product: Product, upload: UploadedFile, uploaded_by: AbstractBaseUser | None, priority: Priority
) -> ProductImage:
    """Check the upload, store it as the product's next image and start its pipeline.

    Raises validation.ImageRejected before anything is written; if storing fails midway,
    the file already written is removed again, so a failed upload leaves nothing behind.
    """
    checked = image_upload_check(upload)
    stored_name = ""
    try:
        with transaction.atomic():
            last_position = product.images.aggregate(last=Max("position"))["last"]
            image = ProductImage.objects.create(
                product=product,
                position=0 if last_position is None else last_position + 1,
                original_format=checked.format,
                original_bytes=len(checked.content),
                width=checked.width,
                height=checked.height,
            )
            stored_name = storage.file_write(
                storage.original_name(image.id, checked.extension), checked.content
            )
            image.original.name = stored_name
            image.save(update_fields=["original"])
            image_pipeline_start(image=image, priority=priority, owner=uploaded_by)
    except BaseException:
        storage.file_delete(stored_name)
        raise
    return image


def product_image_from_bytes(
    *, product: Product, content: bytes, name: str, priority: Priority, owner: AbstractBaseUser | None = None
) -> ProductImage:
    """A picture that arrived as bytes (the supplier's): checked, stored and rendered exactly
    like a staff upload named `name`; raises validation.ImageRejected before anything is written."""
    upload = SimpleUploadedFile(name, content)
    return product_image_add(product=product, upload=upload, uploaded_by=owner, priority=priority)


def product_image_replace(*, image_id: int, content: bytes, name: str, priority: Priority) -> ProductImage:
    """Put new content in place of an image's original (checked like an upload) and render it
    again; the image keeps its id and place. Raises ImageRejected, leaving the image as it was."""
    checked = image_upload_check(SimpleUploadedFile(name, content))
    with transaction.atomic():
        image = ProductImage.objects.select_for_update().get(id=image_id)
        previous = image.original.name
        image.original.name = storage.file_write(
            storage.original_name(image.id, checked.extension), checked.content
        )
        image.original_format = checked.format
        image.original_bytes = len(checked.content)
        image.width, image.height = checked.width, checked.height
        image.save(update_fields=["original", "original_format", "original_bytes", "width", "height",
                                  "updated_at"])  # fmt: skip
        image_pipeline_start(image=image, priority=priority, owner=None)
    if previous and previous != image.original.name:
        transaction.on_commit(lambda: storage.file_delete(previous))
    return image


def product_image_delete(*, image_id: int) -> bool:
    """Remove an image, its renditions and (once committed) its files; False if it was gone."""
    deleted, _ = ProductImage.objects.filter(id=image_id).delete()
    return bool(deleted)


def images_rerender(*, images: Iterable[ProductImage], owner: AbstractBaseUser | None) -> list[Job]:
    """Run the pipeline again for each image (e.g. after the renditions changed), at LOW priority."""
    with transaction.atomic():
        return [image_pipeline_start(image=image, priority=Priority.LOW, owner=owner) for image in images]


def _image_transition(*, image_id: int, to: ProductImage.Status, error: str = "") -> ProductImage:
    with transaction.atomic():
        image = ProductImage.objects.select_for_update().get(id=image_id)
        image.check_transition(to)
        image.status = to
        image.error = error
        image.save(update_fields=["status", "error", "updated_at"])
    return image


def image_render(*, image_id: int) -> list[ImageRendition]:
    """Write every rendition of the image from one decode of its original (rendering.renditions_render)."""
    image = _image_transition(image_id=image_id, to=ProductImage.Status.PROCESSING)
    rendered = rendering.renditions_render(
        storage.file_read(image.original.name), max_pixels=settings.CATALOG_IMAGE_MAX_PIXELS
    )
    renditions = []
    for (size, image_format), encoded in rendered.items():
        extension = rendering.FILE_EXTENSIONS[ImageFormat(image_format)]
        name = storage.file_write(storage.rendition_name(image_id, size, extension), encoded.content)
        renditions.append(ImageRendition(image_id=image_id, size=size, format=image_format, file=name,
                                         width=encoded.width, height=encoded.height, bytes=len(encoded.content)))  # fmt: skip
    # One statement for the six rows, new or re-rendered (the files keep their fixed names).
    return ImageRendition.objects.bulk_create(
        renditions,
        update_conflicts=True,
        unique_fields=["image", "size", "format"],
        update_fields=["file", "width", "height", "bytes", "updated_at"],
    )


def image_mark_ready(*, image_id: int) -> None:
    rendered = ImageRendition.objects.filter(image_id=image_id).count()
    if rendered != RENDITIONS_PER_IMAGE:
        raise ValueError(f"image {image_id} has {rendered} of {RENDITIONS_PER_IMAGE} renditions")
    _image_transition(image_id=image_id, to=ProductImage.Status.READY)


def image_mark_failed(*, image_id: int, error: str) -> None:
    """Record why the pipeline failed; an image that another run made ready stays ready."""
    with transaction.atomic():
        image = ProductImage.objects.select_for_update().filter(id=image_id).first()
        if image is None or image.status == ProductImage.Status.READY:
            logger.info("Not marking image %s failed (%s): %s", image_id, image and image.status, error)
            return
        image.check_transition(ProductImage.Status.FAILED)
        image.status = ProductImage.Status.FAILED
        image.error = error[:2000]
        image.save(update_fields=["status", "error", "updated_at"])

"""Writes of the catalog: adding product images and running their pipeline.

Work is scheduled only through `workflow_start` (after commit, via the outbox). The pipeline
steps below are what catalog.tasks call; each is safe to run again for the same image: files
have fixed names and are overwritten, rendition rows are upserted per (image, size, format).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Max

from shop.celery import Priority
from shop.jobs.models import Job
from shop.jobs.services import workflow_start

from . import rendering, storage, workflows
from .models import ImageFormat, ImageRendition, ImageSize, Product, ProductImage
from .validation import image_upload_check

logger = logging.getLogger(__name__)

RENDITIONS_PER_IMAGE = len(ImageSize) * len(ImageFormat)


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


def image_normalise(*, image_id: int) -> None:
    """Write the upright, sRGB, metadata-free copy that every rendition is made from."""
    image = _image_transition(image_id=image_id, to=ProductImage.Status.PROCESSING)
    normalised = rendering.normalise(
        storage.file_read(image.original.name), max_pixels=settings.CATALOG_IMAGE_MAX_PIXELS
    )
    name = storage.file_write(storage.normalised_name(image_id), normalised.content)
    ProductImage.objects.filter(id=image_id).update(normalised=name)


def rendition_render(*, image_id: int, size: str, image_format: str) -> ImageRendition:
    image = ProductImage.objects.only("normalised").get(id=image_id)
    rendered = rendering.render(
        storage.file_read(image.normalised.name),
        size=size,
        image_format=image_format,
        max_pixels=settings.CATALOG_IMAGE_MAX_PIXELS,
    )
    extension = rendering.FILE_EXTENSIONS[ImageFormat(image_format)]
    name = storage.file_write(storage.rendition_name(image_id, size, extension), rendered.content)
    rendition, _ = ImageRendition.objects.update_or_create(
        image_id=image_id,
        size=size,
        format=image_format,
        defaults={"file": name, "width": rendered.width, "height": rendered.height,
                  "bytes": len(rendered.content)},
    )  # fmt: skip
    return rendition


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

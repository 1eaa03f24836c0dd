"""Images: renditions per second from 12-megapixel (4,032 × 3,024) product photos, a phone's.

Ours: the real pipeline per image (one task decodes the original once in JPEG draft mode and
writes 3 sizes × 2 formats → mark ready), started as the admin's re-render action does, timed
until every image's Job has finished. Naive: one task per rendition that opens the original
and `thumbnail()`s it (bench/naive/tasks.py), on the same queue and worker. The limit: the
same one-pass decode and encodes in a loop in this process (bench/limit/images.py). The pictures are the demo seed's drawings (catalog/demo.py)
scaled up to a phone photo's size, uploaded once through the same path as a staff upload
(validation included) before anything is timed.
"""

from __future__ import annotations

import io
import time

from celery.result import AsyncResult
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bench import broker
from bench.catalog_data import bench_products
from bench.context import BenchContext
from bench.limit.images import renditions_loop
from bench.measure import Row, ScenarioResult, repeat
from bench.naive import tasks as naive
from catalog.demo import product_picture
from catalog.models import ImageFormat, ImageSize, Product, ProductImage
from catalog.services import RENDITIONS_PER_IMAGE, images_rerender, product_image_add
from shop.celery import Priority, app
from shop.platform.jobs.models import Job
from shop.platform.result_backend import results_not_followed
from tests.harness.jobs import wait_until

TIMEOUT = 600
PHOTO_SIZE = (4032, 3024)


def _photo(product: Product) -> SimpleUploadedFile:
    picture = Image.open(io.BytesIO(product_picture(product))).resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{product.slug}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _images_ensure(count: int) -> list[int]:
    products = bench_products("pictures", count)
    for product in products:
        if not product.images.exists():
            product_image_add(
                product=product, upload=_photo(product), uploaded_by=None, priority=Priority.LOW
            )
    images = ProductImage.objects.filter(product__in=products)
    wait_until(
        lambda: images.filter(status=ProductImage.Status.READY).count() == count,
        timeout=TIMEOUT,
        interval=0.2,
        message="the pictures were processed",
    )
    return list(images.values_list("id", flat=True))


def run(context: BenchContext) -> ScenarioResult:
    image_ids = _images_ensure(context.sizes.images)
    renditions = len(image_ids) * RENDITIONS_PER_IMAGE
    queue = broker.queue_of("catalog.image_render")

    def ours() -> dict[str, float]:
        started = time.perf_counter()
        jobs = images_rerender(images=ProductImage.objects.filter(id__in=image_ids), owner=None)
        finished = Job.objects.filter(id__in=[job.id for job in jobs], status__in=Job.FINISHED)
        wait_until(
            lambda: finished.count() == len(jobs),
            timeout=TIMEOUT,
            interval=0.05,
            message="every image pipeline finished",
        )
        elapsed = time.perf_counter() - started
        if finished.exclude(status=Job.Status.SUCCEEDED).exists():
            raise RuntimeError("an image pipeline failed")
        return {"renditions_per_s": renditions / elapsed}

    def naive_thumbnails() -> dict[str, float]:
        started = time.perf_counter()
        with results_not_followed():
            task_ids = [
                naive.rendition_thumbnail.apply_async(args=(image_id, size, image_format), queue=queue).id
                for image_id in image_ids
                for size in ImageSize
                for image_format in ImageFormat
            ]
        broker.wait_succeeded(task_ids, timeout=TIMEOUT)
        elapsed = time.perf_counter() - started
        if any(AsyncResult(task_id, app=app).failed() for task_id in task_ids):
            raise RuntimeError("a naive rendition failed")
        return {"renditions_per_s": renditions / elapsed}

    def limit() -> dict[str, float]:
        started = time.perf_counter()
        written = renditions_loop(image_ids)
        return {"renditions_per_s": written / (time.perf_counter() - started)}

    figures, naive_figures, limit_figures = repeat(
        ours, naive_thumbnails, limit, units={"renditions_per_s": "renditions/s"}
    )
    return ScenarioResult(
        name="images",
        size=f"{len(image_ids)} images × {RENDITIONS_PER_IMAGE} renditions",
        rows=[
            Row(
                "renditions/s (3 sizes × WebP + JPEG)",
                figures["renditions_per_s"],
                naive_figures["renditions_per_s"],
                "naive open + thumbnail() per rendition",
            ),
            Row(
                "renditions/s against the limit",
                figures["renditions_per_s"],
                limit_figures["renditions_per_s"],
                "the limit: one-pass loop in one process",
            ),
        ],
        notes=[
            "Ours includes the Job, its tracked steps and six rendition rows per image; the limit is one "
            "process (ours may use both cores, so it can pass 100 %). The quick run uses the same photos."
        ],
    )

"""The image pipeline on the real worker: upload → ready, every kind of image, re-runs, failures."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from django.conf import settings
from PIL import Image

from catalog import services, storage
from catalog.models import ImageRendition, ProductImage
from shop.celery import Priority
from shop.platform.jobs.models import Job, JobStep
from tests.catalog import pictures
from tests.catalog.conftest import client_for, upload
from tests.factories import ProductFactory, ProductImageFactory, StaffFactory
from tests.harness.jobs import wait_for_job, wait_until

PIL_FORMATS = {"jpeg": "JPEG", "webp": "WEBP"}


def rendition_fingerprints(image: ProductImage) -> dict[tuple[str, str], tuple]:
    return {
        (r.size, r.format): (r.id, r.file.name, r.width, r.height, r.bytes,
                             hashlib.sha256(Path(r.file.path).read_bytes()).hexdigest())
        for r in image.renditions.all()
    }  # fmt: skip


def image_folder_files(image: ProductImage) -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / storage.image_folder(image.id)
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def test_an_upload_becomes_ready_with_every_rendition_at_its_size_and_format(worker):
    staff = StaffFactory()
    product = ProductFactory()

    response = upload(client_for(staff), product.id, pictures.jpeg(2400, 1600))

    assert response.status_code == 202
    job = wait_for_job(response.json()["job"]["id"])
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.priority == Priority.HIGH.value
    assert set(job.steps.values_list("queue", flat=True)) == {"images"}
    assert set(job.steps.values_list("priority", flat=True)) == {Priority.HIGH.value}
    assert (job.progress_done, job.progress_total) == (2, 2)  # all six renditions in one pass, ready
    image = ProductImage.objects.get(id=response.json()["id"])
    assert (image.status, image.error) == (ProductImage.Status.READY, "")
    expected = {"thumb": (160, 107), "card": (480, 320), "large": (1200, 800)}
    renditions = image.renditions.all()
    assert {(r.size, r.format) for r in renditions} == {(s, f) for s in expected for f in PIL_FORMATS}
    for rendition in renditions:
        with Image.open(rendition.file.path) as decoded:
            assert decoded.format == PIL_FORMATS[rendition.format]
            assert decoded.size == expected[rendition.size] == (rendition.width, rendition.height)
            assert not decoded.getexif()
    assert image_folder_files(image) == {
        "original.jpg", *(f"renditions/{s}.{e}" for s in expected for e in ("jpg", "webp"))
    }  # fmt: skip

    detail = client_for().get(f"/api/products/{product.id}/").json()
    (shown,) = detail["images"]
    assert len(shown["renditions"]) == 6
    for rendition in shown["renditions"]:
        served = client_for().get(rendition["url"].removeprefix("http://testserver"))
        assert served.status_code == 200
        with Image.open(io.BytesIO(b"".join(served.streaming_content))) as decoded:
            assert decoded.size == (rendition["width"], rendition["height"])


def test_cmyk_rotated_palette_and_animated_images_are_processed_correctly(worker):
    staff = client_for(StaffFactory())
    product = ProductFactory()
    uploads = {
        "cmyk": pictures.cmyk_jpeg(600, 400),
        "rotated": pictures.exif_rotated_jpeg(600, 400),
        "palette": pictures.palette_png_with_transparency(600, 400),
        "animated": pictures.animated_gif(600, 400),
    }
    image_ids = {kind: upload(staff, product.id, content).json()["id"] for kind, content in uploads.items()}

    for image_id in image_ids.values():
        image = ProductImage.objects.get(id=image_id)
        assert wait_for_job(image.job_id).status == Job.Status.SUCCEEDED

    def large(kind: str) -> Image.Image:
        rendition = ImageRendition.objects.get(image_id=image_ids[kind], size="large", format="jpeg")
        return Image.open(rendition.file.path).convert("RGB")

    assert large("cmyk").size == (600, 400)
    red, green, _ = large("cmyk").getpixel((10, 10))
    assert red > 180 and green < 90  # the red corner stays red through CMYK
    rotated = large("rotated")
    assert rotated.size == (400, 600)  # upright: the EXIF orientation is applied
    red, green, _ = rotated.getpixel((390, 10))  # the red corner, turned to the top right
    assert red > 180 and green < 90
    assert large("palette").mode == "RGB"
    animated = large("animated")
    assert animated.size == (600, 400)
    assert animated.getpixel((10, 10)) != animated.getpixel(
        (300, 300)
    )  # the first frame, not the flat second


def test_running_the_pipeline_again_changes_nothing(worker):
    image = ProductImageFactory(original=pictures.jpeg(1000, 700), width=1000, height=700)
    first = services.image_pipeline_start(image=image, priority=Priority.HIGH, owner=None)
    assert wait_for_job(first).status == Job.Status.SUCCEEDED
    before = (rendition_fingerprints(image), image_folder_files(image))

    (again,) = services.images_rerender(images=[image], owner=None)

    again = wait_for_job(again)
    assert again.status == Job.Status.SUCCEEDED
    assert again.priority == Priority.LOW.value
    image.refresh_from_db()
    assert image.status == ProductImage.Status.READY
    assert image.job_id == again.id
    assert (rendition_fingerprints(image), image_folder_files(image)) == before
    assert ImageRendition.objects.filter(image=image).count() == 6


def test_a_file_that_turns_out_corrupt_fails_with_its_error_on_image_and_job(worker):
    damaged = pictures.jpeg(400, 300)[:600]  # it was valid when uploaded, then lost its end on disk
    image = ProductImageFactory(original=damaged, width=400, height=300)

    job = wait_for_job(services.image_pipeline_start(image=image, priority=Priority.HIGH, owner=None))

    assert job.status == Job.Status.FAILED
    image.refresh_from_db()
    assert image.status == ProductImage.Status.FAILED
    assert image.error.startswith("CorruptImage:")
    assert job.error == f"image_render: {image.error}"
    assert job.steps.get(name="image_render").retries == 0
    assert not image.renditions.exists()


def test_a_storage_failure_is_retried_with_backoff_until_storage_is_back(worker):
    image = ProductImageFactory(original=pictures.jpeg(400, 300), width=400, height=300)
    # A file where the renditions folder goes: every write there fails until it is removed.
    blocker = Path(settings.MEDIA_ROOT) / storage.image_folder(image.id) / "renditions"
    blocker.write_bytes(b"in the way")

    job = services.image_pipeline_start(image=image, priority=Priority.HIGH, owner=None)
    wait_until(lambda: JobStep.objects.filter(job=job, retries__gte=1).exists(), timeout=60,
               message="a render step retried")  # fmt: skip
    blocker.unlink()

    job = wait_for_job(job)
    assert job.status == Job.Status.SUCCEEDED
    retried = job.steps.filter(name="image_render", retries__gte=1)
    assert retried.exists()
    assert all(step.state == JobStep.State.SUCCESS for step in retried)
    image.refresh_from_db()
    assert image.status == ProductImage.Status.READY

"""Supplier pictures through a real sync run: the real stub serves them, the real worker syncs
them and the real image pipeline renders them."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from catalog.models import Product, ProductImage
from devservers import supplier_catalog
from shop.platform.jobs.models import Job, JobStep
from sync.models import SupplierPicture, SyncRun
from sync.tasks import SUPPLIER_RETRY
from tests.catalog import pictures
from tests.harness.jobs import wait_for_job, wait_until
from tests.reliability.test_hostile_uploads import REJECTED

from .helpers import assert_matches_supplier, sync_run_to_end

PRODUCTS = 12


@pytest.fixture
def pictured(sync_settings, supplier_stub):
    """A supplier of 12 products with 1 or 2 pictures each, synced in 3 pages of 4."""
    sync_settings.SUPPLIER_SYNC_PAGE_SIZE = 4
    supplier_stub.reset(size=PRODUCTS, pictures_per_product=2)
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "catalog", ignore_errors=True)
    yield supplier_stub
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "catalog", ignore_errors=True)


def listed_pictures(stub) -> dict[str, list[str]]:
    """Picture paths by product reference, as the supplier lists them now."""
    return {item["ref"]: [urlsplit(url).path for url in item["pictures"]] for item in stub.catalog()}


def all_rendered() -> bool:
    images = ProductImage.objects.all()
    return images.exists() and all(image.status == ProductImage.Status.READY for image in images)


def run_to_end() -> SyncRun:
    run = sync_run_to_end(timeout=120)
    wait_for_job(run.job, timeout=120)
    return run


def test_pictures_are_fetched_once_then_unchanged_by_conditional_get(worker, pictured):
    listed = listed_pictures(pictured)
    total = sum(map(len, listed.values()))
    assert total > PRODUCTS, "some products have two pictures"

    first = run_to_end()

    assert first.status == SyncRun.Status.SUCCEEDED
    assert (first.pictures_fetched, first.pictures_unchanged, first.pictures_failed) == (total, 0, 0)
    for ref, paths in listed.items():
        assert Product.objects.get(supplier_ref=ref).images.count() == len(paths)
    wait_until(all_rendered, timeout=180, message="every supplier picture rendered")
    assert all(image.job.priority == "low" for image in ProductImage.objects.select_related("job"))
    steps = Job.objects.get(id=first.job_id).steps.filter(role=JobStep.Role.STEP)
    picture_steps = steps.filter(name="sync_page_pictures")
    assert picture_steps.count() == 3 and steps.filter(name="sync_pictures_finish").exists()
    assert all(step.state == JobStep.State.SUCCESS for step in steps)
    images_before = set(ProductImage.objects.values_list("id", "job_id"))
    counters_before = pictured.state()["picture_counters"]

    second = run_to_end()

    assert (second.pictures_fetched, second.pictures_unchanged, second.pictures_failed) == (0, total, 0)
    assert set(ProductImage.objects.values_list("id", "job_id")) == images_before, "nothing re-rendered"
    counters = pictured.state()["picture_counters"]
    assert counters["not_modified"] - counters_before["not_modified"] == total
    assert counters["ok"] == counters_before["ok"], "no picture downloaded again"


def _version_losing_a_picture(seed: int = 0) -> tuple[int, str]:
    """The first version at which a product still listed has fewer pictures than at version 0."""
    for version in range(1, 2000):
        for index in range(PRODUCTS):
            listed = supplier_catalog.is_listed(seed, PRODUCTS, index, version)
            before = supplier_catalog.picture_count(seed, index, 0, 2)
            if listed and supplier_catalog.picture_count(seed, index, version, 2) < before:
                return version, supplier_catalog.ref_of(index)
    raise AssertionError("no product of the test catalog ever loses a picture")


def test_a_changed_picture_is_rendered_again_and_a_removed_one_disappears(worker, pictured):
    run_to_end()
    wait_until(all_rendered, timeout=180, message="first pictures rendered")
    version, losing_ref = _version_losing_a_picture()
    pictured.control(version=version)
    listed = listed_pictures(pictured)
    changed_ref = next(ref for ref, paths in listed.items() if ref != losing_ref and paths)
    changed_path = listed[changed_ref][0]
    changed_image = SupplierPicture.objects.get(product_ref=changed_ref, url__endswith=changed_path).image
    pipeline_before = changed_image.job_id
    pictured.put_picture(changed_path, pictures.png(320, 200), content_type="image/png")

    run = run_to_end()

    assert run.pictures_removed >= 1 and run.pictures_failed == 0
    losing = Product.objects.get(supplier_ref=losing_ref)
    assert losing.images.count() == len(listed[losing_ref])
    assert SupplierPicture.objects.filter(product_ref=losing_ref).count() == len(listed[losing_ref])
    wait_until(all_rendered, timeout=180, message="the changed picture rendered again")
    changed_image.refresh_from_db()
    assert changed_image.job_id != pipeline_before, "the changed picture went through the pipeline again"
    assert (changed_image.original_format, changed_image.width, changed_image.height) == ("PNG", 320, 200)
    assert {r.width for r in changed_image.renditions.all()} == {320, 160}


# What the validation calls each refusal (the API's "invalid" for an empty upload is DRF's own).
REFUSAL_CODE = {kind: "empty_file" if kind == "zero_bytes" else spec[4] for kind, spec in REJECTED.items()}


def media_folders() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "catalog" / "images"
    return {path.name for path in root.iterdir()} if root.exists() else set()


def test_hostile_pictures_are_refused_counted_never_stored_and_tried_again(worker, pictured):
    paths = [path for paths in listed_pictures(pictured).values() for path in paths]
    hostile = dict(zip(paths, REJECTED, strict=False))
    assert len(hostile) == len(REJECTED), "a picture for every kind of hostile file"
    for path, kind in hostile.items():
        pictured.put_picture(path, REJECTED[kind][0](), content_type=REJECTED[kind][2])

    first = run_to_end()

    assert first.status == SyncRun.Status.SUCCEEDED
    good = len(paths) - len(hostile)
    assert (first.pictures_fetched, first.pictures_failed) == (good, len(hostile))
    for path, kind in hostile.items():
        row = SupplierPicture.objects.get(url__endswith=path)
        assert (row.outcome, row.error_code, row.image_id) == ("failed", REFUSAL_CODE[kind], None), kind
    assert ProductImage.objects.count() == good
    assert media_folders() == {str(pk) for pk in ProductImage.objects.values_list("id", flat=True)}

    second = run_to_end()

    assert (second.pictures_unchanged, second.pictures_failed) == (good, len(hostile))
    assert ProductImage.objects.count() == good


@pytest.mark.parametrize("fault", ["error", "throttle", "timeout"])
def test_a_picture_server_in_trouble_is_retried_counted_and_never_blocks_the_catalog(fault, worker, pictured):
    total = sum(map(len, listed_pictures(pictured).values()))
    pictured.control(**{f"picture_{fault}_rate": 1.0}, max_consecutive_faults=1000, retry_after=0,
                     timeout_seconds=2)  # fmt: skip

    troubled = run_to_end()

    assert troubled.status == SyncRun.Status.SUCCEEDED
    assert_matches_supplier(pictured.catalog())
    assert (troubled.pictures_fetched, troubled.pictures_failed) == (0, total)
    assert not ProductImage.objects.exists()
    steps = Job.objects.get(id=troubled.job_id).steps
    picture_steps = steps.filter(name="sync_page_pictures")
    assert {step.retries for step in picture_steps} == {SUPPLIER_RETRY.max_retries}
    last_page_done = max(steps.filter(name__in=["sync_run_begin", "sync_page_apply", "sync_run_finish"])
                         .exclude(name="sync_run_finish").values_list("finished_at", flat=True))  # fmt: skip
    assert all(step.started_at >= last_page_done for step in picture_steps), "pictures wait for no page"
    assert set(SupplierPicture.objects.values_list("error_code", flat=True)) == {"unreachable"}


def test_pictures_that_failed_are_fetched_by_the_next_run(worker, pictured):
    total = sum(map(len, listed_pictures(pictured).values()))
    pictured.control(picture_error_rate=1.0, max_consecutive_faults=1000, retry_after=0)
    assert run_to_end().pictures_failed == total
    pictured.control(picture_error_rate=0.0)

    recovered = run_to_end()

    assert (recovered.pictures_fetched, recovered.pictures_failed) == (total, 0)
    assert ProductImage.objects.count() == total
    wait_until(all_rendered, timeout=180, message="the recovered pictures rendered")

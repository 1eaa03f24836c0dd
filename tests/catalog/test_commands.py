"""Re-rendering the catalog (command and admin actions) starts one LOW-priority Job per image."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.models import ProductImage
from shop.platform.jobs.models import Job, JobStep
from tests.factories import ProductFactory, ProductImageFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_rerender_images_starts_a_low_priority_job_per_image():
    images = ProductImageFactory.create_batch(3)

    call_command("rerender_images", stdout=io.StringIO())

    jobs = Job.objects.filter(kind="product_image")
    assert jobs.count() == 3
    assert set(jobs.values_list("priority", flat=True)) == {"low"}
    assert set(JobStep.objects.filter(job__in=jobs).values_list("priority", flat=True)) == {"low"}
    assert {image.job.subject for image in ProductImage.objects.filter(id__in=[i.id for i in images])} == {
        f"product-image:{image.id}" for image in images
    }


def test_rerender_images_can_be_limited_to_some_products():
    first = ProductImageFactory()
    ProductImageFactory()  # another product's image

    call_command("rerender_images", "--product", str(first.product_id), stdout=io.StringIO())

    assert Job.objects.get().subject == f"product-image:{first.id}"


@pytest.mark.parametrize(
    ("changelist", "selected"),
    [("catalog/productimage", lambda image: image.id), ("catalog/product", lambda image: image.product_id)],
    ids=["image_admin", "product_admin"],
)
def test_the_admin_action_rerenders_at_low_priority(client, changelist, selected):
    image = ProductImageFactory()
    ProductImageFactory(product=ProductFactory())  # not selected
    client.force_login(StaffFactory(is_superuser=True))

    response = client.post(
        f"/admin/{changelist}/",
        {"action": "rerender_images", "_selected_action": [selected(image)]},
        follow=True,
    )

    assert response.status_code == 200
    job = Job.objects.get()
    assert (job.subject, job.priority) == (f"product-image:{image.id}", "low")


def test_every_catalog_admin_page_opens(client):
    image = ProductImageFactory()
    client.force_login(StaffFactory(is_superuser=True))
    pages = [
        f"/admin/catalog/{model}/" for model in ("category", "product", "productimage", "imagerendition")
    ]
    pages += [
        f"/admin/catalog/product/{image.product_id}/change/",
        f"/admin/catalog/productimage/{image.id}/change/",
    ]
    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)


def test_deleting_a_product_removes_its_image_files(django_capture_on_commit_callbacks):
    image = ProductImageFactory()
    folder = Path(image.original.path).parent
    assert folder.is_dir()

    with django_capture_on_commit_callbacks(execute=True):
        image.product.delete()

    assert not folder.exists()

"""The demo seed draws a distinct picture per product and sends each through the pipeline once."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catalog.demo import product_picture, product_pictures_seed
from catalog.models import ProductImage
from catalog.selectors import products_without_images
from shop.platform.jobs.models import Job
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_each_product_gets_its_own_large_jpeg():
    first, second = ProductFactory(name="Sun-ripened Jerusalem Artichoke"), ProductFactory(name="Fig")

    pictures = [product_picture(first), product_picture(second)]

    assert pictures[0] != pictures[1]
    assert product_picture(first) == pictures[0]  # deterministic
    for content in pictures:
        with Image.open(io.BytesIO(content)) as picture:
            assert picture.format == "JPEG"
            assert picture.width >= 2000


def test_seeding_pictures_starts_one_low_priority_job_per_product_once():
    products = ProductFactory.create_batch(2)

    assert product_pictures_seed(products=products_without_images()) == 2
    assert product_pictures_seed(products=products_without_images()) == 0

    images = ProductImage.objects.filter(product__in=products)
    assert images.count() == 2
    assert all(image.width >= 2000 and image.job.priority == "low" for image in images)
    assert Job.objects.filter(kind="product_image").count() == 2

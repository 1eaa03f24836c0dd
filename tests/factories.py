"""factory-boy factories shared by every test package."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from catalog.models import Category, Product, ProductImage
from catalog.storage import file_write, original_name
from tests.catalog.pictures import jpeg


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"customer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("2.50")
    quantity = 100


class CompletedOrderFactory(factory.django.DjangoModelFactory):
    """A finished sale, as reports count it: status completed, totals set by the caller."""

    class Meta:
        model = "orders.Order"

    number = factory.Sequence(lambda n: f"T{n:07d}")
    customer = factory.SubFactory(UserFactory)
    status = "completed"
    placed_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    completed_at = factory.LazyAttribute(lambda order: order.placed_at)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.OrderLine"

    order = factory.SubFactory(CompletedOrderFactory)
    product = factory.SubFactory(ProductFactory)
    product_name = factory.LazyAttribute(lambda line: line.product.name)
    sku = factory.LazyAttribute(lambda line: line.product.sku)
    quantity = 1
    unit_price = factory.LazyAttribute(lambda line: line.product.price)
    line_total = factory.LazyAttribute(lambda line: line.unit_price * line.quantity)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Campaign"

    name = factory.Sequence(lambda n: f"Campaign {n}")
    subject = "Fresh this week"
    body_text = "Crisp apples and the first pumpkins are in."
    audience = "all_customers"


class ProductImageFactory(factory.django.DjangoModelFactory):
    """An image stored as an upload would be, without its pipeline (tests start that themselves).

    `original` takes the file's bytes (a 64×48 JPEG by default).
    """

    class Meta:
        model = ProductImage
        skip_postgeneration_save = True  # the `original` hook saves the fields it sets

    product = factory.SubFactory(ProductFactory)
    original_format = "JPEG"
    width = 64
    height = 48

    @factory.post_generation
    def original(image, create, extracted, **kwargs):
        content = extracted if extracted is not None else jpeg(image.width, image.height)
        image.original.name = file_write(original_name(image.id, "jpg"), content)
        image.original_bytes = len(content)
        if create:
            image.save(update_fields=["original", "original_bytes"])

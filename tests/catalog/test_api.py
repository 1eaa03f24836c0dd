"""The public catalog API: categories, products with search / filter / ordering / pages, images."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import ImageFormat, ImageRendition, ImageSize, ProductImage
from catalog.services import StockLine, stock_allocate
from tests.catalog.conftest import client_for
from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory, StaffFactory

pytestmark = pytest.mark.django_db


def ready_image(product, position: int = 0) -> ProductImage:
    """An image whose renditions exist as rows (the files are not needed to list them)."""
    image = ProductImageFactory(product=product, position=position)
    ProductImage.objects.filter(id=image.id).update(status=ProductImage.Status.READY)
    ImageRendition.objects.bulk_create(
        ImageRendition(image=image, size=size, format=image_format, file=f"r/{image.id}-{size}.{image_format}",
                       width=10, height=8, bytes=100)
        for size in ImageSize
        for image_format in ImageFormat
    )  # fmt: skip
    return image


def test_categories_are_public_with_their_active_product_counts():
    fruit = CategoryFactory(name="Fruit", slug="fruit", position=1)
    CategoryFactory(name="Herbs", slug="herbs", position=2)
    ProductFactory.create_batch(2, category=fruit)
    ProductFactory(category=fruit, is_active=False)

    response = client_for().get("/api/categories/")

    assert response.status_code == 200
    counts = {c["slug"]: c["product_count"] for c in response.json()["results"]}
    assert counts == {"fruit": 2, "herbs": 0}


def test_products_search_filter_order_and_pages():
    fruit, nuts = CategoryFactory(slug="fruit"), CategoryFactory(slug="nuts")
    ProductFactory(name="Green Apple", category=fruit, price=Decimal("1.20"))
    ProductFactory(name="Red Apple", category=fruit, price=Decimal("0.90"))
    ProductFactory(name="Walnut", category=nuts, price=Decimal("3.00"), description="apple-wood smoked")
    ProductFactory(name="Hidden Apple", category=fruit, is_active=False)
    anonymous = client_for()

    def names(query: str) -> list[str]:
        response = anonymous.get(f"/api/products/?{query}")
        assert response.status_code == 200
        return [p["name"] for p in response.json()["results"]]

    assert names("search=apple") == ["Green Apple", "Red Apple", "Walnut"]
    assert names("search=apple&category=fruit&ordering=price") == ["Red Apple", "Green Apple"]
    assert names("ordering=-price") == ["Walnut", "Green Apple", "Red Apple"]
    page = anonymous.get("/api/products/?page_size=2&page=2").json()
    assert (page["count"], [p["name"] for p in page["results"]]) == (3, ["Walnut"])
    assert "Hidden Apple" in [
        p["name"] for p in client_for(StaffFactory()).get("/api/products/").json()["results"]
    ]


def test_a_product_carries_its_ready_images_with_rendition_urls():
    product = ProductFactory(price=Decimal("2.50"))
    ready_image(product, position=1)
    ProductImageFactory(product=product, position=0)  # still pending: shoppers do not see it

    body = client_for().get(f"/api/products/{product.id}/").json()

    assert (body["price"], body["currency"], body["category"]["slug"]) == (
        "2.50",
        "EUR",
        product.category.slug,
    )
    (image,) = body["images"]
    assert image["status"] == "ready"
    assert {(r["size"], r["format"]) for r in image["renditions"]} == {
        (s, f) for s in ImageSize.values for f in ImageFormat.values
    }
    assert all(r["url"].startswith("http://testserver/media/r/") for r in image["renditions"])
    staff_view = client_for(StaffFactory()).get(f"/api/products/{product.id}/").json()
    assert [i["status"] for i in staff_view["images"]] == ["pending", "ready"]
    assert "job" in staff_view["images"][0]


def test_unknown_and_inactive_products_are_404_for_shoppers():
    assert client_for().get("/api/products/999999/").status_code == 404
    assert client_for().get(f"/api/products/{ProductFactory(is_active=False).id}/").status_code == 404


@pytest.mark.parametrize("staff", [False, True], ids=["shopper", "staff"])
def test_the_product_list_costs_the_same_queries_whatever_the_page_size(staff, django_assert_num_queries):
    for _ in range(12):
        product = ProductFactory()
        ready_image(product)
        ready_image(product, position=1)
    client = client_for(StaffFactory() if staff else None)

    def list_products(page_size: int) -> list:
        response = client.get(f"/api/products/?page_size={page_size}")
        assert response.status_code == 200
        return response.json()["results"]

    # (shoppers: the catalog version, catalog/api_cache.py), count, products + categories,
    # images (+ their jobs for staff), renditions
    built = 4 if staff else 5
    with django_assert_num_queries(built):
        small = list_products(2)
    with django_assert_num_queries(built):
        large = list_products(12)
    assert (len(small), len(large)) == (2, 12)
    assert all(len(p["images"]) == 2 and len(p["images"][0]["renditions"]) == 6 for p in large)
    # Again: a shopper's page comes from the cache for the version alone; staff's is built again.
    with django_assert_num_queries(1 if not staff else built):
        assert list_products(12) == large


def test_the_schema_documents_the_catalog():
    schema = client_for().get("/api/schema/?format=json").json()

    assert {"/api/categories/", "/api/products/", "/api/products/{id}/", "/api/products/{id}/images/"} <= set(
        schema["paths"]
    )
    upload = schema["paths"]["/api/products/{id}/images/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"202", "400", "413", "415"} <= set(upload["responses"])
    parameters = {p["name"] for p in schema["paths"]["/api/products/"]["get"]["parameters"]}
    assert {"search", "category", "ordering", "page", "page_size"} <= parameters


def test_by_default_products_in_stock_with_a_ready_picture_come_first_and_ordering_still_works():
    pictured = {name: ProductFactory(name=name, quantity=5) for name in ("Zucchini", "Yam")}
    sold_out = ProductFactory(name="Apricot", quantity=0)
    held = ProductFactory(name="Date", quantity=2)  # on hand, but all held by an open order
    stock_allocate(holder="order:1", lines=[StockLine(product_id=held.id, quantity=2)])
    ProductFactory(name="Beans", quantity=9)  # in stock, no picture
    rendering = ProductFactory(name="Cherry", quantity=3)
    ProductImageFactory(product=rendering)  # still pending
    for product in [*pictured.values(), sold_out, held]:
        ready_image(product)
    anonymous = client_for()

    def listed(query: str = "") -> list[tuple[str, int, bool]]:
        response = anonymous.get(f"/api/products/?{query}")
        assert response.status_code == 200
        return [(p["name"], p["stock"], p["pictures_pending"]) for p in response.json()["results"]]

    assert listed() == [("Yam", 5, False), ("Zucchini", 5, False), ("Apricot", 0, False), ("Beans", 9, False),
                        ("Cherry", 3, True), ("Date", 0, False)]  # fmt: skip
    alphabetical = ["Apricot", "Beans", "Cherry", "Date", "Yam", "Zucchini"]
    assert [name for name, *_ in listed("ordering=name")] == alphabetical
    assert [stock for _, stock, _ in listed("ordering=-stock")] == [9, 5, 5, 3, 0, 0]
    assert [name for name, *_ in listed(f"ids={held.id},{rendering.id}")] == ["Cherry", "Date"]


def test_staff_see_the_quantity_on_hand_and_the_units_held_beside_what_is_for_sale(staff_client):
    product = ProductFactory(quantity=7)
    stock_allocate(holder="order:1", lines=[StockLine(product_id=product.id, quantity=3)])

    body = staff_client.get(f"/api/products/{product.id}/").json()
    public = client_for().get(f"/api/products/{product.id}/").json()

    assert (body["quantity"], body["allocated"], body["stock"]) == (7, 3, 4)
    assert public["stock"] == 4 and "quantity" not in public and "allocated" not in public

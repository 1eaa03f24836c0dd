"""In Chromium, on the test server with the real worker: the home page puts what is in stock
and pictured first, and a picture still rendering shows a placeholder that the rendered
picture replaces without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from catalog import services
from catalog.demo import PICTURE_SIZE, product_picture, product_pictures_seed
from catalog.models import ProductImage
from shop.celery import Priority
from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory
from tests.harness.jobs import wait_until

PICTURED = ["Cox Apple, 1 kg", "Conference Pear, 1 kg", "Sweet Basil, bunch", "Chanterelle, 250 g"]


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_context(viewport=DESKTOP).new_page()
        page.set_default_timeout(30_000)
        yield page
        chromium.close()


def test_the_home_page_shows_the_pictured_first_and_swaps_in_a_picture_once_rendered(
    worker, live_server, browser_page
):
    fruit = CategoryFactory(name="Fruit", slug="fruit")
    pictured = [ProductFactory(name=name, category=fruit, quantity=12) for name in PICTURED]
    product_pictures_seed(products=pictured)
    wait_until(lambda: not ProductImage.objects.exclude(status=ProductImage.Status.READY).exists(),
               timeout=120, message="the pictures are rendered")  # fmt: skip
    ProductFactory(name="Blood Orange, 1 kg", category=fruit, quantity=0)  # sold out, no picture
    rendering = ProductFactory(name="Bramley Apple, 2 kg", category=fruit, quantity=5)
    width, height = PICTURE_SIZE
    image = ProductImageFactory(
        product=rendering, width=width, height=height, original=product_picture(rendering)
    )

    page = browser_page
    page.goto(live_server.url + "/")
    names = page.locator(".product-card h2").all_inner_texts()
    assert names == [*sorted(PICTURED), "Blood Orange, 1 kg", "Bramley Apple, 2 kg"]
    card = page.locator(".product-card", has_text="Bramley Apple")
    expect(card.get_by_text("Picture on its way")).to_be_visible()
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "home-page-picture-rendering.png", full_page=True)

    services.image_pipeline_start(image=image, priority=Priority.HIGH, owner=None)

    expect(card.locator("picture img")).to_be_visible(timeout=90_000)
    expect(card.locator("[data-picture-pending]")).to_have_count(0)
    assert card.locator("picture img").evaluate("img => img.complete && img.naturalWidth") > 0
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path=ARTIFACTS / "home-page.png", full_page=True)

"""A shopper in Chromium against the whole stack: register, search, cart, checkout, and the
order's workflow followed live to its end."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SUCCESS_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
WORKFLOW_TIMEOUT = 60_000


def register(page: Page) -> str:
    username = f"shopper-{uuid.uuid4().hex[:8]}"
    page.goto("/register/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.test")
    page.get_by_label("Password").fill("a-long-and-unusual-password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name=f"Log out {username}")).to_be_visible()
    return username


def search(page: Page, words: str) -> None:
    page.get_by_role("searchbox", name="Search").fill(words)
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page.get_by_role("status").filter(has_text=f"matching “{words}”")).to_be_visible()


def add_first_result(page: Page) -> str:
    """Add the first product shown to the cart; return its name."""
    button = page.get_by_role("button", name=re.compile(r"^Add .+ to the cart$")).first
    name = button.get_attribute("aria-label").removeprefix("Add ").removesuffix(" to the cart")
    button.click()
    return name


def stock_of(page: Page, product_name: str) -> int:
    page.goto("/")
    search(page, product_name)
    page.get_by_role("link", name=product_name, exact=True).click()
    text = page.locator("[data-stock]").inner_text()
    return int(re.search(r"\d+", text).group())


def check_out(page: Page, card: str) -> None:
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_role("link", name="Go to checkout").click()
    page.get_by_label("Card number").fill(card)
    page.get_by_role("button", name=re.compile("Place order and pay")).click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))


def test_a_new_shopper_buys_two_products_and_follows_the_order_to_its_invoice(page: Page):
    register(page)
    page.goto("/")
    search(page, "apple")
    first = add_first_result(page)
    search(page, "basil")
    second = add_first_result(page)
    expect(page.locator("[data-cart-count]")).to_have_text("2")

    check_out(page, SUCCESS_CARD)

    summary = page.locator("[data-order-summary]")
    expect(summary).to_contain_text(first)
    expect(summary).to_contain_text(second)
    workflow = page.get_by_label("Workflow diagram")
    expect(workflow.locator(".node", has_text="charge_payment")).to_be_visible()
    expect(page.locator("[data-order-status]")).to_have_text("Completed", timeout=WORKFLOW_TIMEOUT)
    expect(workflow.locator(".node[data-state='SUCCESS']", has_text="complete_order")).to_be_visible()
    expect(page.locator("[data-job-status]")).to_have_text("succeeded")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the invoice (PDF)").click()
    with open(download.value.path(), "rb") as invoice:
        assert invoice.read(5) == b"%PDF-"

    page.get_by_role("link", name="My orders", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="Completed")).to_have_count(1)


def test_a_declined_card_fails_the_order_and_puts_the_stock_back(page: Page):
    register(page)
    before = stock_of(page, "Heritage Apple")
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status").filter(has_text="Added 3 × Heritage Apple")).to_be_visible()

    check_out(page, DECLINED_CARD)

    expect(page.locator("[data-order-status]")).to_have_text("Failed", timeout=WORKFLOW_TIMEOUT)
    expect(page.locator("[data-order-summary]")).to_contain_text("went back on the shelf")
    expect(page.get_by_label("Workflow diagram").locator(".node[data-state='FAILURE']")).to_have_count(1)
    assert stock_of(page, "Heritage Apple") == before


def test_asking_for_more_than_is_in_stock_says_so_at_checkout(page: Page):
    register(page)
    available = stock_of(page, "Heritage Apple")
    page.get_by_label("Quantity").fill(str(available + 1))
    page.get_by_role("button", name="Add to cart").click()

    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_role("link", name="Go to checkout").click()
    page.get_by_label("Card number").fill(SUCCESS_CARD)
    page.get_by_role("button", name=re.compile("Place order and pay")).click()

    expect(page.get_by_role("alert").filter(has_text="Not enough stock for Heritage Apple")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/checkout/$"))

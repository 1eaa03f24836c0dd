"""The server-rendered pages, through Django's test client: what a visitor sees without a browser."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth import get_user_model

from devservers.payment_gateway import TEST_CARDS
from shop.orders.models import Order
from shop.platform.jobs.models import Job, JobStep
from tests.catalog.test_api import ready_image
from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory, StaffFactory, UserFactory
from tests.harness.jobs import wait_for_job
from tests.orders.conftest import checkout, client_for

pytestmark = pytest.mark.django_db


def _step(job: Job, position: int, name: str, state: str = "PENDING", role: str = "step") -> dict:
    task_id = str(uuid.uuid4())
    JobStep.objects.create(job=job, position=position, name=name, task_name=f"x.{name}", task_id=task_id,
                           queue="orders", state=state, role=role)  # fmt: skip
    return {"type": "task", "name": name, "task_id": task_id, "role": role}


def test_the_job_page_draws_the_canvas_with_each_step_in_its_state(worker, mailbox, client):
    apples = ProductFactory(name="Apples", price="2.50", quantity=10)
    shopper = client_for(UserFactory())
    placed = checkout(shopper, [(apples.id, 2)])
    assert placed.status_code == 201, placed.content
    job = wait_for_job(Order.objects.get(id=placed.json()["id"]).job_id, timeout=60)
    client.force_login(StaffFactory())

    html = client.get(f"/staff/jobs/{job.id}/").content.decode()

    drawn = re.findall(
        r'<span class="node" data-task-id="([^"]+)" data-state="(\w+)" data-role="step">(\w+)<', html
    )
    ran = job.steps.filter(role=JobStep.Role.STEP).order_by("position")
    assert job.status == Job.Status.SUCCEEDED
    assert drawn == [(step.task_id, "SUCCESS", step.name) for step in ran]
    assert [name for _, _, name in drawn] == [
        "charge_payment", "render_invoice_pdf", "book_shipment", "prepare_confirmation",
        "send_message", "complete_order",
    ]  # fmt: skip
    assert 'aria-label="chord: a parallel group, then a step that gets all their results"' in html
    # The error callbacks never ran: drawn once, waiting.
    assert re.findall(r'data-handler-ids="[^"]+" data-state="(\w+)" data-role="on_error"', html) == [
        "PENDING"
    ]


def test_the_job_page_draws_running_and_retrying_steps_and_each_errback_once(client):
    staff = StaffFactory()
    job = Job.objects.create(kind="order", subject="order:1", owner=staff, progress_total=4)
    charge = _step(job, 0, "charge_payment", "SUCCESS")
    invoice = _step(job, 1, "render_invoice_pdf", "STARTED")
    shipment = _step(job, 2, "book_shipment", "RETRY")
    confirm = _step(job, 3, "prepare_confirmation")
    errbacks = [_step(job, position, "order_fail", role="on_error")["task_id"] for position in (4, 5)]
    job.canvas = {
        "type": "chain",
        "items": [charge, {"type": "chord", "header": [invoice, shipment], "body": confirm}],
    }
    job.save()
    client.force_login(staff)

    html = client.get(f"/staff/jobs/{job.id}/").content.decode()

    assert 'aria-label="chord: a parallel group, then a step that gets all their results"' in html
    assert f'data-task-id="{charge["task_id"]}" data-state="SUCCESS"' in html
    assert f'data-task-id="{invoice["task_id"]}" data-state="STARTED"' in html
    assert f'data-task-id="{shipment["task_id"]}" data-state="RETRY"' in html
    # One errback shown once in the diagram, though every step carries it.
    assert html.count("data-handler-ids=") == 1
    assert f'data-handler-ids="{" ".join(errbacks)}"' in html
    assert "task in Flower" in html


def test_the_staff_console_sends_visitors_to_log_in_and_refuses_shoppers(client):
    assert client.get("/staff/").url == "/login/?next=/staff/"
    client.force_login(UserFactory())
    assert client.get("/staff/reports/").status_code == 403
    client.force_login(StaffFactory())
    for page in ("/staff/", "/staff/images/", "/staff/reports/", "/staff/campaigns/", "/staff/sync/",
                 "/staff/mailbox/"):  # fmt: skip
        assert client.get(page).status_code == 200, page


def test_the_catalog_searches_and_filters_like_the_api(client):
    fruit, herbs = CategoryFactory(name="Fruit", slug="fruit"), CategoryFactory(name="Herbs", slug="herbs")
    ProductFactory(name="Crisp Apple", category=fruit)
    ProductFactory(name="Sweet Basil", category=herbs)

    searched = client.get("/", {"search": "apple"}).content.decode()
    filtered = client.get("/", {"category": "herbs"}).content.decode()

    assert "Crisp Apple" in searched and "Sweet Basil" not in searched
    assert "Sweet Basil" in filtered and "Crisp Apple" not in filtered


HOSTILE_QUERIES = [
    {"search": "\x00"},
    {"search": "apple\x00"},
    {"category": "\x00"},
    {"ids": "one,two"},
    {"ordering": "-nonsense"},
    {"page": "-1"},
    {"page": "9" * 40},
    {"search": "%" * 200, "ordering": "price,price"},
]
PAGES = ["/", "/cart/", "/checkout/", "/orders/", "/register/", "/login/", "/staff/", "/staff/images/",
         "/staff/reports/", "/staff/campaigns/", "/staff/sync/", "/staff/mailbox/", "/staff/monitoring/"]  # fmt: skip


@pytest.mark.parametrize(
    "query",
    [{"search": "apple\x00"}, {"category": "\x00"}, {"ids": "one,two"}, {"ids": "9" * 30}],
    ids=["search", "category", "ids", "id beyond any integer column"],
)
def test_the_catalog_refuses_what_the_api_refuses_in_the_same_words(client, query):
    ProductFactory(name="Crisp Apple")

    page = client.get("/", query)
    api = client.get("/api/products/", query)

    assert (page.status_code, api.status_code) == (400, 400)
    html = page.content.decode()
    assert f"This search cannot be run: {api.json()['error']['message']}" in html
    assert "Crisp Apple" not in html


@pytest.mark.parametrize("as_staff", [False, True], ids=["visitor", "staff"])
def test_no_page_answers_500_to_any_query_string(client, as_staff):
    ProductFactory(name="Crisp Apple")
    if as_staff:
        client.force_login(StaffFactory())

    answers = {
        (page, str(query)): client.get(page, query).status_code for page in PAGES for query in HOSTILE_QUERIES
    }

    assert {key: status for key, status in answers.items() if status >= 500} == {}


def test_the_catalog_shows_products_in_stock_with_pictures_first_and_sorts_on_request(client):
    for name, quantity in (("Zucchini", 4), ("Apricot", 0), ("Yam", 6)):
        ready_image(ProductFactory(name=name, quantity=quantity))
    ProductFactory(name="Beans", quantity=8)  # in stock, no picture
    ProductImageFactory(product=ProductFactory(name="Cherry", quantity=2))  # its picture is rendering

    def names(**query) -> list[str]:
        page = client.get("/", query).content.decode()
        return re.findall(r'<h2 id="product-\d+"><a [^>]*>([^<]+)</a>', page)

    assert names() == ["Yam", "Zucchini", "Apricot", "Beans", "Cherry"]
    assert names(ordering="name") == ["Apricot", "Beans", "Cherry", "Yam", "Zucchini"]
    page = client.get("/").content.decode()
    assert page.count("data-picture-pending") == 1 and "Picture on its way" in page
    assert '<option value="" selected>Featured</option>' in page


def test_checkout_explains_every_test_card_of_the_gateway(client):
    client.force_login(UserFactory())
    html = client.get("/checkout/").content.decode()
    for number in TEST_CARDS:
        assert " ".join(number[i : i + 4] for i in range(0, 16, 4)) in html


def test_registration_logs_the_new_customer_in_and_explains_a_taken_name(client):
    form = {"username": "fern", "email": "fern@example.test", "password": "a-long-unusual-password"}
    assert client.post("/register/", form).url == "/"
    assert get_user_model().objects.get(username="fern").is_authenticated
    client.post("/logout/")

    again = client.post("/register/", {**form, "email": "other@example.test"})

    assert "This username is taken." in again.content.decode()

"""Every URL in an API answer has one style: absolute, on the host the client called, and
it leads where it says (the invoice, the report PDF, a mailbox attachment, a rendition).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from notifications import services as mail
from reporting.models import Report
from tests.catalog.test_api import ready_image
from tests.factories import CompletedOrderFactory, ProductFactory, StaffFactory

pytestmark = pytest.mark.django_db

HOST = "shop.example.test"


def urls_in(body) -> list[str]:
    """The values of every `url` and `*_url` field, at any depth."""
    if isinstance(body, list):
        return [url for item in body for url in urls_in(item)]
    if not isinstance(body, dict):
        return []
    found = [value for key, value in body.items() if (key == "url" or key.endswith("_url")) and value]
    return found + [url for value in body.values() for url in urls_in(value)]


def test_every_url_in_the_api_is_absolute_on_the_callers_host_and_works(settings, mailbox):
    settings.ALLOWED_HOSTS = [HOST]
    user = StaffFactory()
    staff = APIClient(HTTP_HOST=HOST)
    staff.force_authenticate(user)
    order = CompletedOrderFactory(customer=user)
    order.invoice.save("GG-1.pdf", ContentFile(b"%PDF-1.4 invoice"))
    report = Report.objects.create(kind="daily", period_start=date(2026, 11, 1), period_end=date(2026, 11, 1),
                                   status=Report.Status.READY)  # fmt: skip
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4 report"))
    product = ProductFactory()
    ready_image(product)
    attachment = default_storage.save("notes/note.pdf", ContentFile(b"%PDF-1.4 note"))
    message = mail.message_prepare(kind="order_confirmation", key="order:1:confirmation", to="a@example.test",
                                   context={"order_number": "GG-1"}, attachments=[attachment])  # fmt: skip
    mail.message_send(message_id=message.id)
    mailbox.wait_for(1)

    answers = {
        "orders": staff.get("/api/orders/").json(),
        "order": staff.get(f"/api/orders/{order.id}/").json(),
        "reports": staff.get("/api/reports/").json(),
        "report": staff.get(f"/api/reports/{report.id}/").json(),
        "product": staff.get(f"/api/products/{product.id}/").json(),
        "mailbox": staff.get("/api/mailbox/").json(),
    }

    urls = {name: urls_in(body) for name, body in answers.items()}
    assert answers["order"]["invoice_url"] == f"http://{HOST}/api/orders/{order.id}/invoice/"
    assert answers["report"]["pdf_url"] == f"http://{HOST}/api/reports/{report.id}/pdf/"
    assert all(urls.values()), urls
    for url in (url for found in urls.values() for url in found):
        if "/task/" in url:
            continue  # a Job step's link to Flower, on Flower's own host
        assert url.startswith(f"http://{HOST}/"), url
    for url in {*urls["order"], *urls["report"], *urls["mailbox"]}:
        assert staff.get(url.removeprefix(f"http://{HOST}")).status_code == 200, url

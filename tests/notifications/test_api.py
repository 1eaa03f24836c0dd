"""The staff API: campaigns and the mailbox. Permissions, validation, the JSON error shape."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import get_connection
from rest_framework.test import APIClient

from notifications import opt_outs, services
from notifications.campaign_mail import CampaignMail
from notifications.models import Campaign
from shop.platform.jobs.models import Job
from tests.factories import CampaignFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {"name": "Spring", "subject": "Asparagus season", "body_text": "White and green, from today."}


@pytest.fixture
def staff_api():
    api = APIClient()
    api.force_authenticate(StaffFactory())
    return api


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/campaigns/"), ("post", "/api/campaigns/"), ("post", "/api/campaigns/1/send/"),
     ("get", "/api/mailbox/")],
)  # fmt: skip
def test_campaigns_and_mailbox_are_for_staff_only(method, path):
    anonymous = APIClient()
    customer = APIClient()
    customer.force_authenticate(UserFactory())

    # Session authentication comes first, so an anonymous caller gets 403 rather than 401.
    assert getattr(anonymous, method)(path, VALID, format="json").status_code == 403
    response = getattr(customer, method)(path, VALID, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403


def test_create_list_and_detail_show_the_counts(staff_api):
    created = staff_api.post("/api/campaigns/", VALID, format="json")

    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["audience"], body["sent_count"], body["job"]) == (
        "draft",
        "all_customers",
        0,
        None,
    )
    listed = staff_api.get("/api/campaigns/").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    assert staff_api.get(f"/api/campaigns/{body['id']}/").json()["subject"] == "Asparagus season"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"audience": "recent_buyers"}, "recent_days"), ({"audience": "everyone"}, "audience"),
     ({"subject": ""}, "subject"), ({"recent_days": 0, "audience": "recent_buyers"}, "recent_days")],
)  # fmt: skip
def test_invalid_campaigns_get_a_400_naming_the_field(staff_api, payload, field):
    response = staff_api.post("/api/campaigns/", {**VALID, **payload}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"]


def test_send_answers_202_with_the_job_and_a_second_send_409(staff_api):
    campaign = CampaignFactory()

    first = staff_api.post(f"/api/campaigns/{campaign.id}/send/")
    second = staff_api.post(f"/api/campaigns/{campaign.id}/send/")

    assert first.status_code == 202
    assert first.json()["status"] == "sending"
    job = Job.objects.get(id=first.json()["job"]["id"])
    assert (job.kind, job.subject, job.priority) == ("campaign", f"campaign:{campaign.id}", "bulk")
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "campaign_not_draft"
    assert Campaign.objects.get(id=campaign.id).status == Campaign.Status.SENDING
    assert staff_api.post("/api/campaigns/999999/send/").status_code == 404


def test_mailbox_lists_newest_first_with_attachments_and_serves_them(staff_api, mailbox):
    invoice = default_storage.save("invoices/mailbox-test/invoice.pdf", ContentFile(b"%PDF-1.4 invoice"))
    for number in (1, 2):
        message = services.message_prepare(
            kind="order_confirmation", key=f"order:{number}:confirmation", to=f"buyer{number}@example.test",
            context={"order_number": f"GG-{number}"}, attachments=[invoice],
        )  # fmt: skip
        services.message_send(message_id=message.id)

    page = staff_api.get("/api/mailbox/?page_size=1")

    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 2 and body["next"]
    [newest] = body["results"]
    assert newest["headers"]["To"] == "buyer2@example.test"
    assert "GG-2" in newest["text"] and "GG-2" in newest["html"]
    [attachment] = newest["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "invoice.pdf", "application/pdf", len(b"%PDF-1.4 invoice"),
    )  # fmt: skip
    assert staff_api.get(f"/api/mailbox/{newest['id']}/").json()["id"] == newest["id"]
    download = staff_api.get(f"/api/mailbox/{newest['id']}/attachments/0/")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 invoice"
    assert staff_api.get(f"/api/mailbox/{newest['id']}/attachments/5/").status_code == 404
    assert staff_api.get("/api/mailbox/00000000000000000000-deadbeef/").status_code == 404
    assert staff_api.get("/api/mailbox/..%2F..%2Fetc%2Fpasswd/").status_code == 404


def test_mailbox_headers_come_back_unfolded(staff_api, mailbox):
    """A long List-Unsubscribe is folded onto a continuation line in the .eml; the API gives
    the header as a mail client reads it."""
    customer = UserFactory(email="shopper@example.test")
    unsubscribe = opt_outs.unsubscribe_url(user_id=customer.id)
    recipient = {"id": customer.id, "email": customer.email, "first_name": "", "username": customer.username}
    with get_connection() as connection:
        CampaignMail(CampaignFactory()).email(recipient, connection).send()
    mailbox.wait_for(1)
    (path,) = mailbox.directory.glob("*.eml")
    raw = path.read_bytes()
    assert b"List-Unsubscribe: \r\n <" in raw or b"List-Unsubscribe: \n <" in raw  # folded on disk

    [message] = staff_api.get("/api/mailbox/").json()["results"]

    assert message["headers"]["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["headers"]["To"] == "shopper@example.test"

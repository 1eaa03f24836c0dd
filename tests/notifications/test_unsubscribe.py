"""The signed unsubscribe link in campaign mail, followed like a customer (or a provider) would."""

from __future__ import annotations

import re

import pytest

from notifications import campaigns, opt_outs
from notifications.models import Campaign, MailPreference
from tests.factories import CampaignFactory

from .helpers import customers_create

pytestmark = pytest.mark.django_db


def _unsubscribe_path(message) -> str:
    header = str(message["List-Unsubscribe"])
    url = re.search(r"<(\S+)>", header).group(1)
    assert url in message.get_body(preferencelist=("plain",)).get_content()
    return re.sub(r"^https?://[^/]+", "", url)


def _campaign_message_to(mailbox, customer):
    campaign = CampaignFactory(status=Campaign.Status.SENDING)
    campaigns.campaign_batch_send(
        campaign_id=campaign.id, first_recipient_id=customer.id, last_recipient_id=customer.id
    )
    [message] = mailbox.messages()
    return message


def test_each_campaign_message_carries_a_working_unsubscribe_link(client, mailbox):
    [customer] = customers_create(1, prefix="leaving")
    message = _campaign_message_to(mailbox, customer)
    path = _unsubscribe_path(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page = client.get(path)
    assert page.status_code == 200 and b"leaving-0000@example.test" in page.content
    assert not MailPreference.objects.filter(user=customer, campaigns_opt_out=True).exists()

    done = client.post(path)
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    assert MailPreference.objects.get(user=customer).campaigns_opt_out
    assert client.post(path).status_code == 200  # following it again is harmless


def test_one_click_post_from_a_mail_provider_opts_out(client):
    [customer] = customers_create(1, prefix="oneclick")
    path = opt_outs.unsubscribe_url(user_id=customer.id).removeprefix("http://127.0.0.1:8000")

    response = client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert MailPreference.objects.get(user=customer).campaigns_opt_out


@pytest.mark.parametrize("token", ["not-a-token", "MQ:forgedsignature", "Ig:x"])
def test_a_bad_token_gets_a_clear_400(client, token):
    response = client.get(f"/unsubscribe/{token}/")

    assert response.status_code == 400
    assert b"This unsubscribe link is not valid" in response.content
    assert client.post(f"/unsubscribe/{token}/").status_code == 400
    assert not MailPreference.objects.exists()


def test_a_token_for_a_deleted_user_is_404(client):
    [customer] = customers_create(1, prefix="gone")
    path = opt_outs.unsubscribe_url(user_id=customer.id).removeprefix("http://127.0.0.1:8000")
    customer.delete()

    assert client.get(path).status_code == 404

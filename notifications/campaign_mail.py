"""One campaign's mail, rendered once per batch: only the greeting and the unsubscribe link
differ per recipient."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from .models import Campaign
from .opt_outs import unsubscribe_url
from .sending import stable_message_id


class CampaignMail:
    """What every message of one campaign shares, worked out once per batch: the templates,
    the campaign's body, the sender; only the greeting and the unsubscribe link differ."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        # Staff write the HTML body (the API is staff-only); plain text is escaped.
        self.body_html = (
            mark_safe(campaign.body_html) if campaign.body_html else linebreaks(campaign.body_text)
        )
        self.text = get_template("notifications/campaign.txt")
        self.html = get_template("notifications/campaign.html")

    def email(self, recipient: dict[str, Any], connection) -> EmailMultiAlternatives:
        unsubscribe = unsubscribe_url(user_id=recipient["id"])
        context = {
            "campaign": self.campaign,
            "body_html": self.body_html,
            "name": recipient["first_name"] or recipient["username"],
            "unsubscribe_url": unsubscribe,
            "site_url": settings.SITE_URL,
        }
        email = EmailMultiAlternatives(
            subject=self.campaign.subject,
            body=self.text.render(context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient["email"]],
            headers={
                "Message-ID": stable_message_id(f"campaign:{self.campaign.id}:user:{recipient['id']}"),
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=connection,
        )
        email.attach_alternative(self.html.render(context), "text/html")
        return email

"""Campaign opt-outs: the signed unsubscribe link in every campaign mail, and the opt-out it records.

Transactional mail (order confirmations) ignores the opt-out; campaigns honour it at send time.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import MailPreference

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token_make(*, user_id: int) -> str:
    """A signed, non-expiring token naming the user (an unsubscribe link must keep working)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(user_id)


def unsubscribe_token_read(*, token: str) -> int:
    """The user id in a token; signing.BadSignature if it was not made by us."""
    user_id = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    if not isinstance(user_id, int):
        raise signing.BadSignature("not an unsubscribe token")
    return user_id


def unsubscribe_url(*, user_id: int) -> str:
    return settings.SITE_URL + reverse(
        "unsubscribe", kwargs={"token": unsubscribe_token_make(user_id=user_id)}
    )


def campaigns_opt_out(*, user_id: int) -> MailPreference:
    """Opt a user out of campaigns (idempotent). Transactional mail still reaches them."""
    preference, _ = MailPreference.objects.get_or_create(user_id=user_id)
    if not preference.campaigns_opt_out:
        preference.campaigns_opt_out = True
        preference.opted_out_at = timezone.now()
        preference.save(update_fields=["campaigns_opt_out", "opted_out_at", "updated_at"])
    return preference

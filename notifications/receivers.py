"""Reactions to other apps' signals. Connected in NotificationsConfig.ready()."""

from __future__ import annotations

from django.dispatch import receiver

from shop.accounts.services import customer_registered

from . import services


@receiver(customer_registered, dispatch_uid="notifications.welcome_mail")
def _welcome_new_customer(sender, user, **_) -> None:
    # Sent inside the registration transaction: the message row commits with the user and
    # workflow_start dispatches only on commit, so a rolled-back registration mails nobody.
    services.welcome_mail_start(user=user)

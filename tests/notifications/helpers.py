"""Shared set-up for the mail tests: many customers at once, without password hashing."""

from __future__ import annotations

from django.contrib.auth import get_user_model


def customers_create(count: int, *, prefix: str = "customer") -> list:
    """`count` active customers named <prefix>-NNNN@example.test, in id order."""
    User = get_user_model()
    users = [User(username=f"{prefix}-{n:04d}", email=f"{prefix}-{n:04d}@example.test") for n in range(count)]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users, batch_size=1000)
    return list(User.objects.filter(username__startswith=f"{prefix}-").order_by("id"))

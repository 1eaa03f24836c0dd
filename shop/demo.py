"""Demo logins. Local only: seed_demo refuses to run in production."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

DEMO_LOGINS = {
    "staff": {
        "password": os.environ.get("DEMO_STAFF_PASSWORD", "greengrocer-staff"),
        "email": "staff@greengrocer.test",
        "first_name": "Sam",
        "is_staff": True,
        "is_superuser": True,
    },
    "shopper": {
        "password": os.environ.get("DEMO_SHOPPER_PASSWORD", "greengrocer-shopper"),
        "email": "shopper@greengrocer.test",
        "first_name": "Alex",
        "is_staff": False,
        "is_superuser": False,
    },
}


def demo_logins_seed(*, stdout) -> None:
    User = get_user_model()
    for username, spec in DEMO_LOGINS.items():
        fields = {k: v for k, v in spec.items() if k != "password"}
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if created:
            user.set_password(spec["password"])
            user.save(update_fields=["password"])
        Token.objects.get_or_create(user=user)
        stdout.write(f"  login {username} ({'created' if created else 'exists'})")

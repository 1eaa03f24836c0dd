"""Demo data for the mail app: customers to send campaigns to, and a draft campaign."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import Campaign

DEMO_CUSTOMERS = 300
DEMO_CAMPAIGN_NAME = "Autumn harvest"


def notifications_demo_seed(*, stdout) -> None:
    User = get_user_model()
    usernames = [f"demo-customer-{n:04d}" for n in range(1, DEMO_CUSTOMERS + 1)]
    known = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    # Demo customers cannot log in (unusable password): they exist to receive campaigns.
    new = [
        User(username=name, email=f"{name}@example.test", first_name=f"Customer {name[-4:]}")
        for name in usernames
        if name not in known
    ]
    for user in new:
        user.set_unusable_password()
    User.objects.bulk_create(new, batch_size=500)
    stdout.write(f"  demo customers: {len(new)} created, {len(known)} existed")
    _, created = Campaign.objects.get_or_create(
        name=DEMO_CAMPAIGN_NAME,
        defaults={
            "subject": "The autumn harvest is in",
            "body_text": "Pumpkins, apples and the first chestnuts are in the shop this week.\n\n"
            "Fill your basket before they are gone!",
            "audience": Campaign.Audience.ALL_CUSTOMERS,
        },
    )
    stdout.write(f"  draft campaign {DEMO_CAMPAIGN_NAME!r} ({'created' if created else 'exists'})")

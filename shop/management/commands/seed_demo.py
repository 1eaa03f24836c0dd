"""Seed the demo shop: logins, then each app's own demo data. Safe to run again."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the demo logins and each app's demo data (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates well-known logins; it refuses to run in production.")
        for config in apps.get_app_configs():
            seed = getattr(config, "seed_demo", None)
            if callable(seed):
                self.stdout.write(f"seeding {config.label} ...")
                seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))

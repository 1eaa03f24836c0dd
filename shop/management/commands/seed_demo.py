"""Seed the demo shop: logins, then each app's own demo data. Safe to run again."""

from __future__ import annotations

import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import RedisError

from shop.platform.health import broker_ping


class Command(BaseCommand):
    help = "Create the demo logins and each app's demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait-for-broker",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Wait up to SECONDS for the broker to answer first, so the demo's Jobs are sent "
            "at once instead of waiting in the outbox for beat's sweeper (scripts/run.sh).",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates well-known logins; it refuses to run in production.")
        if options["wait_for_broker"]:
            self._broker_wait(timeout=options["wait_for_broker"])
        for config in apps.get_app_configs():
            seed = getattr(config, "seed_demo", None)
            if callable(seed):
                self.stdout.write(f"seeding {config.label} ...")
                seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))

    def _broker_wait(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                broker_ping()
                return
            except RedisError as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(
                        f"The broker at {settings.CELERY_BROKER_URL} did not answer within {timeout:g} s "
                        f"({exc}); nothing was seeded."
                    ) from exc
            time.sleep(0.5)

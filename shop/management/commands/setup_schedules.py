"""Create each app's periodic tasks in django-celery-beat's tables, once.

Schedules live in the database so staff can edit them in the admin; this command only
creates those that are missing and never overwrites an edit (unlike CELERY_BEAT_SCHEDULE,
which beat writes back on every start).
"""

from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


def schedule_ensure(spec: dict) -> tuple[PeriodicTask, bool]:
    """Create the PeriodicTask described by `spec` unless one of that name exists."""
    existing = PeriodicTask.objects.filter(name=spec["name"]).first()
    if existing is not None:
        return existing, False
    fields = {
        "name": spec["name"],
        "task": spec["task"],
        "kwargs": json.dumps(spec.get("kwargs", {})),
        "description": spec.get("description", ""),
    }
    if "every_seconds" in spec:
        fields["interval"], _ = IntervalSchedule.objects.get_or_create(
            every=spec["every_seconds"], period=IntervalSchedule.SECONDS
        )
    else:
        crontab = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*",
                   "month_of_year": "*", **spec["crontab"]}  # fmt: skip
        fields["crontab"], _ = CrontabSchedule.objects.get_or_create(timezone=settings.TIME_ZONE, **crontab)
    return PeriodicTask.objects.create(**fields), True


class Command(BaseCommand):
    help = "Create the periodic tasks that are missing (edits made in the admin are kept)."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            for spec in getattr(config, "periodic_tasks", lambda: [])():
                task, created = schedule_ensure(spec)
                verb = "created" if created else "kept"
                self.stdout.write(f"{verb}: {task.name}")

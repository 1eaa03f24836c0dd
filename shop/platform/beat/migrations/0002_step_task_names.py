"""Point existing schedules at the step contract's task names (`<app>.<step>`).

setup_schedules never rewrites a schedule that exists (staff may have edited it), so the
rows made before the rename are moved here, once.
"""

from django.db import migrations

RENAMED = {
    "shop.jobs.tasks.sweep_pending_dispatches": "jobs.sweep_pending_dispatches",
    "shop.orders.tasks.sweep_stalled_orders": "orders.sweep_stalled_orders",
    "notifications.tasks.sweep_stalled_campaigns": "notifications.sweep_stalled_campaigns",
    "reporting.tasks.scheduled_report_task": "reporting.scheduled_report",
    "sync.tasks.sync_run_request_task": "sync.sync_run_request",
}


def rename(apps, schema_editor, names=RENAMED):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in names.items():
        PeriodicTask.objects.filter(task=old).update(task=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, names={new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("beat", "0001_scheduled_run"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]

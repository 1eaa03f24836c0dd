"""Unfinished Jobs planned before steps carried their Job in message headers get them in
their stored canvas, so a re-send (outbox sweeper, job_redispatch) is tracked. Messages
already queued before the deploy stay untracked: their work runs, their Job does not move."""

from django.db import migrations

from shop.platform.jobs.canvas import headers_stamp, job_headers


def stamp(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    unfinished = Job.objects.filter(status__in=["pending", "running"]).exclude(signature={})
    for job in unfinished.only("id", "subject", "signature").iterator():
        job.signature = headers_stamp(job.signature, headers=job_headers(job_id=job.id, subject=job.subject))
        job.save(update_fields=["signature"])


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_job_updated_at")]

    operations = [migrations.RunPython(stamp, migrations.RunPython.noop)]

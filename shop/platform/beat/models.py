"""One row per periodic task and period: the claim that a beat has sent that period's run."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    schedule = models.CharField(max_length=200, help_text="The PeriodicTask's name.")
    period_start = models.DateTimeField(help_text="When the period this run serves began.")
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.CharField(max_length=255, help_text="host:pid of the beat that sent it.")
    task_id = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period_start"], name="beat_one_run_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.schedule} @ {self.period_start:%Y-%m-%d %H:%M:%S}"

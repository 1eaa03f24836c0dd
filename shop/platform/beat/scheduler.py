"""django-celery-beat's DatabaseScheduler, safe to run on several hosts at once.

Every beat ticks; before it sends a due run it inserts a ScheduledRun row keyed by the
periodic task's name and the period the run serves (periods.py), in the same transaction
as the publish. The unique key lets one beat per period through; the others find the row
and skip. So:

- a beat that dies after its commit has sent that period: nobody sends it again;
- a beat that dies before its commit (or whose publish failed) leaves no row: the next beat
  to tick within the period sends it;
- a period is missed only if no beat is alive (and reaching the database and the broker)
  at any tick of it;
- the one window left is a SIGKILL (or a lost host) between the broker accepting the
  message and the commit, a database round trip: then a second beat sends that period
  again. SIGTERM waits for the commit (shop.platform.termination).

docs/architecture.md ("Beat on several hosts") says why this over a lease lock.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from celery import schedules
from django.db import IntegrityError, close_old_connections, transaction
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

from shop.platform.termination import termination_deferred

from .models import ScheduledRun
from .periods import GridSchedule, period_start

logger = logging.getLogger(__name__)

BEAT_ID = f"{socket.gethostname()}:{os.getpid()}"
# Rows older than this are never looked up again: grid slots are only claimed while
# current; a crontab run looks back at most periods.CRONTAB_LOOKBACK.
GRID_RETENTION = timedelta(days=1)
CRONTAB_RETENTION = timedelta(days=33)


class PeriodEntry(ModelEntry):
    """A DatabaseScheduler entry that knows the period of the run it is due for."""

    def __init__(self, model, app=None) -> None:
        super().__init__(model, app=app)
        if type(self.schedule) is schedules.schedule:  # an IntervalSchedule
            self.schedule = GridSchedule(self.schedule.run_every, nowfun=self.schedule.nowfun, app=self.app)
        self.due_period: datetime | None = None

    def is_due(self) -> schedules.schedstate:
        state = super().is_due()
        if state.is_due:
            self.due_period = period_start(self.schedule, self._default_now())
        return state

    def __next__(self) -> PeriodEntry:
        # last_run_at records the period served, so a run sent late in its period does not
        # count for the next one.
        self.model.last_run_at = self.due_period or self._default_now()
        self.model.total_run_count += 1
        self.model.no_changes = True
        return self.__class__(self.model)


class OncePerPeriodScheduler(DatabaseScheduler):
    Entry = PeriodEntry
    _claiming = False

    def should_sync(self) -> bool:
        # Not inside the claim's transaction: DatabaseScheduler.sync() closes the connection.
        return not self._claiming and super().should_sync()

    def apply_entry(self, entry: PeriodEntry, producer=None) -> None:
        period = entry.due_period or period_start(entry.schedule, entry._default_now())
        close_old_connections()
        self._claiming = True
        try:
            with termination_deferred(), transaction.atomic():
                run = ScheduledRun.objects.create(schedule=entry.name, period_start=period, sent_by=BEAT_ID)
                result = self.apply_async(entry, producer=producer, advance=False)
                run.task_id = result.id
                run.save(update_fields=["task_id"])
        except IntegrityError:
            logger.info("Scheduler: %s for %s was sent by another beat", entry.name, period.isoformat())
            return
        except Exception:
            logger.exception("Scheduler: could not send %s for %s", entry.name, period.isoformat())
            return
        finally:
            self._claiming = False
        logger.info(
            "Scheduler: sent %s (%s) for %s as %s", entry.name, entry.task, period.isoformat(), result.id
        )
        retention = GRID_RETENTION if isinstance(entry.schedule, GridSchedule) else CRONTAB_RETENTION
        ScheduledRun.objects.filter(schedule=entry.name, period_start__lt=period - retention).delete()
        if self.should_sync():
            self._do_sync()

"""Gauges read when Prometheus scrapes the web's /metrics: broker queues (exactly as the
staff console reads them), the dispatch outbox, Job outcomes and the feature apps' totals.

Every value is read from the source of truth at scrape time, so it is right whichever
process did the work, and a failing source yields `greengrocer_metrics_source_up 0` for it
instead of a failed scrape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Sum
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from notifications.models import Campaign
from reporting.models import Report
from shop.orders.models import Order
from shop.platform.jobs.models import Job
from shop.platform.queues.selectors import queue_depths, queue_oldest_ages
from sync.models import SyncRun

from .metrics import queue_wait_budgets

logger = logging.getLogger(__name__)

# How many of the latest supplier syncs are looked at for a run of failures.
RECENT_SYNC_RUNS = 10


def _broker() -> Iterator[Metric]:
    depths, unacked = queue_depths()
    waiting = GaugeMetricFamily(
        "greengrocer_queue_messages",
        "Messages waiting, per queue and semantic priority.",
        labels=("queue", "priority"),
    )
    for depth in depths:
        for priority, count in depth.by_priority.items():
            waiting.add_metric((depth.queue, priority), count)
    yield waiting
    yield GaugeMetricFamily(
        "greengrocer_queue_unacked", "Messages taken by a worker, not yet acked.", value=unacked
    )
    oldest = GaugeMetricFamily(
        "greengrocer_queue_oldest_message_age_seconds",
        "How long the oldest waiting message of each queue has been ready to run (0: empty).",
        labels=("queue",),
    )
    for queue, age in queue_oldest_ages(now=time.time()).items():
        oldest.add_metric((queue,), age or 0.0)
    yield oldest


def _budgets() -> Iterator[Metric]:
    budgets = GaugeMetricFamily(
        "greengrocer_queue_wait_budget_seconds",
        "How long a queue's oldest message may wait.",
        labels=("queue",),
    )
    for queue, seconds in queue_wait_budgets().items():
        budgets.add_metric((queue,), seconds)
    yield budgets


def _outbox() -> Iterator[Metric]:
    pending = Job.objects.filter(dispatch_state=Job.DispatchState.PENDING).exclude(
        status=Job.Status.CANCELLED
    )
    summary = pending.aggregate(count=Count("id"), oldest=Min("created_at"))
    yield GaugeMetricFamily(
        "greengrocer_outbox_pending", "Jobs waiting to be sent to the broker.", value=summary["count"]
    )
    age = (timezone.now() - summary["oldest"]).total_seconds() if summary["oldest"] else 0.0
    yield GaugeMetricFamily(
        "greengrocer_outbox_oldest_age_seconds",
        "Age of the oldest Job waiting for the broker (0: none).",
        value=age,
    )


def _jobs() -> Iterator[Metric]:
    jobs = GaugeMetricFamily(
        "greengrocer_workflows", "Workflows (Jobs) by kind and status.", labels=("kind", "status")
    )
    counts = {(row["kind"], row["status"]): row["count"]
              for row in Job.objects.values("kind", "status").annotate(count=Count("id")).order_by()}  # fmt: skip
    # Every status of a kind, zeros included: a series born at 1 on a kind's first failure
    # would hide that failure from WorkflowFailureRate's delta().
    for kind in sorted({kind for kind, _ in counts}):
        for status in Job.Status.values:
            jobs.add_metric((kind, status), counts.get((kind, status), 0))
    yield jobs
    compensated = Order.objects.filter(status__in=[Order.Status.FAILED, Order.Status.CANCELLED]).count()
    yield GaugeMetricFamily(
        "greengrocer_orders_compensated",
        "Orders failed or cancelled: stock released, refunded.",
        value=compensated,
    )


def _features() -> Iterator[Metric]:
    sent = Campaign.objects.aggregate(total=Sum("sent_count"))["total"] or 0
    yield CounterMetricFamily("greengrocer_campaign_messages_sent", "Campaign messages sent.", value=sent)
    changed = SyncRun.objects.aggregate(
        total=Sum(F("products_created") + F("products_updated") + F("products_deactivated"))
    )["total"]
    yield CounterMetricFamily(
        "greengrocer_sync_products_changed",
        "Products created, updated or deactivated by supplier syncs.",
        value=changed or 0,
    )
    runs = CounterMetricFamily(
        "greengrocer_sync_runs", "Supplier syncs finished, by outcome.", labels=("status",)
    )
    for row in (
        SyncRun.objects.filter(status__in=SyncRun.FINISHED)
        .values("status")
        .annotate(count=Count("id"))
        .order_by()
    ):
        runs.add_metric((row["status"],), row["count"])
    yield runs
    recent = SyncRun.objects.filter(status__in=SyncRun.FINISHED).order_by("-created_at")
    statuses = list(recent.values_list("status", flat=True)[:RECENT_SYNC_RUNS])
    failures = next(
        (index for index, status in enumerate(statuses) if status != SyncRun.Status.FAILED), len(statuses)
    )
    yield GaugeMetricFamily(
        "greengrocer_sync_consecutive_failures", "Latest supplier syncs that failed in a row.", value=failures
    )
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    seconds = CounterMetricFamily(
        "greengrocer_report_seconds", "Seconds spent building reports.", labels=("kind",)
    )
    built = CounterMetricFamily("greengrocer_reports_built", "Reports built.", labels=("kind",))
    ready = Report.objects.filter(
        status=Report.Status.READY, started_at__isnull=False, finished_at__isnull=False
    )
    for row in ready.values("kind").annotate(count=Count("id"), spent=Sum(duration)).order_by():
        seconds.add_metric((row["kind"],), row["spent"].total_seconds() if row["spent"] else 0.0)
        built.add_metric((row["kind"],), row["count"])
    yield seconds
    yield built


def _beat() -> Iterator[Metric]:
    last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    age = (timezone.now() - last).total_seconds() if last else float("inf")
    yield GaugeMetricFamily(
        "greengrocer_beat_last_run_age_seconds",
        "Seconds since beat last recorded running a periodic task.",
        value=age,
    )


SOURCES: dict[str, Callable[[], Iterator[Metric]]] = {
    "broker": _broker,
    "budgets": _budgets,
    "outbox": _outbox,
    "jobs": _jobs,
    "features": _features,
    "beat": _beat,
}


class ShopStateCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "greengrocer_metrics_source_up",
            "Whether a source of the scrape-time gauges answered.",
            labels=("source",),
        )
        for name, source in SOURCES.items():
            try:
                families = list(source())
            except Exception:
                logger.exception("Metrics source %s failed", name)
                up.add_metric((name,), 0)
                continue
            up.add_metric((name,), 1)
            yield from families
        yield up

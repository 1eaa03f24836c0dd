"""The instruments. Every label value comes from a fixed set (task names the app registers,
its queues, URL route patterns, HTTP methods), so no id or user data becomes a series."""

from __future__ import annotations

from collections.abc import Container

from django.conf import settings
from prometheus_client import Counter, Histogram

from shop.celery import QUEUE_NAMES

# The message header a publisher stamps with the time the message may start (epoch seconds).
READY_AT_HEADER = "greengrocer_ready_at"
OTHER = "other"
UNMATCHED_ROUTE = "unmatched"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Checkout steps take well under a second; reports and campaign batches take tens of seconds.
TASK_SECONDS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900)
WEB_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

# How long a queue's oldest message may wait for a worker before QueueWaitOverBudget fires
# (deploy/prometheus/rules.yml): checkout steps are urgent, campaign batches may wait.
QUEUE_WAIT_BUDGET_SECONDS = {
    "orders": 30,
    "mail": 120,
    "default": 300,
    "images": 600,
    "reports": 900,
    "sync": 1800,
    "bulk": 3600,
}


def queue_wait_budgets() -> dict[str, float]:
    """The budgets, with the environment's overrides (settings.QUEUE_WAIT_BUDGET_OVERRIDES)."""
    overrides = settings.QUEUE_WAIT_BUDGET_OVERRIDES
    unknown = set(overrides) - set(QUEUE_WAIT_BUDGET_SECONDS)
    if unknown:
        raise ValueError(f"QUEUE_WAIT_BUDGETS names unknown queues: {', '.join(sorted(unknown))}")
    return {**QUEUE_WAIT_BUDGET_SECONDS, **{queue: float(seconds) for queue, seconds in overrides.items()}}


TASK_LABELS = ("task", "queue")
tasks_started = Counter("greengrocer_celery_tasks_started", "Tasks a worker started.", TASK_LABELS)
tasks_succeeded = Counter("greengrocer_celery_tasks_succeeded", "Tasks that succeeded.", TASK_LABELS)
tasks_failed = Counter("greengrocer_celery_tasks_failed", "Tasks that failed for good.", TASK_LABELS)
tasks_retried = Counter("greengrocer_celery_tasks_retried", "Tasks that asked for a retry.", TASK_LABELS)
task_runtime = Histogram(
    "greengrocer_celery_task_runtime_seconds", "Time a task ran.", TASK_LABELS, buckets=TASK_SECONDS_BUCKETS
)
task_queue_wait = Histogram(
    "greengrocer_celery_task_queue_wait_seconds",
    "Time from a message being sent (or its ETA) to a worker starting it.",
    TASK_LABELS,
    buckets=TASK_SECONDS_BUCKETS,
)

http_requests = Counter(
    "greengrocer_http_requests",
    "Web requests by URL route pattern and status.",
    ("route", "method", "status"),
)
http_request_duration = Histogram(
    "greengrocer_http_request_duration_seconds",
    "Web request latency by URL route pattern.",
    ("route", "method"),
    buckets=WEB_SECONDS_BUCKETS,
)


def queue_label(queue: str | None) -> str:
    return queue if queue in QUEUE_NAMES else OTHER


def task_label(name: str | None, registered: Container[str]) -> str:
    return name if name in registered else OTHER


def method_label(method: str | None) -> str:
    return method if method in KNOWN_METHODS else OTHER

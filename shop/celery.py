"""The Celery app and its whole topology: queues, routes, priorities and reliability settings.

This is the one place where queues and routes are declared. Call sites never name a queue;
they name a task, and `task_routes` decides where it goes (see docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
import enum
import os

from celery import Celery
from django.conf import settings
from kombu import Queue

from shop.platform.jobs.celery_compat import ThreadsPoolShutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

# Every task is a TrackedTask: job tracking happens in the base class and task signals.
# Celery's Django fixup, but keeping worker DB connections across tasks (CONN_MAX_AGE).
app = Celery(
    "shop",
    task_cls="shop.platform.jobs.tracking:TrackedTask",
    fixups=["shop.platform.jobs.celery_compat:django_fixup"],
)

# --- Queues ---------------------------------------------------------------------------
QUEUE_NAMES = ("orders", "mail", "images", "reports", "bulk", "sync", "default")


@dataclasses.dataclass(frozen=True)
class WorkerRole:
    """One Procfile worker: its node-name prefix (`--hostname=<node>@%h`), queues and pool."""

    node: str
    queues: tuple[str, ...]
    pool: str


# Who consumes what, and why with that pool. The Procfile and compose.yaml must say the same
# (tests/shop/test_celery.py, tests/ops/test_compose.py); /healthz pings every node.
# Threads pools do not enforce Celery's time limits, so every network call made on them
# (SMTP: EMAIL_TIMEOUT; Redis: socket timeouts) has its own,
# and a campaign batch ends its own run (notifications.tasks.BATCH_RUN_SECONDS).
WORKER_ROLES = {
    # prefork: a checkout step runs in a child process the hard time limit can kill, and a
    # crash (a native library, a leak) takes one child with it, never the consumer.
    "worker-fast": WorkerRole(node="fast", queues=("orders",), pool="prefork"),
    # threads: transactional mail waits on SMTP, not the CPU, and never waits behind bulk work.
    "worker-mail": WorkerRole(node="mail", queues=("mail",), pool="threads"),
    # prefork: Pillow, ReportLab and applying supplier pages are CPU-bound; processes use both
    # cores despite the GIL (a page on worker-io's threads held it: one core busy, one idle).
    "worker-bulk": WorkerRole(node="bulk", queues=("images", "reports", "sync", "default"), pool="prefork"),
    # threads: campaign batches (SMTP, globally rate-limited) wait on the network; threads
    # overlap that waiting for a fraction of a process's memory.
    "worker-io": WorkerRole(node="io", queues=("bulk",), pool="threads"),
}

# Routes by task name, `<app label>.<step>` (shop.platform.jobs.steps); the first match wins (order
# matters). Anything unrouted takes the default queue.
TASK_ROUTES = {
    "orders.*": {"queue": "orders"},
    "notifications.send_message": {"queue": "mail"},
    "notifications.*": {"queue": "bulk"},
    "catalog.*": {"queue": "images"},
    "reporting.*": {"queue": "reports"},
    "sync.*": {"queue": "sync"},
    "jobs.*": {"queue": "default"},
}


class Priority(enum.Enum):
    """What a message is worth, not a broker number. See `broker_priority`."""

    CRITICAL = "critical"  # express checkout steps
    HIGH = "high"  # checkout, password/receipt mail, staff uploads
    NORMAL = "normal"  # on-demand reports; the default
    LOW = "low"  # scheduled reports, catalog re-renders
    BULK = "bulk"  # campaign batches, anything that may wait

    @property
    def value_for_broker(self) -> int:
        return broker_priority(self)


# Rank 0 is the most urgent. Redis (kombu's emulation) pops priority 0 first; RabbitMQ
# delivers the highest number first, so the mapping flips there.
_PRIORITY_RANK = {
    Priority.CRITICAL: 0,
    Priority.HIGH: 2,
    Priority.NORMAL: 4,
    Priority.LOW: 6,
    Priority.BULK: 9,
}
MAX_BROKER_PRIORITY = 9


def _headroom(priority: Priority) -> int:
    """How many ranks a band's later steps may go ahead of it without reaching the band above."""
    more_urgent = [rank for rank in _PRIORITY_RANK.values() if rank < _PRIORITY_RANK[priority]]
    return _PRIORITY_RANK[priority] - max(more_urgent) - 1 if more_urgent else 0


def broker_priority(priority: Priority, *, broker_url: str | None = None, position: int = 0) -> int:
    """The broker's number for a semantic priority.

    `position`: how far along its workflow a step is (0 = its first). A later step goes up to
    that many ranks ahead, never into the next band: a HIGH workflow's later steps (rank 1) pass
    every new HIGH workflow's first step (rank 2) and still wait behind CRITICAL (rank 0).
    """
    url = broker_url if broker_url is not None else app.conf.broker_url or ""
    rank = _PRIORITY_RANK[priority] - min(position, _headroom(priority))
    if url.startswith(("amqp", "pyamqp")):
        return MAX_BROKER_PRIORITY - rank
    return rank


def priority_from_broker(value: int | None, *, broker_url: str | None = None) -> Priority:
    """The semantic band of a broker number (for display): the band whose later steps it holds."""
    if value is None:
        return Priority.NORMAL
    url = broker_url if broker_url is not None else app.conf.broker_url or ""
    rank = MAX_BROKER_PRIORITY - value if url.startswith(("amqp", "pyamqp")) else value
    return min((p for p, band in _PRIORITY_RANK.items() if band >= rank), key=_PRIORITY_RANK.get)


# The longest countdown we ever use is a retry backoff or an operator's delayed send
# (notifications.services.message_send_later / _at; both capped at 10 minutes) and the
# longest hard time limit is 15 minutes; Redis redelivers anything unacked after the
# visibility timeout, so it must stay above both.
LONGEST_TASK_SECONDS = 15 * 60
LONGEST_COUNTDOWN_SECONDS = 10 * 60
# CELERY_VISIBILITY_TIMEOUT overrides it for the reliability tests only (worker SIGKILL,
# Redis restart), so messages held by a killed worker come back within seconds instead of
# hours; never lower it in production.
VISIBILITY_TIMEOUT_SECONDS = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60))

# CELERY_SOFT_SHUTDOWN_TIMEOUT overrides it for tests/reliability/test_deploy_sigterm.py
# only (seconds instead of a deploy's wait); compose's stop_grace_period stays above it.
SOFT_SHUTDOWN_SECONDS = float(os.environ.get("CELERY_SOFT_SHUTDOWN_TIMEOUT", 20))

BEAT_SCHEDULER = "shop.platform.beat.scheduler:OncePerPeriodScheduler"

_redis_transport_options = {
    "queue_order_strategy": "priority",
    "priority_steps": list(range(MAX_BROKER_PRIORITY + 1)),
    "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
    "socket_connect_timeout": 2,
    # Keep kombu's default separator: changing it breaks `inspect`, and so Flower.
}


def _celery_config() -> dict:
    """The configuration, read from Django's settings when Celery first needs it (not at
    import: settings modules may import the `shop` package, and so this one)."""
    return dict(
        broker_url=settings.CELERY_BROKER_URL,
        result_backend=settings.CELERY_RESULT_BACKEND,
        timezone=settings.TIME_ZONE,
        enable_utc=True,
        # Queues and routes.
        task_queues=[Queue(name, routing_key=name) for name in QUEUE_NAMES],
        task_default_queue="default",
        task_default_exchange="default",
        task_default_routing_key="default",
        task_routes=TASK_ROUTES,
        task_create_missing_queues=False,
        # Priorities.
        task_default_priority=broker_priority(Priority.NORMAL, broker_url=settings.CELERY_BROKER_URL),
        task_inherit_parent_priority=True,
        broker_transport_options={**_redis_transport_options, **settings.REDIS_SENTINEL_TRANSPORT_OPTIONS},
        result_backend_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
            **settings.REDIS_SENTINEL_TRANSPORT_OPTIONS,
        },
        # Reliability: ack after the work, requeue if the child dies, one message at a time.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        # Publishing from a web request must fail fast when Redis is down: the outbox keeps
        # the dispatch and the sweeper retries it (shop.platform.jobs.dispatch).
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        redis_socket_connect_timeout=2,
        redis_socket_timeout=10,
        redis_backend_health_check_interval=10,
        # JSON only: arguments are ids and plain values, never pickled objects.
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        # Every task has limits; tasks that need more say so on their decorator.
        task_soft_time_limit=60,
        task_time_limit=90,
        # Task events cost every task a publish (~0.8 ms of worker CPU): off until a monitor
        # asks. Flower broadcasts `enable_events` when it starts (and every few seconds);
        # `celery -A shop control enable_events` does it for `celery events`.
        worker_send_task_events=False,
        task_send_sent_event=False,
        task_track_started=True,
        # Results are for chords and for reading a task's state later; they expire.
        result_expires=24 * 60 * 60,
        result_extended=True,
        # Stopping (docs/architecture.md "Graceful stop"): with REMAP_SIGTERM=SIGQUIT a
        # SIGTERM is a cold shutdown that waits the whole soft timeout while any task runs
        # (an idle worker stops at once), then cancels what still runs; every unacked
        # message goes back to its queue when the worker closes its broker channel.
        worker_soft_shutdown_timeout=SOFT_SHUTDOWN_SECONDS,
        worker_enable_soft_shutdown_on_idle=False,
        worker_hijack_root_logger=False,
        # DatabaseScheduler plus a unique key per schedule and period: beat may run on
        # several hosts and each period is still sent once (shop/platform/beat/scheduler.py).
        beat_scheduler=BEAT_SCHEDULER,
        # Beat writes last_run_at back every 3 minutes, or after this many sends when set:
        # the e2e tests set 1 so BeatSilent's gauge is current to the second.
        beat_sync_every=int(os.environ.get("CELERY_BEAT_SYNC_EVERY", "0")),
    )


app.add_defaults(_celery_config)
app.steps["worker"].add(ThreadsPoolShutdown)
app.autodiscover_tasks()
# On signals: task metrics and each worker node's exporter (shop/platform/observability), and a
# worker's preflight, which checks the database and the broker before it consumes (shop/platform/health.py).
import shop.platform.health  # noqa: E402
import shop.platform.observability.celery_metrics  # noqa: E402, F401

"""Task metrics from Celery's signals, and each worker node's exporter.

The publisher stamps every message with the moment it may start (`ready_at`: sent time, or
its ETA for a countdown or retry), so the queue wait measured when a worker starts it is
time spent waiting for a worker, not a planned delay. Each node serves its own /metrics on
WORKER_<NODE>_METRICS_PORT (scripts/stack_env.sh; unset: no exporter, as in the tests' in-thread workers): a
stopped node is then a failed scrape (`up == 0`), which is what the worker-down alert reads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import datetime

from celery import signals
from prometheus_client import start_http_server

from shop.celery import app

from . import metrics, multiprocess

logger = logging.getLogger(__name__)

_started_at: dict[str, float] = {}


def _labels(task) -> tuple[str, str]:
    delivery = getattr(task.request, "delivery_info", None) or {}
    return (
        metrics.task_label(task.name, app.tasks),  # the registry itself: no set built per signal
        metrics.queue_label(delivery.get("routing_key")),
    )


@signals.before_task_publish.connect
def _stamp_ready_at(headers=None, **_):
    # Every publish is stamped anew: a retry carries its first message's headers along.
    if headers is None:
        return
    ready_at = time.time()
    eta = headers.get("eta")
    if eta:
        with contextlib.suppress(TypeError, ValueError):
            ready_at = max(ready_at, datetime.fromisoformat(eta).timestamp())
    headers[metrics.READY_AT_HEADER] = ready_at


@signals.task_prerun.connect
def _on_started(task_id=None, task=None, **_):
    if task is None or task.request.is_eager:
        return
    labels = _labels(task)
    metrics.tasks_started.labels(*labels).inc()
    ready_at = task.request.get(metrics.READY_AT_HEADER)
    if isinstance(ready_at, int | float):
        metrics.task_queue_wait.labels(*labels).observe(max(0.0, time.time() - ready_at))
    _started_at[task_id] = time.monotonic()


@signals.task_postrun.connect
def _on_finished(task_id=None, task=None, **_):
    started = _started_at.pop(task_id, None)
    if task is not None and started is not None:
        metrics.task_runtime.labels(*_labels(task)).observe(time.monotonic() - started)


@signals.task_success.connect
def _on_success(sender=None, **_):
    if sender is not None and not sender.request.is_eager:
        metrics.tasks_succeeded.labels(*_labels(sender)).inc()


@signals.task_failure.connect
def _on_failure(sender=None, **_):
    if sender is not None and not sender.request.is_eager:
        metrics.tasks_failed.labels(*_labels(sender)).inc()


@signals.task_retry.connect
def _on_retry(sender=None, **_):
    if sender is not None:
        metrics.tasks_retried.labels(*_labels(sender)).inc()


def exporter_port(node: str) -> int | None:
    """WORKER_METRICS_PORT (one worker started by hand), else the node's own variable."""
    value = os.environ.get("WORKER_METRICS_PORT") or os.environ.get(f"WORKER_{node.upper()}_METRICS_PORT")
    return int(value) if value else None


@signals.worker_init.connect
def _start_exporter(sender=None, **_):
    node = str(getattr(sender, "hostname", "") or "").split("@")[0]
    port = exporter_port(node) if node else None
    if port is None:
        return
    registry = None
    if multiprocess.enabled():
        multiprocess.claim_directory(f"worker-{node}")
        registry = multiprocess.aggregated_registry()
    address = os.environ.get("WORKER_METRICS_BIND", "127.0.0.1")
    start_http_server(port, addr=address, **({"registry": registry} if registry else {}))
    logger.info("Worker %s serves its metrics on http://%s:%s/metrics", node, address, port)


@signals.worker_process_shutdown.connect
def _on_child_exit(pid=None, **_):
    multiprocess.child_exited(pid or os.getpid())

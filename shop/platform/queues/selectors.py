"""How much work is waiting, per queue and per priority (read straight from the broker).

kombu emulates priorities on Redis with one list per priority step; the unacked hash holds
messages a worker has taken but not yet acknowledged (late ack). Their names are kombu's
(shop.platform.jobs.celery_compat).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

from shop.celery import MAX_BROKER_PRIORITY, QUEUE_NAMES, Priority, priority_from_broker
from shop.platform.coordination import redis_connect
from shop.platform.jobs.celery_compat import REDIS_UNACKED_KEY, redis_priority_key
from shop.platform.observability.metrics import READY_AT_HEADER


@dataclass
class QueueDepth:
    queue: str
    total: int
    by_priority: dict[str, int]


def _per_priority_list(command, *, then=None) -> list:
    """One pipelined round trip: `command(pipe, key)` for every queue's every priority list
    (queue by queue, step by step), then `then(pipe)`; the replies in that order."""
    client = redis_connect(url=settings.CELERY_BROKER_URL, db=0, timeout=2)
    try:
        with client.pipeline(transaction=False) as pipe:
            for queue in QUEUE_NAMES:
                for step in range(MAX_BROKER_PRIORITY + 1):
                    command(pipe, redis_priority_key(queue, step))
            if then is not None:
                then(pipe)
            return pipe.execute()
    finally:
        client.close()


def queue_depths() -> tuple[list[QueueDepth], int]:
    """Each queue's waiting messages, grouped by semantic priority, and the unacked count."""
    steps = range(MAX_BROKER_PRIORITY + 1)
    counts = _per_priority_list(
        lambda pipe, key: pipe.llen(key), then=lambda pipe: pipe.hlen(REDIS_UNACKED_KEY)
    )
    # Each broker step is shown under its band (a workflow's later steps go ahead within it).
    bands = [priority_from_broker(step).value for step in steps]
    depths = []
    for index, queue in enumerate(QUEUE_NAMES):
        per_step = counts[index * len(steps) : (index + 1) * len(steps)]
        grouped = {p.value: 0 for p in Priority}
        for band, count in zip(bands, per_step, strict=True):
            grouped[band] += count
        depths.append(QueueDepth(queue=queue, total=sum(per_step), by_priority=grouped))
    return depths, counts[-1]


def queue_oldest_ages(*, now: float) -> dict[str, float | None]:
    """Seconds the oldest waiting message of each queue has been ready to run (None: empty).

    kombu pushes on the left and workers pop on the right, so each priority list's oldest
    message is its last element; its ready time is the header the publisher stamps
    (shop.platform.observability.celery_metrics).
    """
    steps = range(MAX_BROKER_PRIORITY + 1)
    oldest = _per_priority_list(lambda pipe, key: pipe.lindex(key, -1))
    ages: dict[str, float | None] = {}
    for index, queue in enumerate(QUEUE_NAMES):
        ready_times = [_ready_at(raw) for raw in oldest[index * len(steps) : (index + 1) * len(steps)]]
        known = [ready for ready in ready_times if ready is not None]
        ages[queue] = max(0.0, now - min(known)) if known else None
    return ages


def _ready_at(raw: bytes | None) -> float | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw).get("headers", {}).get(READY_AT_HEADER)
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None

"""Talking to the stack's broker and workers: pause a consumer, fill a queue, see it drain."""

from __future__ import annotations

from collections.abc import Iterable

from celery import Signature, Task
from celery.result import AsyncResult
from kombu import Connection

from shop.celery import app
from shop.platform.queues.selectors import queue_depths
from shop.platform.result_backend import results_not_followed
from tests.harness.jobs import wait_until

# Plain FIFO: one priority step, so every message of a queue lands in one Redis list and is
# served in arrival order. The FIFO worker applies it (bench/fifo_worker.py); the bench's
# producer for that worker uses a connection with the same options.
FIFO_TRANSPORT_OPTIONS = {"priority_steps": [0]}


def fifo_connection() -> Connection:
    return app.connection_for_write(transport_options=FIFO_TRANSPORT_OPTIONS)


def purge(queue: str) -> None:
    """Drop every message waiting in `queue`, at every priority."""
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


def queue_of(task_name: str) -> str:
    """The queue the shop's routes send a task to (so a baseline runs where ours runs)."""
    return app.amqp.router.route({}, task_name)["queue"].name


def worker_consuming(queue: str) -> str:
    """The node name of the one stack worker that consumes `queue`."""
    active = app.control.inspect(timeout=2.0).active_queues() or {}
    return next(node for node, queues in active.items() if any(q["name"] == queue for q in queues))


def consumer_pause(queue: str, node: str) -> None:
    app.control.cancel_consumer(queue, destination=[node], reply=True, timeout=5)


def consumer_resume(queue: str, node: str) -> None:
    app.control.add_consumer(queue, destination=[node], reply=True, timeout=5)


def waiting(queue: str) -> int:
    """Messages waiting in `queue`, every priority together (not counting those taken)."""
    depths, _ = queue_depths()
    return next(depth.total for depth in depths if depth.queue == queue)


def publish(
    task: Task | Signature,
    count: int,
    *,
    queue: str,
    priority: int,
    args: Iterable = (),
    connection: Connection | None = None,
) -> list[str]:
    """Send `count` messages over one producer; their task ids, in order. Results are not
    followed (nobody waits on them here), as in the shop's outbox. `connection`: a broker
    connection with transport options of its own, instead of the app's pool."""
    ids = []
    own_producer = app.amqp.Producer(connection, auto_declare=False) if connection else None
    with results_not_followed(), app.producer_or_acquire(own_producer) as producer:
        for _ in range(count):
            result = task.apply_async(args=args, queue=queue, priority=priority, producer=producer)
            ids.append(result.id)
    return ids


def wait_succeeded(task_ids: Iterable[str], *, timeout: float) -> None:
    results = [AsyncResult(task_id, app=app) for task_id in task_ids]
    wait_until(
        lambda: all(r.state == "SUCCESS" for r in results),
        timeout=timeout,
        interval=0.02,
        message="tasks succeeded",
    )


def drained(queue: str, last_task_ids: Iterable[str], *, timeout: float) -> None:
    """Until `queue` is empty and the last messages sent to it have run (FIFO within a priority)."""
    wait_until(lambda: waiting(queue) == 0, timeout=timeout, interval=0.02, message=f"{queue} drained")
    wait_succeeded(last_task_ids, timeout=timeout)

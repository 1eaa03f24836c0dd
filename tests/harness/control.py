"""Remote-control broadcasts from the test process (ping, cancel/add consumer).

Each goes over a new broker connection: a pooled one may predate a Redis restart in an
earlier test, and kombu's reply collector fails once on it instead of reconnecting.
"""

from __future__ import annotations

from contextlib import contextmanager

from celery import bootsteps

from shop.celery import app


def broker_control(command: str, **kwargs) -> list[dict]:
    """`app.control.<command>(**kwargs)` over a new connection; returns the replies."""
    with app.connection_for_write() as connection:
        return getattr(app.control, command)(connection=connection, **kwargs) or []


def consumer_command(command: str, queue: str, hostname: str, *, required: bool = True) -> None:
    """`cancel_consumer` / `add_consumer` of `queue` on one worker; when `required`, its
    acknowledgement too."""
    replies = broker_control(command, queue=queue, destination=[hostname], reply=True, timeout=5)
    if required and not any(hostname in reply for reply in replies):
        raise RuntimeError(f"{hostname} did not acknowledge {command} {queue}: {replies}")


@contextmanager
def in_thread_worker_steps_aside(worker, queues: list[str]):
    """The session's in-thread worker stops consuming `queues` (so worker subprocesses get
    that work), and takes them up again afterwards."""
    for queue in queues:
        consumer_command("cancel_consumer", queue, worker.hostname)
    try:
        yield
    finally:
        # Best effort: a Redis restart can have killed the in-thread worker, or left it
        # reconnecting; the `worker` fixture (session_worker.py) then starts it again or
        # hands it the missing queues before the next test.
        if worker.blueprint.state == bootsteps.RUN:
            for queue in queues:
                consumer_command("add_consumer", queue, worker.hostname, required=False)

"""A task the worker cancels because its broker connection was lost comes back later: it is
never recorded as revoked, since a revoked step is skipped on every later delivery and its
Job would never finish (shop.platform.jobs.celery_compat.ConnectionLossSafeRequest).

The worker's own Request runs here on a real message: the moment under test (the pool child
has taken the task, the main process has not heard of it yet, the connection drops) cannot
be timed from outside a worker.
"""

from __future__ import annotations

import signal

from billiard.einfo import ExceptionInfo
from celery.exceptions import Terminated
from kombu import Connection
from kombu.message import Message
from kombu.serialization import dumps

from shop.celery import app
from shop.platform.jobs import services
from shop.platform.jobs.canvas import job_headers
from shop.platform.jobs.models import JobStep


def _delivery(step: JobStep, channel) -> Message:
    """The message a worker receives for `step`, with the headers its Job planned for it."""
    content_type, encoding, body = dumps(((), {"numbers": [2]}, {}), serializer="json")
    planned = job_headers(job_id=step.job_id, subject=step.job.subject)
    headers = {**planned, "id": step.task_id, "task": step.task_name}
    return Message(body=body, content_type=content_type, content_encoding=encoding, headers=headers,
                   delivery_tag=step.id, channel=channel, delivery_info={"routing_key": step.queue})  # fmt: skip


def _first_step() -> JobStep:
    job = services.demo_job_start(owner=None, numbers=[2])
    return job.steps.order_by("position").first()


def _terminated() -> ExceptionInfo:
    try:
        raise Terminated(signal.SIGTERM)
    except Terminated:
        return ExceptionInfo()


def test_a_task_cancelled_before_its_start_was_reported_is_delivered_again_not_revoked(db, redis_server):
    step = _first_step()
    with Connection("memory://") as connection:
        message = _delivery(step, connection.channel())
        task = app.tasks[step.task_name]
        request = task.Request(
            message, on_ack=message.ack_log_error, app=app, task=task, hostname="test@localhost"
        )

        # The connection drops; the pool has not reported the task accepted, so no time_start.
        request.cancel(pool=None)
        request.on_failure(_terminated())  # the child, terminated, reports back

        step.refresh_from_db()
        assert step.state != JobStep.State.REVOKED
        assert not message.acknowledged  # the message stays for the broker to deliver again
        assert services.step_started(job_id=step.job_id, task_id=step.task_id) is True

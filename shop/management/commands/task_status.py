"""`manage.py task_status <task id>`: what the result backend knows about any task, from any process.

A task id is all another process needs: `AsyncResult(id)` reads the stored state (PENDING,
STARTED, PROGRESS, RETRY, SUCCESS, FAILURE, REVOKED), the meta a task stored with
`update_state`, its result or error, and (with `result_extended`) its name, queue and
worker. It only reads: it never waits with `.get()`, so it holds no result subscription.
PENDING also means "unknown": the backend cannot tell a queued task from an id it never saw,
or from a result that expired (`result_expires`, a day).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from shop.celery import app


class Command(BaseCommand):
    help = "Print the state, progress and result of a task by its id (read from the result backend)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("task_id")
        parser.add_argument("--json", action="store_true", dest="as_json", help="One JSON object, not lines.")

    def handle(self, *args, task_id: str, as_json: bool, **options) -> None:
        status = task_status(task_id)
        if as_json:
            self.stdout.write(json.dumps(status, default=str))
            return
        for field, value in status.items():
            if value not in (None, ""):
                self.stdout.write(f"{field:<9} {value}")


def task_status(task_id: str) -> dict[str, object]:
    result = app.AsyncResult(task_id)
    state = result.state
    status: dict[str, object] = {
        "task": task_id,
        "state": state,
        "name": result.name,
        "queue": result.queue,
        "worker": result.worker,
        "retries": result.retries,
        "done": result.date_done,
    }
    if state == "SUCCESS":
        status["result"] = result.result
    elif state in ("FAILURE", "RETRY"):
        status["error"] = f"{type(result.result).__name__}: {result.result}"
    elif isinstance(result.info, dict):  # a custom state's meta, e.g. PROGRESS {"done", "total"}
        status["progress"] = result.info
    return status

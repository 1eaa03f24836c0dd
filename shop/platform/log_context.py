"""Context that follows work from a web request into the tasks it dispatches.

Every log line carries the request id, the task id, the Job id and the business key
(`order:42`, `campaign:7`, ...). The web sets the request id; `shop.platform.jobs.tracking` sets the
rest when a task starts and forwards the request id as a message header.
"""

from __future__ import annotations

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="-")
job_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("job_id", default="-")
business_key_var: contextvars.ContextVar[str] = contextvars.ContextVar("business_key", default="-")

_FIELDS = {
    "request_id": request_id_var,
    "task_id": task_id_var,
    "job_id": job_id_var,
    "business_key": business_key_var,
}


class ContextFilter(logging.Filter):
    """Adds the current context to every record (so the formatter can always use it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _FIELDS.items():
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True


def bind(**values: str) -> None:
    for name, value in values.items():
        _FIELDS[name].set(str(value) if value not in (None, "") else "-")


def clear() -> None:
    for var in _FIELDS.values():
        var.set("-")

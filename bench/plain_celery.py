"""Plain Celery: a tiny app of its own with the shop's broker and reliability settings, and a no-op.

The ceiling scenario starts `celery -A bench.plain_celery worker` with worker-fast's own
command line. This module imports neither Django nor the shop: no project signals, no
tracking, no events, no time limits, no STARTED state, no extended results. Its settings are
the shop's, handed over by the bench in PLAIN_CELERY_CONF (JSON, from `shop_settings()`), so
nothing here repeats them: same broker URL and transport options (ten priority steps, the
visibility timeout), the same Redis result backend, late ack, reject on worker lost,
prefetch 1, the default priority, JSON.
"""

from __future__ import annotations

import json
import os

from celery import Celery

CONF_VARIABLE = "PLAIN_CELERY_CONF"
NOOP = "bench.plain_celery.noop"
# What "the shop's broker and reliability settings" means here: everything else is Celery's default.
SHARED_SETTINGS = (
    "broker_url",
    "broker_transport_options",
    "result_backend_transport_options",
    "broker_connection_retry_on_startup",
    "task_acks_late",
    "task_reject_on_worker_lost",
    "worker_prefetch_multiplier",
    "worker_cancel_long_running_tasks_on_connection_loss",
    "task_default_priority",
    "task_serializer",
    "result_serializer",
    "accept_content",
    "result_accept_content",
    "result_expires",
    "redis_socket_connect_timeout",
    "redis_socket_timeout",
)


def shop_settings(conf) -> dict:
    """The shop app's settings the plain app shares (called by the bench, where the shop is set up)."""
    shared = {name: conf[name] for name in SHARED_SETTINGS}
    # The shop's result backend class only adds its own bookkeeping; plain Celery's is Redis itself.
    shared["result_backend"] = conf["result_backend"].rsplit("+", 1)[-1]
    return shared


# Not the current app: the bench imports this module beside the shop's app, whose shared
# tasks (the naive baselines) must keep resolving to the shop's.
app = Celery("plain", set_as_current=False)
app.conf.update(json.loads(os.environ.get(CONF_VARIABLE, "{}")))


@app.task(name=NOOP)
def noop() -> None:
    """Nothing at all: what is left is Celery's own cost per task."""

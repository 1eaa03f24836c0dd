"""Celery's cold (soft) shutdown on a threads pool: running tasks stop at a safe point and
put their message back, instead of crashing the shutdown.

The workers stop with REMAP_SIGTERM=SIGQUIT (scripts/stack_env.sh, compose.yaml): SIGTERM
is Celery's cold shutdown, which waits `worker_soft_shutdown_timeout`, then cancels every
running task. A prefork pool kills the child, and the unacked message is restored to its
queue when the worker closes its broker channel. Celery 5.7's threads pool cannot cancel a
thread (its `terminate_job` raises NotImplementedError, celery/celery#10490): the shutdown
stops with "Unrecoverable error" and waits for every thread to end, however long.

`ThreadsPoolShutdown` gives that pool a `terminate_job` that cancels nothing but lets the
shutdown go on; Celery then sets `state.should_terminate` and waits for the threads. A long
task polls `worker_stopping()` between two units of work and raises
`Reject(requeue=True)` (campaign batches do, between two recipients); a short one simply
finishes. Outside a cold shutdown (a revoke with terminate=True) it still refuses.
"""

from __future__ import annotations

from celery import bootsteps
from celery.concurrency.thread import TaskPool as ThreadTaskPool
from celery.worker import state


def worker_stopping() -> bool:
    """True once this worker stops: a warm shutdown, or a cold one past its soft timeout.

    Read as celery.worker.state.maybe_shutdown does: each flag holds an exit code (0 too).
    """
    return any(flag is not None and flag is not False for flag in (state.should_stop, state.should_terminate))


class ThreadsPoolShutdown(bootsteps.StartStopStep):
    """On a threads pool: let the cold shutdown cancel tasks cooperatively (see module)."""

    requires = ("celery.worker.components:Pool",)

    def start(self, worker) -> None:
        if not isinstance(worker.pool, ThreadTaskPool):
            return
        cold_shutdown = []
        soft_shutdown_wait = worker.wait_for_soft_shutdown

        # Only Celery's cold shutdown handler calls this, before it cancels the tasks.
        def wait_for_soft_shutdown() -> None:
            cold_shutdown.append(True)
            soft_shutdown_wait()

        def terminate_job(pid: int, signal: int | None = None) -> None:
            if not cold_shutdown:
                raise NotImplementedError("a threads pool cannot terminate a running task")

        worker.wait_for_soft_shutdown = wait_for_soft_shutdown
        worker.pool.terminate_job = terminate_job

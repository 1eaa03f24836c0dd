"""Every place the shop relies on Celery's or kombu's internals, and nowhere else.

Each item below uses something that is not public API and may change in a minor release;
tests/jobs/test_celery_compat.py checks each against the installed versions and names them
when one no longer holds. Written against Celery 5.7 / kombu 5.7.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from celery import Celery, bootsteps
from celery.backends.redis import RedisBackend, SentinelBackend
from celery.concurrency.thread import TaskPool as ThreadTaskPool
from celery.fixups.django import DjangoFixup, DjangoWorkerFixup
from celery.worker import state as worker_state
from celery.worker.request import Request
from kombu.transport.redis import Channel as RedisChannel

# --- kombu's Redis layout (shop.platform.queues.selectors reads the broker directly) ------------
# kombu emulates priorities with one list per step: `orders` holds step 0 and
# `orders<sep><n>` step n (Channel._q_for_pri). Messages a worker holds (late ack) sit in
# the `unacked` hash.
REDIS_PRIORITY_SEPARATOR: str = RedisChannel.sep
REDIS_UNACKED_KEY: str = RedisChannel.unacked_key


def redis_priority_key(queue: str, step: int) -> str:
    """The Redis list kombu keeps a queue's messages of priority `step` in."""
    return queue if step == 0 else f"{queue}{REDIS_PRIORITY_SEPARATOR}{step}"


# --- Worker request: cancelled on connection loss → delivered again ----------------------
class ConnectionLossSafeRequest(Request):
    """A task cancelled because the broker connection was lost is delivered again, never
    recorded as revoked.

    On a lost connection (worker_cancel_long_running_tasks_on_connection_loss) the worker
    kills each running late-ack task, then records a RETRY in the result backend, and only
    then notes that it cancelled the task. When Redis (broker and result backend) is down,
    that record fails, the note is never made, and the killed child's exit is announced as
    a revocation ("terminated"): a chord header fails its chord, whose errback fails the
    order or campaign, and the step is marked REVOKED, so every later delivery of it is
    skipped as cancelled. Noting the cancellation first keeps Celery's intent: the message
    stays unacked and comes back.

    The same holds for a task the pool child has taken but whose start the main process has
    not heard of yet (no `time_start`): Celery then terminates the job without announcing
    the cancellation at all, and the child's Terminated exit is announced as a revocation.
    """

    def cancel(self, pool, signal=None, emit_retry=True):
        self._already_cancelled = True
        super().cancel(pool, signal=signal, emit_retry=emit_retry)

    def _announce_cancelled(self, emit_retry=True):
        self._already_cancelled = True
        super()._announce_cancelled(emit_retry=emit_retry)


# --- Result backend: send without subscribing to the result --------------------------------
class SwitchableFollowing:
    """Celery's Redis backend, subscribing the sender to a task's result channel only while
    `following()` says so (shop.platform.result_backend decides). `on_task_call` subscribes at send
    time; `_add_pending_result` is where freezing a chord registers its header results."""

    following: Callable[[], bool] = staticmethod(lambda: True)

    def on_task_call(self, producer, task_id):
        if self.following():
            super().on_task_call(producer, task_id)

    def _add_pending_result(self, task_id, result, weak=False):
        if self.following():
            super()._add_pending_result(task_id, result, weak=weak)


class SwitchableFollowingRedisBackend(SwitchableFollowing, RedisBackend):
    pass


class SwitchableFollowingSentinelBackend(SwitchableFollowing, SentinelBackend):
    pass


# --- Django fixup: keep worker DB connections across tasks ---------------------------------
class PersistentConnectionsWorkerFixup(DjangoWorkerFixup):
    """Celery closes every Django connection before and after each task, so CONN_MAX_AGE
    never applies in a worker and each task pays for a new connection (~1.7 ms on SQLite).

    Around tasks this keeps what Django itself would keep at the end of a web request
    (`close_if_unusable_or_obsolete`): a connection older than CONN_MAX_AGE, one left
    outside autocommit, or one that saw an error and fails its health check is closed; the
    rest serve the next task. A forked child still closes what it inherited
    (`on_worker_process_init` → `_close_database`), as Celery does, and the main process starts
    with none (`install`).
    """

    def install(self) -> PersistentConnectionsWorkerFixup:
        worker_connection_age_apply(self._settings)
        super().install()
        self._close_database()  # as Celery does at start: children fork with no connection
        return self

    def close_database(self, **kwargs) -> None:
        for connection in self._db.connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()


def worker_connection_age_apply(settings) -> None:
    """Give every database the workers' WORKER_DATABASE_CONN_MAX_AGE, if set, in place of the
    web's CONN_MAX_AGE; before any connection opens, since each reads it when it connects."""
    max_age = getattr(settings, "WORKER_DATABASE_CONN_MAX_AGE", None)
    if max_age is not None:
        for database in settings.DATABASES.values():
            database["CONN_MAX_AGE"] = max_age


class PersistentConnectionsDjangoFixup(DjangoFixup):
    @property
    def worker_fixup(self) -> DjangoWorkerFixup:
        if self._worker_fixup is None:
            self._worker_fixup = PersistentConnectionsWorkerFixup(self.app)
        return self._worker_fixup

    @worker_fixup.setter
    def worker_fixup(self, value: DjangoWorkerFixup) -> None:
        self._worker_fixup = value


def django_fixup(app: Celery) -> DjangoFixup | None:
    """Stands in for `celery.fixups.django:fixup` in `Celery(fixups=[...])`."""
    if os.environ.get("DJANGO_SETTINGS_MODULE") and "django" not in app.loader_cls.lower():
        return PersistentConnectionsDjangoFixup(app).install()
    return None


FIXUPS = ["shop.platform.jobs.celery_compat:django_fixup"]


# --- Cold shutdown on a threads pool -------------------------------------------------------
# Celery's cold (soft) shutdown on a threads pool: running tasks stop at a safe point and
# put their message back, instead of crashing the shutdown.
#
# The workers stop with REMAP_SIGTERM=SIGQUIT (scripts/stack_env.sh, compose.yaml): SIGTERM
# is Celery's cold shutdown, which waits `worker_soft_shutdown_timeout`, then cancels every
# running task. A prefork pool kills the child, and the unacked message is restored to its
# queue when the worker closes its broker channel. Celery 5.7's threads pool cannot cancel a
# thread (its `terminate_job` raises NotImplementedError, celery/celery#10490): the shutdown
# stops with "Unrecoverable error" and waits for every thread to end, however long.
#
# `ThreadsPoolShutdown` gives that pool a `terminate_job` that cancels nothing but lets the
# shutdown go on; Celery then sets `state.should_terminate` and waits for the threads. A long
# task polls `worker_stopping()` between two units of work and raises
# `Reject(requeue=True)` (campaign batches do, between two recipients); a short one simply
# finishes. Outside a cold shutdown (a revoke with terminate=True) it still refuses.


def worker_stopping() -> bool:
    """True once this worker stops: a warm shutdown, or a cold one past its soft timeout.

    Read as celery.worker.state.maybe_shutdown does: each flag holds an exit code (0 too).
    """
    return any(
        flag is not None and flag is not False
        for flag in (worker_state.should_stop, worker_state.should_terminate)
    )


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


# --- Test support ---------------------------------------------------------------------------
def broker_pool_reset(app: Celery) -> None:
    """Drop the app's broker connection pool and result backend after the broker URL
    changed, so the next use connects to the new one."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app._local.__dict__.pop("backend", None)


def worker_busy() -> bool:
    """Whether this process's worker holds or runs any request (the in-thread test worker)."""
    return bool(worker_state.active_requests or worker_state.reserved_requests)

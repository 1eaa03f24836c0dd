"""The Redis result backend, minus the pub/sub subscription at send time.

Celery's Redis backend subscribes the *sender* to every task's result channel when it sends
the task, so that a later `.get()` is fast. Our senders (web requests, the outbox sweeper)
never wait for results, and those subscriptions pile up in long-lived processes. Here a
subscription is made only when someone actually waits (`AsyncResult.get()`); reading a
state later (`AsyncResult(id).state`) is a plain GET either way.
"""

from celery.backends.redis import RedisBackend


class RedisResultBackend(RedisBackend):
    def on_task_call(self, producer, task_id):
        """Do not subscribe on send; `get()` subscribes when it needs to."""

"""The step contract: the one way to declare a task, and to put it on a canvas.

Declare (in an app's tasks.py)::

    @step_task(retry=RetryPolicy(max_retries=6, backoff=2, cap=60), on_final_failure=_failed)
    def charge_payment(*, order_id: int) -> dict: ...

- Name: `<app label>.<function name>` ("orders.charge_payment"); the Job calls the step by
  what follows the app label. shop/celery.py routes by that name.
- Arguments are keyword-only. A step that consumes the previous step's result names the
  keyword it arrives as (`takes_result="message_id"`); nothing else may be positional.
- Retries: only transient errors (`shop.platform.errors.TransientError`, a locked or lost database
  connection), as the step's `RetryPolicy` says. An error raised with the dependency's own
  wait (`retry_after`) waits that long instead.
- `shop.platform.errors.StepSkipped` (the step has nothing to do): Celery's `Ignore`, the chain stops.
- Any other error fails the step at once; then, and when retries are spent,
  `on_final_failure(failure=StepFailure, **the step's kwargs)` records it through a service.

Build canvases (in workflows.py) by task name, never by importing tasks.py, so
services -> workflows -> tasks -> services is no cycle: `step("orders.charge_payment",
order_id=1)`, or `step_with_result("notifications.send_message")` after a step whose result
it takes.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import random
import threading
from collections.abc import Callable
from typing import Any

from celery import current_task
from celery.canvas import Signature
from celery.exceptions import Ignore
from django.apps import apps
from django.conf import settings
from django.db import InterfaceError, OperationalError

from shop.celery import app
from shop.platform.errors import StepSkipped, TransientError

from .canvas import step_name
from .tracking import TrackedTask

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (TransientError, OperationalError, InterfaceError)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff (`backoff` · 2^retry seconds), capped at `cap`, full jitter.

    `backoff` and `cap` may name a Django setting instead, read at each retry (so a deployment
    or a test can tune a dependency's pace without a new policy).
    """

    max_retries: int
    backoff: float | str
    cap: float | str
    jitter: bool = True

    def countdown(self, *, retries: int, retry_after: float | None = None) -> float:
        backoff, cap = _setting_or_value(self.backoff), _setting_or_value(self.cap)
        if retry_after is not None:
            # The dependency said when; a little jitter so throttled workers do not return at once.
            return min(cap, retry_after + (random.uniform(0, backoff) if self.jitter else 0))
        ceiling = min(cap, backoff * 2**retries)
        return random.uniform(0, ceiling) if self.jitter else ceiling


def _setting_or_value(value: float | str) -> float:
    return float(getattr(settings, value) if isinstance(value, str) else value)


@dataclasses.dataclass(frozen=True)
class StepFailure:
    """What ended a step for good, as `on_final_failure` receives it."""

    step: str
    error: BaseException

    @property
    def message(self) -> str:
        return f"{type(self.error).__name__}: {self.error}"


class StepTask(TrackedTask):
    """The base of every declared step (tracking comes from TrackedTask)."""

    step_retry: RetryPolicy | None = None
    takes_result: str | None = None
    final_failure_hook: Callable[..., None] | None = None

    def as_kwargs(self, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The step's arguments by keyword: the previous step's result under `takes_result`."""
        if not args:
            return dict(kwargs)
        if self.takes_result is None or len(args) > 1:
            raise TypeError(f"{self.name} takes keyword arguments only, not {args!r}")
        return {**kwargs, self.takes_result: args[0]}

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if self.final_failure_hook is None:
            return
        failure = StepFailure(step=step_name(self.name), error=exc)
        try:
            self.final_failure_hook(failure=failure, **self.as_kwargs(args or (), kwargs or {}))
        except Exception:
            # The step's own failure is recorded by its Job either way; say why the hook was not.
            logger.exception("on_final_failure of %s failed", self.name)


def step_task(
    *,
    retry: RetryPolicy | None = None,
    on_final_failure: Callable[..., None] | None = None,
    takes_result: str | None = None,
    name: str | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], StepTask]:
    """Declare `func` as a step. `options` are Celery's (time limits, ignore_result).

    `name` is for modules outside any app (the tests' own tasks); an app's steps take theirs
    from the app label.
    """

    def declare(func: Callable[..., Any]) -> StepTask:
        params = inspect.signature(func).parameters.values()
        positional = [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        if positional:
            raise TypeError(f"{func.__qualname__}: step arguments must be keyword-only, not {positional}")
        if takes_result is not None and takes_result not in inspect.signature(func).parameters:
            raise TypeError(f"{func.__qualname__} has no argument {takes_result!r} to take a result as")

        def run(task: StepTask, *args: Any, **kwargs: Any) -> Any:
            try:
                return func(**task.as_kwargs(args, kwargs))
            except StepSkipped as exc:
                logger.info("%s skipped: %s", task.name, exc)
                raise Ignore() from exc
            except TRANSIENT_ERRORS as exc:
                if task.step_retry is None:
                    raise
                countdown = task.step_retry.countdown(
                    retries=task.request.retries, retry_after=vars(exc).get("retry_after")
                )
                raise task.retry(
                    exc=exc, countdown=countdown, max_retries=task.step_retry.max_retries
                ) from exc

        run.__name__, run.__qualname__, run.__doc__ = func.__name__, func.__qualname__, func.__doc__
        run.__module__ = func.__module__
        run.__signature__ = _header(func, takes_result)
        task_name = name or f"{_app_label(func)}.{func.__name__}"
        return app.task(
            bind=True,
            base=StepTask,
            name=task_name,
            step_retry=retry,
            takes_result=takes_result,
            final_failure_hook=staticmethod(on_final_failure) if on_final_failure else None,
            **options,
        )(run)

    return declare


def _app_label(func: Callable[..., Any]) -> str:
    config = apps.get_containing_app_config(func.__module__)
    if config is None:
        raise TypeError(f"{func.__module__} belongs to no app: give {func.__name__} a name")
    return config.label


def _header(func: Callable[..., Any], takes_result: str | None) -> inspect.Signature:
    """The signature Celery checks calls against: keyword-only, plus the previous result."""
    P = inspect.Parameter
    params = [P("task", P.POSITIONAL_OR_KEYWORD)]
    keywords = list(inspect.signature(func).parameters.values())
    if takes_result is not None:
        params.append(P("previous_result", P.POSITIONAL_OR_KEYWORD, default=None))
        keywords = [p.replace(default=None) if p.name == takes_result else p for p in keywords]
    return inspect.Signature(params + keywords)


def final_attempt() -> bool:
    """True in the running step's last try (its policy allows no further retry)."""
    policy = current_task.step_retry
    return policy is None or current_task.request.retries >= policy.max_retries


_declarations_loading = threading.Lock()


def _registered(task_name: str) -> StepTask:
    if task_name not in app.tasks:
        # A web process imports no tasks.py by itself: load every app's declarations once.
        # One thread at a time: Celery's autodiscovery returns at once, empty-handed, to a
        # second thread while a first is still importing (gunicorn's first requests).
        with _declarations_loading:
            if task_name not in app.tasks:
                app.loader.import_default_modules()
    try:
        return app.tasks[task_name]
    except KeyError:
        raise LookupError(f"No step is declared as {task_name!r}") from None


def step(task_name: str, **kwargs: Any) -> Signature:
    """The step `task_name` with its keyword arguments, ignoring any previous result."""
    return _registered(task_name).si(**kwargs)


def step_with_result(task_name: str, **kwargs: Any) -> Signature:
    """The step `task_name`, taking the previous step's result as its `takes_result` argument."""
    task = _registered(task_name)
    if task.takes_result is None:
        raise TypeError(f"{task_name} takes no result from a previous step")
    return task.s(**kwargs)

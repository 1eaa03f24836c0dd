"""Plan a Celery canvas before it is sent: give every task an id, a priority and a place.

`plan_workflow` walks the canvas in its JSON form (chain / group / chord / task), assigns
each task its id up front, sets the Job's priority on every task that has none of its own
(a step further along its chain a rank ahead within that priority's band, so a workflow that
has started finishes before new ones of its band start: `broker_priority(position=)`),
and returns the serialised canvas (stored in the outbox), the steps and the shape the
frontend draws. Given the Job, it also puts the Job's id and subject (and an error handler's
role) in every task's message headers, so a worker knows a task's Job without asking the
database, and a task without those headers is not tracked at all (shop.platform.jobs.tracking).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from celery.canvas import Signature

from shop.celery import Priority, app, broker_priority, priority_from_broker

# Message headers a planned step carries (read back from the task's request).
JOB_HEADER = "job_id"
SUBJECT_HEADER = "job_subject"
ROLE_HEADER = "job_role"  # only on error handlers: their success is not progress


@dataclass
class PlannedStep:
    name: str
    task_name: str
    task_id: str
    queue: str
    priority: str
    role: str = "step"


@dataclass
class WorkflowPlan:
    signature: dict[str, Any]
    shape: dict[str, Any]
    steps: list[PlannedStep] = field(default_factory=list)


def _queue_for(task_name: str, options: dict[str, Any]) -> str:
    if options.get("queue"):
        return str(options["queue"])
    routed = app.amqp.router.route({}, task_name)
    queue = routed.get("queue")
    return getattr(queue, "name", None) or str(queue or app.conf.task_default_queue)


def step_name(task_name: str) -> str:
    """What a Job calls a step: its task name without the app label (shop.platform.jobs.steps)."""
    return task_name.partition(".")[2] or task_name


class _Planner:
    def __init__(self, priority: Priority, headers: dict[str, Any]) -> None:
        self.priority = priority
        self.headers = headers
        self.steps: list[PlannedStep] = []

    def visit(self, sig: dict[str, Any], role: str = "step", position: int = 0) -> dict[str, Any]:
        """`position`: how many steps of the workflow run before this one can start."""
        kind = sig.get("subtask_type")
        if kind == "chain":
            items = [self.visit(t, position=position + n) for n, t in enumerate(sig["kwargs"]["tasks"])]
            return {"type": "chain", "items": items}
        if kind == "group":
            return {
                "type": "group",
                "items": [self.visit(t, position=position) for t in sig["kwargs"]["tasks"]],
            }
        if kind == "chord":
            header = sig["kwargs"]["header"]
            header_tasks = header["kwargs"]["tasks"] if isinstance(header, dict) else header
            shape = {
                "type": "chord",
                "header": [self.visit(t, position=position) for t in header_tasks],
                "body": self.visit(sig["kwargs"]["body"], position=position + 1),
            }
            self._visit_errbacks(sig, position)
            return shape
        if kind is not None:
            raise ValueError(f"Unsupported canvas type in a workflow: {kind}")
        return self._visit_task(sig, role, position)

    def _visit_task(self, sig: dict[str, Any], role: str, position: int) -> dict[str, Any]:
        options = sig.setdefault("options", {})
        options.setdefault("task_id", str(uuid.uuid4()))
        options.setdefault("priority", broker_priority(self.priority, position=position))
        if self.headers:
            role_header = {ROLE_HEADER: role} if role != "step" else {}
            options["headers"] = {**options.get("headers", {}), **self.headers, **role_header}
        step = PlannedStep(
            name=step_name(sig["task"]),
            task_name=sig["task"],
            task_id=options["task_id"],
            queue=_queue_for(sig["task"], options),
            priority=priority_from_broker(options["priority"]).value,
            role=role,
        )
        self.steps.append(step)
        self._visit_errbacks(sig, position)
        return {"type": "task", "name": step.name, "task_id": step.task_id, "role": role}

    def _visit_errbacks(self, sig: dict[str, Any], position: int) -> None:
        # An errback ends a workflow already under way: as far along as the step it guards.
        for errback in sig.get("options", {}).get("link_error") or []:
            self.visit(errback, role="on_error", position=position)


def job_headers(*, job_id: int, subject: str) -> dict[str, Any]:
    return {JOB_HEADER: job_id, SUBJECT_HEADER: subject}


def plan_workflow(
    workflow: Signature, *, priority: Priority, headers: dict[str, Any] | None = None
) -> WorkflowPlan:
    """Assign ids, priorities and `headers` to every task of `workflow`; describe its shape."""
    as_json = json.loads(json.dumps(workflow))
    planner = _Planner(priority, headers or {})
    shape = planner.visit(as_json)
    return WorkflowPlan(signature=as_json, shape=shape, steps=planner.steps)


def headers_stamp(signature: dict[str, Any], *, headers: dict[str, Any]) -> dict[str, Any]:
    """Put `headers` on every task of an already planned canvas in its JSON form (in place)."""
    _Planner(Priority.NORMAL, headers).visit(signature)
    return signature

"""Plan a Celery canvas before it is sent: give every task an id, a priority and a place.

`plan_workflow` walks the canvas in its JSON form (chain / group / chord / task), assigns
each task its id up front, sets the Job's priority on every task that has none of its own
(a step further along its chain a rank ahead within that priority's band, so a workflow that
has started finishes before new ones of its band start: `broker_priority(position=)`),
and returns the serialised canvas (stored in the outbox), the steps (so task signals can
find their Job by task id) and the shape the frontend draws.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from celery.canvas import Signature

from shop.celery import Priority, app, broker_priority, priority_from_broker


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
    """What a Job calls a step: its task name without the app label (shop.jobs.steps)."""
    return task_name.partition(".")[2] or task_name


class _Planner:
    def __init__(self, priority: Priority) -> None:
        self.priority = priority
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


def plan_workflow(workflow: Signature, *, priority: Priority) -> WorkflowPlan:
    """Assign ids and priorities to every task of `workflow` and describe its shape."""
    as_json = json.loads(json.dumps(workflow))
    planner = _Planner(priority)
    shape = planner.visit(as_json)
    return WorkflowPlan(signature=as_json, shape=shape, steps=planner.steps)

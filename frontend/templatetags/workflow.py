"""Template helpers for the workflow diagram: the Job's canvas shape with each step's state."""

from __future__ import annotations

from typing import Any

from django import template

from shop.platform.jobs.models import JobStep

register = template.Library()


def _with_states(node: dict[str, Any], states: dict[str, str]) -> dict[str, Any]:
    kind = node.get("type")
    if kind == "task":
        return {**node, "state": states.get(node.get("task_id"), "PENDING")}
    if kind == "chord":
        return {
            **node,
            "header": [_with_states(item, states) for item in node.get("header", [])],
            "body": _with_states(node.get("body", {}), states),
        }
    return {**node, "items": [_with_states(item, states) for item in node.get("items", [])]}


@register.simple_tag
def canvas_with_states(job: dict[str, Any]) -> dict[str, Any]:
    """The job's canvas tree, each task node carrying its step's current state."""
    states = {step["task_id"]: step["state"] for step in job.get("steps", [])}
    return _with_states(job.get("canvas") or {}, states)


@register.filter
def error_handlers(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Errbacks (steps that run only when the workflow fails), one per task name: a
    workflow often gives every step the same errback. Not part of the canvas shape."""
    handlers: dict[str, dict[str, Any]] = {}
    for step in job.get("steps", []):
        if step.get("role") != "on_error":
            continue
        handler = handlers.setdefault(
            step["name"], {"name": step["name"], "task_ids": [], "state": "PENDING"}
        )
        handler["task_ids"].append(step["task_id"])
        if step["state"] != "PENDING":
            handler["state"] = step["state"]
    return list(handlers.values())


@register.filter
def step_state_label(state: str) -> str:
    """A step state as a person reads it ("SUCCESS" -> "done")."""
    return JobStep.State(state).label.lower() if state in JobStep.State.values else state.lower()

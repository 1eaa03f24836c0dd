"""The demo workflow: chain(prepare, chord(group(square × n, flaky), total)).

It is small on purpose: the shape every real workflow in Greengrocer builds on.
"""

from __future__ import annotations

from celery import chain, chord
from celery.canvas import Signature

from .steps import step, step_with_result


def demo_workflow(*, numbers: list[int], flaky_failures: int = 1, explode: bool = False) -> Signature:
    squares = [step("jobs.demo_square", number=n) for n in numbers]
    squares.append(step("jobs.demo_flaky", number=len(numbers) + 1, failures=flaky_failures))
    steps = [step("jobs.demo_prepare", numbers=numbers), chord(squares, step_with_result("jobs.demo_total"))]
    if explode:
        steps.append(step_with_result("jobs.demo_explode"))
    return chain(*steps)

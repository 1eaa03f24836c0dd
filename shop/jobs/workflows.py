"""The demo workflow: chain(prepare, chord(group(square × n, flaky), total)).

It is small on purpose: the shape every real workflow in Greengrocer builds on.
"""

from __future__ import annotations

from celery import chain, chord
from celery.canvas import Signature

from . import tasks


def demo_workflow(*, numbers: list[int], flaky_failures: int = 1, explode: bool = False) -> Signature:
    squares = [tasks.demo_square.si(n) for n in numbers]
    squares.append(tasks.demo_flaky.si(len(numbers) + 1, flaky_failures))
    steps = [tasks.demo_prepare.si(numbers), chord(squares, tasks.demo_total.s())]
    if explode:
        steps.append(tasks.demo_explode.s())
    return chain(*steps)

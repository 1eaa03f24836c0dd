"""What every scenario gets: its sizes and the results of the scenarios before it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.measure import ScenarioResult
from bench.sizes import Sizes


@dataclass
class BenchContext:
    sizes: Sizes
    results: dict[str, ScenarioResult] = field(default_factory=dict)

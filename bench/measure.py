"""Figures: each is the median of several repetitions, kept with its min, max and every run."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

REPEATS = 3


@dataclass(frozen=True)
class Figure:
    unit: str
    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def as_dict(self) -> dict:
        return {
            "unit": self.unit,
            "median": self.median,
            "min": min(self.runs),
            "max": max(self.runs),
            "runs": list(self.runs),
        }


@dataclass(frozen=True)
class Row:
    """One line of the results table: our figure and, when there is one, what it is compared to."""

    name: str
    ours: Figure
    baseline: Figure | None = None
    baseline_label: str = ""
    higher_is_better: bool = True

    @property
    def times_better(self) -> float | None:
        """How many times better ours is than the baseline (below 1: worse)."""
        if self.baseline is None or not self.baseline.median or not self.ours.median:
            return None
        ratio = self.ours.median / self.baseline.median
        return ratio if self.higher_is_better else 1 / ratio

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "ours": self.ours.as_dict(),
            "baseline": self.baseline.as_dict() if self.baseline else None,
            "baseline_label": self.baseline_label,
            "higher_is_better": self.higher_is_better,
            "times_better": self.times_better,
        }


@dataclass
class ScenarioResult:
    name: str
    size: str
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "size": self.size,
            "notes": self.notes,
            "seconds": round(self.seconds, 1),
            "rows": [row.as_dict() for row in self.rows],
        }


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share 0.5 = p50, 0.99 = p99) of a non-empty sample."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def repeat(*runs: Callable[[], dict[str, float]], units: dict[str, str]) -> list[dict[str, Figure]]:
    """Run each callable REPEATS times, interleaved (a, b, a, b, …) so that a change in the
    machine's load touches both sides alike; one dict of Figures per callable."""
    collected: list[dict[str, list[float]]] = [{} for _ in runs]
    for _ in range(REPEATS):
        for values, run in zip(collected, runs, strict=True):
            for name, value in run().items():
                values.setdefault(name, []).append(value)
    return [{name: Figure(units[name], tuple(v)) for name, v in values.items()} for values in collected]

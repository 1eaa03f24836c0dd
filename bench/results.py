"""bench/results/latest.json (every run's numbers) and latest.md (the table README links)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from .measure import Figure, Row, ScenarioResult

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _figure(figure: Figure | None) -> str:
    if figure is None:
        return "–"
    low, high = min(figure.runs), max(figure.runs)
    return f"**{_number(figure.median)}** {figure.unit} ({_number(low)}–{_number(high)})"


def _times(row: Row) -> str:
    ratio = row.times_better
    return "–" if ratio is None else f"×{ratio:.2f}" if ratio < 10 else f"×{ratio:.0f}"


def _machine() -> dict[str, str]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, cwd=RESULTS_DIR
    ).stdout.strip()
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit or "unknown",
    }


def table(results: list[ScenarioResult]) -> str:
    lines = [
        "| scenario | figure | ours: median (min–max) | compared with | baseline: median (min–max) | ours is | size |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for row in result.rows:
            lines.append(
                f"| {result.name} | {row.name} | {_figure(row.ours)} | {row.baseline_label or '–'} "
                f"| {_figure(row.baseline)} | {_times(row)} | {result.size} |"
            )
    return "\n".join(lines)


def write(
    results: list[ScenarioResult], *, directory: Path, command: str, quick: bool, seconds: float
) -> Path:
    machine = _machine()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "latest.json").write_text(
        json.dumps(
            {
                "when": when,
                "quick": quick,
                "command": command,
                "seconds": round(seconds, 1),
                "machine": machine,
                "scenarios": {result.name: result.as_dict() for result in results},
            },
            indent=2,
        )
        + "\n"
    )
    notes = [f"- **{r.name}** ({r.seconds:.0f} s): " + " ".join(r.notes) for r in results if r.notes]
    markdown = "\n".join(
        [
            "# Benchmark results",
            "",
            f"`{command}` at {when}, commit {machine['commit']}, "
            f"{machine['cpus']} CPUs, Python {machine['python']}; {seconds:.0f} s in all. Each figure is the "
            'median of 3 repetitions, with the min and max in brackets. "ours is ×N": how many times '
            "better ours is than the baseline (faster, or less waiting). How each is measured: "
            "bench/scenarios/<scenario>.py and the notes below.",
            "",
            table(results),
            "",
            "## Notes",
            "",
            *notes,
            "",
        ]
    )
    path = directory / "latest.md"
    path.write_text(markdown)
    return path

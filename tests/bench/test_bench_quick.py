"""`python -m bench --quick` runs every scenario end to end on its own stack.

A smoke test: it checks that each scenario ran and produced positive numbers, never how
fast anything was (performance is measured by `make bench`, not asserted here).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.scenarios import FULL_RUN_ONLY, SCENARIO_NAMES
from tests.harness.processes import ROOT

pytestmark = pytest.mark.slow


def test_quick_bench_measures_every_scenario(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-5000:]

    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["quick"] is True
    assert set(results["scenarios"]) == set(SCENARIO_NAMES) - set(FULL_RUN_ONLY)
    for name, scenario in results["scenarios"].items():
        assert scenario["rows"], name
        for row in scenario["rows"]:
            figures = [row["ours"], *([row["baseline"]] if row["baseline"] else [])]
            for figure in figures:
                assert len(figure["runs"]) >= 3, (name, row)
                # Only the bare view runs no SQL query, and CPU time is counted in 10 ms ticks
                # (a quick run may use less): every other figure is a positive measurement.
                if figure["unit"] in ("queries", "CPU ms"):
                    assert all(run >= 0 for run in figure["runs"]), (name, row)
                else:
                    assert all(run > 0 for run in figure["runs"]), (name, row)

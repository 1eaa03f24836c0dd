"""The bench's command line, shared by the launcher (bench/__main__.py) and bench/runner.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from .results import RESULTS_DIR
from .scenarios import SCENARIO_NAMES


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="The shop against the naive way and Celery's ceiling, on a stack of its own.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test, not a measurement")
    parser.add_argument(
        "--issue-sizes",
        action="store_true",
        help="run priority, campaign and sync at the issue's full sizes (those three: about 7 minutes)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SCENARIO_NAMES,
        metavar="SCENARIO",
        help=f"run only this scenario (repeatable): {', '.join(SCENARIO_NAMES)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS_DIR,
        metavar="DIR",
        help="where latest.json and latest.md go (default: bench/results)",
    )
    return parser.parse_args(argv)

"""prometheus-client's multiprocess mode, one folder per serving process.

A prefork worker's tasks run in child processes and gunicorn's requests in worker
processes; each child writes its samples to memory-mapped files in PROMETHEUS_MULTIPROC_DIR
and whoever serves the metrics adds them up. The variable must be set before
prometheus-client is imported (scripts/stack_env.sh, compose.yaml), which picks the mode;
each serving process (a Celery node, gunicorn's master) then claims a subfolder of its own,
emptied at its start, before any sample is written, so one node's restart never adds up
another's files or its own previous run's.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CollectorRegistry, multiprocess

ENV = "PROMETHEUS_MULTIPROC_DIR"
# The folder the stack configured, remembered so a claim never nests inside another.
ROOT_ENV = "GREENGROCER_METRICS_ROOT"


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def claim_directory(name: str) -> Path:
    """Make `<root>/<name>` this process's (and its children's) metrics folder, emptied."""
    root = Path(os.environ.setdefault(ROOT_ENV, os.environ[ENV]))
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[ENV] = str(folder)
    return folder


def child_exited(pid: int) -> None:
    """Drop a finished child's live gauges (its counters stay counted)."""
    if enabled():
        multiprocess.mark_process_dead(pid)


def aggregated_registry() -> CollectorRegistry:
    """A registry that reads every process's files in this process's folder."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry

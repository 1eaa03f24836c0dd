"""CPU time by process of the bench's stack, from /proc: what a task or an order costs, and where.

Every process of the bench's stack (and the plain Celery worker the ceiling starts) has the
stack's VAR_DIR in its environment; its command line says which Procfile process it is.
Redis is the exception (its process title overwrites its environment): it says its own pid.
Prefork children and gunicorn's workers share their parent's command line, so each role adds
up its whole process tree. CPU time is stable where wall-clock rates swing on shared cores.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The unit of CPU figures: counted in clock ticks (10 ms), so a small run may measure 0.
CPU_MS = "CPU ms"
# The first match names a process: (role, what its command line contains).
ROLES = (
    ("web", "gunicorn"),
    ("worker-fast", "--hostname=fast@"),
    ("worker-mail", "--hostname=mail@"),
    ("worker-bulk", "--hostname=bulk@"),
    ("worker-io", "--hostname=io@"),
    ("plain-celery", "bench.plain_celery"),
    ("smtp", "notifications.smtp_sink"),
    ("supplier", "sync.supplier_stub"),
)


def _stack_pids() -> dict[str, list[int]]:
    marker = f"VAR_DIR={os.environ['VAR_DIR']}".encode()
    redis_pid = redis.Redis.from_url(settings.REDIS_URL).info("server")["process_id"]
    roles: dict[str, list[int]] = {"bench": [os.getpid()], "redis": [redis_pid]}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone, or not ours to read
            continue
        role = next((name for name, needle in ROLES if needle in command), None)
        if role:
            roles.setdefault(role, []).append(int(entry.name))
    return roles


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def cpu_by_role() -> dict[str, float]:
    """CPU seconds used so far by each role's processes (children that exited are not counted)."""
    return {role: sum(map(_cpu_seconds, pids)) for role, pids in _stack_pids().items()}


def cpu_used(run: Callable[[], object]) -> tuple[object, dict[str, float]]:
    """`run()`'s result and the CPU seconds each role used meanwhile."""
    before = cpu_by_role()
    result = run()
    after = cpu_by_role()
    return result, {role: max(0.0, seconds - before.get(role, 0.0)) for role, seconds in after.items()}


def _machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


QUIET_CORES = 0.15
QUIET_WINDOW = 0.5


def quiet_wait(*, patience: float) -> float:
    """Wait until the machine's cores are idle (what a scenario left behind: a draining queue,
    a checkpoint, a collection) for two windows in a row, or `patience` seconds have passed;
    return the seconds waited, so one scenario's tail is not measured as the next one's cost."""
    started = time.monotonic()
    quiet_windows = 0
    while quiet_windows < 2 and time.monotonic() - started < patience:
        before = _machine_busy_seconds()
        time.sleep(QUIET_WINDOW)
        busy_cores = (_machine_busy_seconds() - before) / QUIET_WINDOW
        quiet_windows = quiet_windows + 1 if busy_cores < QUIET_CORES else 0
    return time.monotonic() - started

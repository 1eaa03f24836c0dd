"""The bench's own stack: the Procfile's processes on free ports over a throwaway VAR_DIR.

It reuses the end-to-end tests' launcher (tests/harness/stack.py), so Redis, gunicorn, every
worker, the SMTP sink and the supplier stub run exactly as `make run` starts them, never
touching the developer's running stack or database. Beat, Flower, Prometheus and
Alertmanager are left out: their periodic work (and scrapes) would land in the middle of a
measurement.
"""

from __future__ import annotations

from pathlib import Path

from tests.harness.stack import DEFAULT_PROCESSES, Stack

BENCH_PROCESSES = tuple(
    name for name in DEFAULT_PROCESSES if name not in ("beat", "flower", "prometheus", "alertmanager")
)
# Rates the shop limits on purpose (mail to a provider, requests to the supplier) are
# lifted so the bench measures the work, not the policy; the table says so.
UNCAPPED_RATE = "100000"


def bench_stack(directory: Path, *, supplier_size: int) -> Stack:
    stack = Stack(directory, processes=BENCH_PROCESSES)
    stack.env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        # As deployed: no per-query debug bookkeeping in any process.
        DEBUG="false",
        MAIL_SEND_RATE=UNCAPPED_RATE,
        MAIL_SEND_BURST=UNCAPPED_RATE,
        SUPPLIER_RATE_PER_SECOND=UNCAPPED_RATE,
        SUPPLIER_SIZE=str(supplier_size),
        # The sync scenario measures the catalog; pictures for 50,000 products would swamp it.
        SUPPLIER_PICTURES_PER_PRODUCT="0",
        # CPU is counted per process (bench/cpu.py): a gunicorn worker recycled mid-run would
        # take its CPU time with it.
        WEB_MAX_REQUESTS="0",
    )
    return stack

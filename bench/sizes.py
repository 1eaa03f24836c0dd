"""How much work each scenario does: the full bench (`make bench`) and the smoke test (`--quick`).

The full sizes are the issue's, except where noted: those are the largest that let the
whole bench finish in about ten minutes on two shared cores (the table says which).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    ceiling_tasks: int
    orders: int
    order_clients: int
    priority_backlog: int
    priority_probes: int
    campaign_recipients: int
    campaign_naive_recipients: int
    sync_products: int
    sync_naive_products: int
    images: int
    report_orders: int
    api_clients: int
    api_seconds: float


FULL = Sizes(
    ceiling_tasks=1000,
    orders=50,
    order_clients=8,
    priority_backlog=2000,  # the 10,000: its FIFO drain alone would take ~4 min
    priority_probes=20,
    campaign_recipients=2000,  # the 20,000: ~2 min per repetition here
    campaign_naive_recipients=500,
    sync_products=10_000,  # the 50,000: ~35 s per repetition, ~80 s for the naive loop
    sync_naive_products=2000,
    images=6,
    report_orders=100_000,
    api_clients=8,
    api_seconds=5.0,
)

QUICK = Sizes(
    ceiling_tasks=100,
    orders=4,
    order_clients=2,
    priority_backlog=100,
    priority_probes=3,
    campaign_recipients=30,
    campaign_naive_recipients=30,
    sync_products=300,
    sync_naive_products=100,
    images=1,
    report_orders=300,
    api_clients=2,
    api_seconds=0.5,
)

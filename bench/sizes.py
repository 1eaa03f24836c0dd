"""How much work each scenario does: the full bench (`make bench`) and the smoke test (`--quick`).

The full sizes are the issue's, except where noted: those are the largest that let the
whole bench finish in about ten minutes on two shared cores (the table says which).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


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
    priority_backlog=2000,
    priority_probes=20,
    campaign_recipients=2000,
    campaign_naive_recipients=500,
    sync_products=10_000,
    sync_naive_products=2000,
    images=6,
    report_orders=100_000,
    api_clients=8,
    api_seconds=5.0,
)

# The issue's sizes that FULL scales down, and why (measured on two shared cores).
ISSUE_SIZES = {
    "priority_backlog": (
        10_000,
        "The FIFO side drains the whole backlog at the ceiling's ~140 tasks/s: about 75 s "
        "per repetition at 10,000, three times, plus filling it six times.",
    ),
    "campaign_recipients": (
        20_000,
        "20,000 recipients: about 2 min per repetition of ours and 5.5 min of the naive "
        "way (~60 messages/s), three times each.",
    ),
    "sync_products": (
        50_000,
        "A trial at 50,000 took 32 s (ours) and 78 s (naive) per repetition: 5.5 min for "
        "the six. The naive loop runs at a fifth of ours' size; rates are per product.",
    ),
}


def scaled_down(field: str, used: int) -> tuple[str, list[str]]:
    """For a size below the issue's: a remark for the table's size column and a note saying why."""
    issue, why = ISSUE_SIZES[field]
    if used >= issue:
        return "", []
    return f" (issue: {issue:,})", [f"Scaled down from the issue's {issue:,} to fit about ten minutes. {why}"]


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

# `--issue-sizes`: FULL with the issue's sizes where FULL scales down (`make bench-issue-sizes`).
ISSUE = replace(FULL, **{field: size for field, (size, _) in ISSUE_SIZES.items()})


def sizes_for(*, quick: bool, issue_sizes: bool) -> Sizes:
    return QUICK if quick else ISSUE if issue_sizes else FULL

"""API: the public product list, with pictures, under gunicorn, against a bare Django JSON view.

Each product has one ready picture with its six renditions, as the shop serves it. Pages come
from the page cache (catalog/api_cache.py) while the catalog does not change, as in a shop
where shoppers read far more often than anything writes; the query count is a page built anew.

Both are served by the stack's gunicorn (deploy/gunicorn.conf.py, WEB_CONCURRENCY=2 with 4
threads each) to CLIENTS keep-alive clients for a fixed time; the bare view
(bench/urls.py, the bench's own URLconf) runs the same middleware and touches no database,
so it is the ceiling of a Django request here. The query count is read in this process
with Django's test client on the same database.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import cpu
from bench.catalog_data import bench_products, with_pictures
from bench.context import BenchContext
from bench.load import Request, http_load
from bench.measure import Row, ScenarioResult, percentile, repeat
from bench.urls import BARE_VIEW_PATH
from catalog.models import Product

PRODUCT_LIST = "/api/products/"
BARE_VIEW = "/" + BARE_VIEW_PATH
CATALOG_SIZE = 200
WARM_UP_SECONDS = 0.5
# The load generator is the bench process itself: its CPU is not the server's.
CPU_ROLES = ("web", "redis")


def _queries(path: str) -> int:
    # WhiteNoise warns when the (never collected) static folder is missing.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    with CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_HOST="127.0.0.1").get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    return len(captured)


def run(context: BenchContext) -> ScenarioResult:
    with_pictures(bench_products("api", CATALOG_SIZE, quantity=10))
    clients, seconds = context.sizes.api_clients, context.sizes.api_seconds

    def measured(path: str):
        queries = _queries(path)

        def once() -> dict[str, float]:
            samples, used = cpu.cpu_used(
                lambda: http_load(
                    settings.SITE_URL,
                    clients=clients,
                    duration=seconds,
                    request_for=lambda _: Request("GET", path),
                )
            )
            if any(sample.status != 200 for sample in samples):
                raise RuntimeError(f"GET {path}: not every answer was 200")
            elapsed = max(s.sent_at + s.seconds for s in samples) - min(s.sent_at for s in samples)
            return {
                "requests_per_s": len(samples) / elapsed,
                "p99": percentile([s.seconds for s in samples], 0.99),
                "queries": queries,
                **{f"cpu_{role}": 1000 * used.get(role, 0.0) / len(samples) for role in CPU_ROLES},
            }

        return once

    for path in (PRODUCT_LIST, BARE_VIEW):
        http_load(
            settings.SITE_URL,
            clients=clients,
            duration=WARM_UP_SECONDS,
            request_for=lambda _, path=path: Request("GET", path),
        )
    units = {"requests_per_s": "requests/s", "p99": "s", "queries": "queries",
             **{f"cpu_{role}": cpu.CPU_MS for role in CPU_ROLES}}  # fmt: skip
    ours, bare = repeat(measured(PRODUCT_LIST), measured(BARE_VIEW), units=units)
    return ScenarioResult(
        name="api",
        size=f"{clients} clients × {seconds:g} s, page of 24 with pictures from {Product.objects.filter(is_active=True).count():,} products",
        rows=[
            Row(
                "product list requests/s",
                ours["requests_per_s"],
                bare["requests_per_s"],
                "bare Django JSON view",
            ),
            Row(
                "product list latency p99",
                ours["p99"],
                bare["p99"],
                "bare Django JSON view",
                higher_is_better=False,
            ),
            *(
                Row(
                    f"{role} CPU per request",
                    ours[f"cpu_{role}"],
                    bare[f"cpu_{role}"],
                    "bare Django JSON view",
                    higher_is_better=False,
                )
                for role in CPU_ROLES
            ),
            Row(
                "SQL queries per product list page built anew (a cached page: 1)",
                ours["queries"],
                bare["queries"],
                "bare Django JSON view",
                higher_is_better=False,
            ),
        ],
        notes=[
            "The load generator runs on the same two cores as gunicorn. Anonymous requests (the "
            "catalog is public)."
        ],
    )

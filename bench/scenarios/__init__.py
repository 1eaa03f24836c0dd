"""The scenarios, in the order the bench runs them. Each module `bench.scenarios.<name>` has
`run(context) -> ScenarioResult`; modules are imported only once Django is set up."""

from __future__ import annotations

import importlib
from types import ModuleType

SCENARIO_NAMES = ("ceiling", "orders", "priority", "campaign", "sync", "images", "report", "api", "scale_out")
# Left out of `--quick` (the smoke test `make test` runs) unless named with --only: it builds
# network namespaces as root and starts the hosts six times, minutes rather than seconds.
FULL_RUN_ONLY = ("scale_out",)


def scenario_module(name: str) -> ModuleType:
    return importlib.import_module(f"bench.scenarios.{name}")

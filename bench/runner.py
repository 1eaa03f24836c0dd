"""The scenarios, run inside the bench stack's environment (started by `python -m bench`)."""

from __future__ import annotations

import os
import sys
import time

import django

# Seconds a scenario waits for the machine to go quiet after the one before (bench.cpu.quiet_wait);
# the smoke test (--quick) does not wait.
QUIET_PATIENCE = 60


def main() -> int:
    # The stack's processes log at INFO; this one only measures, and its table is the output.
    os.environ["LOG_LEVEL"] = "WARNING"
    django.setup()
    from . import cpu, results
    from .cli import arguments
    from .context import BenchContext
    from .scenarios import FULL_RUN_ONLY, SCENARIO_NAMES, scenario_module
    from .sizes import sizes_for

    options = arguments()
    context = BenchContext(sizes=sizes_for(quick=options.quick, issue_sizes=options.issue_sizes))
    started = time.perf_counter()
    for name in SCENARIO_NAMES:
        if options.only and name not in options.only:
            continue
        if options.quick and name in FULL_RUN_ONLY and not options.only:
            continue
        waited = cpu.quiet_wait(patience=0 if options.quick else QUIET_PATIENCE)
        print(f"bench: {name} … (the machine was quiet after {waited:.1f} s)", flush=True)
        scenario_started = time.perf_counter()
        result = scenario_module(name).run(context)
        result.seconds = time.perf_counter() - scenario_started
        context.results[name] = result
        print(f"bench: {name} done in {result.seconds:.0f} s", flush=True)
    scenarios = list(context.results.values())
    path = results.write(
        scenarios,
        directory=options.output,
        command=" ".join(["python -m bench", *sys.argv[1:]]),
        quick=options.quick,
        seconds=time.perf_counter() - started,
    )
    print(results.table(scenarios))
    print(f"\nbench: wrote {path} and {path.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

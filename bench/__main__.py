"""`python -m bench [--quick] [--only SCENARIO ...]`: the shop against the naive way and
Celery's ceiling, in one run, on a stack of its own (bench/stack.py).

This process only starts and stops the stack. The scenarios run in a child process
(bench/runner.py) whose environment is the stack's, so every setting it reads (database,
Redis, mail, supplier) is the bench's own from the first import on, never the developer's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .cli import arguments
from .sizes import sizes_for
from .stack import bench_stack


def main() -> int:
    options = arguments()
    sizes = sizes_for(quick=options.quick, issue_sizes=options.issue_sizes)
    directory = Path(tempfile.mkdtemp(prefix="greengrocer-bench-"))
    stack = bench_stack(directory, supplier_size=sizes.sync_products)
    print(f"bench: starting its own stack in {directory} …", flush=True)
    returncode = 1
    try:
        stack.start(seed=())
        returncode = subprocess.run(
            [sys.executable, "-m", "bench.runner", *sys.argv[1:]], env=stack.env, check=False
        ).returncode
    finally:
        if returncode:
            for name in stack.running:
                print(f"--- {name} log (tail) ---\n{stack.log_tail(name)}", file=sys.stderr)
        stack.stop()
    if returncode:
        print(f"bench: failed; logs and data kept in {directory}", file=sys.stderr)
    else:
        shutil.rmtree(directory, ignore_errors=True)
    return returncode


if __name__ == "__main__":
    sys.exit(main())

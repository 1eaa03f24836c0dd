"""`honcho start` for scripts/run.sh: in a session of its own, with time for a soft shutdown.

    python deploy/procfile_start.py -f Procfile web worker-fast ...   (honcho start's arguments)

run.sh starts two of these, the infrastructure (Redis, the mail sink, the supplier stub) and
the app, and stops the app first, so a worker's cold shutdown can still put its unfinished
messages back in Redis. honcho itself would SIGTERM every process at once on Ctrl-C, so
its Ctrl-C must not come from the terminal: `os.setsid()` takes it out of the terminal's
process group (run.sh starts it in the background, so it never leads a group already).

honcho SIGKILLs what still runs `KILL_WAIT` seconds after the first of its processes exits
(5 s in honcho 2.0). A worker stopping needs its soft shutdown (20 s) plus up to 20 s for a
threads task's last network call, as compose's `stop_grace_period` allows it.
"""

from __future__ import annotations

import os
import sys

import honcho.command
import honcho.manager

WORKER_STOP_SECONDS = 40  # compose.yaml's stop_grace_period for the workers


def main() -> None:
    os.setsid()
    honcho.manager.KILL_WAIT = WORKER_STOP_SECONDS
    honcho.command.main(["start", *sys.argv[1:]])


if __name__ == "__main__":
    main()

"""A web process's first requests, side by side, each find the steps they name: the task
declarations load once, and a second thread waits for them instead of finding none."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.harness.processes import stack_env

FIRST_REQUESTS = textwrap.dedent(
    """
    import threading
    import django
    django.setup()
    from shop.platform.jobs.steps import step

    start, errors = threading.Barrier(8), []

    def first_request():
        start.wait()
        try:
            step("orders.charge_payment", order_id=1)
        except LookupError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(len(errors), "lookups failed")
    """
)


def test_threads_of_a_fresh_web_process_all_find_their_steps():
    for _ in range(3):  # a fresh process each time: the race is at the first lookups only
        ran = subprocess.run([sys.executable, "-c", FIRST_REQUESTS], env=stack_env(), capture_output=True,
                             text=True, timeout=120)  # fmt: skip
        assert ran.returncode == 0, ran.stderr[-2000:]
        assert ran.stdout.strip().endswith("0 lookups failed"), ran.stdout

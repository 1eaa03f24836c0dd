"""`python -m bench.soak [--minutes 10]`: mixed traffic at a steady rate against a stack of
its own, with every process's memory sampled; not part of CI (`make soak`).

The whole Procfile stack runs (tests/harness/stack.py over a throwaway folder, beat
included, so the sweepers do their rounds as in production, DEBUG off). Each second the
soak browses (a page of products, a product, the categories); every CHECKOUT_EVERY seconds a
shopper checks out; every UPLOAD_EVERY seconds staff upload a picture and every
REPORT_EVERY seconds request a sales report. Every SAMPLE_EVERY seconds it reads the
resident memory (RSS, /proc) of each process with its children (gunicorn's and prefork
workers' pool processes).

It fails if a request got a 5xx or failed outright, if a process's memory grew by more
than GROWTH_BOUND_MB and GROWTH_BOUND_FRACTION of its size after the warm-up (the
bound is the larger of the two), or if any Job is unfinished JOBS_SETTLE_SECONDS after
the traffic stops.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from PIL import Image, ImageDraw

from tests.harness.stack import Stack

BROWSES_PER_SECOND = 3
CHECKOUT_EVERY = 5
UPLOAD_EVERY = 90
REPORT_EVERY = 150
SAMPLE_EVERY = 10
WARM_UP_FRACTION = 0.25
WARM_UP_AT_MOST = 60
GROWTH_BOUND_MB = 40
GROWTH_BOUND_FRACTION = 0.25
JOBS_SETTLE_SECONDS = 240
SHOPPERS = 8
CARD_SUCCEEDS = "4242424242424242"
# The demo seed's staff login (shop/demo.py).
STAFF = {"username": "staff", "password": "greengrocer-staff"}
# Run by `manage.py shell` in the stack's environment: unfinished Jobs by status, as JSON.
UNFINISHED_JOBS = """
import json
from django.db.models import Count
from shop.platform.jobs.models import Job
unfinished = Job.objects.exclude(status__in=Job.FINISHED).values_list("status").annotate(n=Count("id"))
print(json.dumps(dict(unfinished.order_by())))
"""


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="how long the traffic runs (default 10)")
    return parser.parse_args(argv)


# --- Memory --------------------------------------------------------------------------------


def _parents() -> dict[int, int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces: the parent id follows its ")".
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return parents


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pids: dict[str, int]) -> dict[str, float]:
    """Resident memory of each named process and all its descendants, in MB."""
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    sizes = {}
    for name, root in pids.items():
        tree, stack = [], [root]
        while stack:
            pid = stack.pop()
            tree.append(pid)
            stack.extend(children.get(pid, []))
        sizes[name] = sum(_rss_kb(pid) for pid in tree) / 1024
    return sizes


# --- Traffic -------------------------------------------------------------------------------


@dataclass
class Traffic:
    """Sends the mix and counts each kind's answers."""

    base_url: str
    staff: requests.Session
    shoppers: list[requests.Session]
    product_ids: list[int]
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, kind: str, session: requests.Session, method: str, path: str, **kwargs) -> None:
        try:
            status = session.request(method, f"{self.base_url}{path}", timeout=60, **kwargs).status_code
        except requests.RequestException as exc:
            status = 0
            with self.lock:
                self.failures.append(f"{kind} {method} {path}: {exc}")
        with self.lock:
            self.answers[(kind, status)] += 1

    def browse(self, n: int) -> None:
        shopper = self.shoppers[n % len(self.shoppers)]
        self.send("browse", shopper, "GET", f"/api/products/?page={1 + n % 3}&page_size=20")
        self.send("browse", shopper, "GET", f"/api/products/{self.product_ids[n % len(self.product_ids)]}/")
        self.send("browse", shopper, "GET", "/api/categories/")

    def checkout(self, n: int) -> None:
        lines = [
            {"product": self.product_ids[(n + i) % len(self.product_ids)], "quantity": 1} for i in range(2)
        ]
        self.send("checkout", self.shoppers[n % len(self.shoppers)], "POST", "/api/orders/",
                  json={"lines": lines, "card_number": CARD_SUCCEEDS},
                  headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip

    def upload(self, n: int) -> None:
        product = self.product_ids[n % len(self.product_ids)]
        self.send("upload", self.staff, "POST", f"/api/products/{product}/images/",
                  files={"image": (f"soak-{n}.jpg", _picture(n), "image/jpeg")})  # fmt: skip

    def report(self, n: int) -> None:
        self.send("report", self.staff, "POST", "/api/reports/", json={"kind": ("daily", "weekly")[n % 2]})


def _picture(n: int) -> bytes:
    image = Image.new("RGB", (1600, 1200), (40 + n * 37 % 200, 120, 60))
    ImageDraw.Draw(image).ellipse((300, 200, 1300, 1000), fill=(230, 180 - n * 13 % 120, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _sessions(base_url: str) -> tuple[requests.Session, list[requests.Session]]:
    staff = requests.Session()
    token = staff.post(f"{base_url}/api/auth/token/", json=STAFF, timeout=30)
    token.raise_for_status()
    staff.headers["Authorization"] = f"Token {token.json()['token']}"
    shoppers = []
    for _ in range(SHOPPERS):
        name = f"soak-{uuid.uuid4().hex[:8]}"
        account = requests.post(f"{base_url}/api/auth/register/", timeout=30, json={
            "username": name, "email": f"{name}@example.test", "password": uuid.uuid4().hex})  # fmt: skip
        account.raise_for_status()
        shopper = requests.Session()
        shopper.headers["Authorization"] = f"Token {account.json()['token']}"
        shoppers.append(shopper)
    return staff, shoppers


def _in_stock(base_url: str, session: requests.Session) -> list[int]:
    products = session.get(f"{base_url}/api/products/?page_size=100&ordering=-stock", timeout=30).json()
    return [p["id"] for p in products["results"] if p["stock"] >= 50]


# --- The run -------------------------------------------------------------------------------


@dataclass
class Soak:
    stack: Stack
    seconds: float
    samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)

    def run(self) -> Traffic:
        staff, shoppers = _sessions(self.stack.url)
        traffic = Traffic(self.stack.url, staff, shoppers, _in_stock(self.stack.url, staff))
        pids = {name: process.pid for name, process in self.stack.running.items()}
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            for second in itertools.count():
                if second >= self.seconds:
                    break
                if second % SAMPLE_EVERY == 0:
                    self.samples.append((second, tree_rss_mb(pids)))
                pool.submit(traffic.browse, second)
                if second % CHECKOUT_EVERY == 0:
                    pool.submit(traffic.checkout, second)
                # Offset from 0 so that even a one-minute run uploads and reports once.
                if second % UPLOAD_EVERY == 20:
                    pool.submit(traffic.upload, second)
                if second % REPORT_EVERY == 30:
                    pool.submit(traffic.report, second)
                time.sleep(max(0.0, started + second + 1 - time.monotonic()))
        self.samples.append((self.seconds, tree_rss_mb(pids)))
        return traffic

    def growth(self) -> dict[str, tuple[float, float, float]]:
        """Per process: (MB after the warm-up, MB at the end, the bound on its growth)."""
        warm_up = min(WARM_UP_AT_MOST, self.seconds * WARM_UP_FRACTION)
        baseline = next(sizes for second, sizes in self.samples if second >= warm_up)
        final = self.samples[-1][1]
        return {
            name: (baseline[name], final[name], max(GROWTH_BOUND_MB, GROWTH_BOUND_FRACTION * baseline[name]))
            for name in baseline
        }

    def unfinished_jobs(self) -> dict[str, int]:
        """Wait until every Job is finished (beat's sweepers included) or the time is up."""
        deadline = time.monotonic() + JOBS_SETTLE_SECONDS
        while True:
            unfinished = json.loads(
                self.stack.manage("shell", "-c", UNFINISHED_JOBS).strip().splitlines()[-1]
            )
            if not unfinished or time.monotonic() > deadline:
                return unfinished
            time.sleep(5)


def report(soak: Soak, traffic: Traffic, unfinished: dict[str, int]) -> list[str]:
    """Print the figures; return what failed."""
    problems = list(traffic.failures[:5])
    print(f"\nsoak: {soak.seconds / 60:g} min of traffic")
    for kind in ("browse", "checkout", "upload", "report"):
        statuses = {status: n for (k, status), n in sorted(traffic.answers.items()) if k == kind}
        print(f"  {kind:<9} {sum(statuses.values()):>6} requests  {statuses}")
        problems += [f"{kind}: {n} × {status}" for status, n in statuses.items() if status >= 500]
    warm_up = min(WARM_UP_AT_MOST, soak.seconds * WARM_UP_FRACTION)
    print(f"  memory (RSS with children), after the {warm_up:.0f} s warm-up → end; bound: "
          f"+{GROWTH_BOUND_MB} MB or +{GROWTH_BOUND_FRACTION:.0%}, whichever is larger")  # fmt: skip
    for name, (before, after, bound) in soak.growth().items():
        verdict = "ok" if after - before <= bound else "TOO MUCH"
        print(
            f"    {name:<12} {before:7.1f} → {after:7.1f} MB  ({after - before:+6.1f}, bound +{bound:.0f})  {verdict}"
        )
        if verdict != "ok":
            problems.append(f"{name} grew {after - before:.1f} MB (bound {bound:.0f})")
    print(f"  Jobs unfinished {JOBS_SETTLE_SECONDS} s after the traffic at most: {unfinished or 'none'}")
    if unfinished:
        problems.append(f"Jobs left unfinished: {unfinished}")
    return problems


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    directory = Path(tempfile.mkdtemp(prefix="greengrocer-soak-"))
    stack = Stack(directory)
    stack.env.update(DEBUG="false")  # as deployed: no per-query bookkeeping to mistake for a leak
    print(f"soak: starting its own stack in {directory} …", flush=True)
    problems = ["did not run"]
    try:
        stack.start()
        soak = Soak(stack, options.minutes * 60)
        traffic = soak.run()
        problems = report(soak, traffic, soak.unfinished_jobs())
    finally:
        stack.stop()
    if problems:
        print(
            "soak: FAILED — " + "; ".join(problems) + f"\n  logs and data kept in {directory}",
            file=sys.stderr,
        )
        return 1
    shutil.rmtree(directory, ignore_errors=True)
    print("soak: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Container healthchecks for compose.yaml: `python deploy/healthcheck.py KIND [ARGS]`.

Exit 0 when healthy, 1 otherwise (with the reason on stderr), as Docker expects.
    http URL           the URL answers 2xx (web: /healthz checks database, broker, workers)
    flower             Flower's /healthcheck under $FLOWER_URL_PREFIX on $FLOWER_PORT
    tcp HOST:PORT      something accepts connections (SMTP sink, supplier stub)
    beat [--within=S]  beat wrote a periodic task's last run within S seconds
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import urllib.request
from datetime import timedelta


def http_ok(url: str) -> None:
    with urllib.request.urlopen(url, timeout=5) as response:
        if not 200 <= response.status < 300:
            raise RuntimeError(f"{url} answered {response.status}")


def flower_ok() -> None:
    prefix = os.environ.get("FLOWER_URL_PREFIX", "").strip("/")
    path = f"/{prefix}/healthcheck" if prefix else "/healthcheck"
    http_ok(f"http://127.0.0.1:{os.environ.get('FLOWER_PORT', '5555')}{path}")


def tcp_ok(address: str) -> None:
    host, port = address.rsplit(":", 1)
    socket.create_connection((host, int(port)), timeout=5).close()


def beat_ok(within_seconds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import django

    django.setup()
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    since = timezone.now() - timedelta(seconds=within_seconds)
    if not PeriodicTask.objects.filter(enabled=True, last_run_at__gte=since).exists():
        raise RuntimeError(f"no periodic task has run in the last {within_seconds}s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    kinds = parser.add_subparsers(dest="kind", required=True)
    kinds.add_parser("http").add_argument("url")
    kinds.add_parser("flower")
    kinds.add_parser("tcp").add_argument("address")
    kinds.add_parser("beat").add_argument("--within", type=int, default=300)
    args = parser.parse_args(argv)
    checks = {
        "http": lambda: http_ok(args.url),
        "flower": flower_ok,
        "tcp": lambda: tcp_ok(args.address),
        "beat": lambda: beat_ok(args.within),
    }
    try:
        checks[args.kind]()
    except Exception as exc:
        print(f"unhealthy: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

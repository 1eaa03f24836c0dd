"""Reading a running stack's Prometheus, Alertmanager and alert mails (tests/e2e)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import requests

from .stack import Stack

# The stack's scrape jobs and how many targets each has.
SCRAPE_JOBS = {"shop": 1, "celery-workers": 4, "flower": 1}


def query(stack: Stack, promql: str) -> list[dict]:
    response = requests.get(f"{stack.prometheus_url}/api/v1/query", params={"query": promql}, timeout=10)
    response.raise_for_status()
    return response.json()["data"]["result"]


def alerts(stack: Stack) -> list[dict]:
    """Prometheus's pending and firing alerts."""
    response = requests.get(f"{stack.prometheus_url}/api/v1/alerts", timeout=10)
    response.raise_for_status()
    return response.json()["data"]["alerts"]


def firing(stack: Stack, alertname: str) -> list[dict]:
    """The labels of `alertname`'s firing alerts, in Prometheus and also in Alertmanager."""
    in_prometheus = [a["labels"] for a in alerts(stack)
                     if a["labels"]["alertname"] == alertname and a["state"] == "firing"]  # fmt: skip
    response = requests.get(f"{stack.alertmanager_url}/api/v2/alerts", params={"active": "true"}, timeout=10)
    response.raise_for_status()
    in_alertmanager = [a["labels"] for a in response.json() if a["labels"]["alertname"] == alertname]
    return in_prometheus if in_prometheus and in_alertmanager else []


def alert_mails(stack: Stack, *, since_ns: int) -> list[email.message.EmailMessage]:
    """Alertmanager's mails in the sink received after `since_ns` (file names start with
    the receive time in nanoseconds: devservers/smtp_sink.py)."""
    folder = Path(stack.env["MAIL_SINK_DIR"])
    paths = [p for p in sorted(folder.glob("*.eml")) if int(p.name.split("-")[0].split(".")[0]) > since_ns]
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]
    return [m for m in messages if "alerts@greengrocer.test" in str(m["From"])]


def firing_mail(stack: Stack, alertname: str, *, since_ns: int) -> email.message.EmailMessage | None:
    mails = [m for m in alert_mails(stack, since_ns=since_ns)
             if "FIRING" in m["Subject"] and alertname in m["Subject"]]  # fmt: skip
    return mails[0] if mails else None


def every_target_up(stack: Stack) -> bool:
    response = requests.get(f"{stack.prometheus_url}/api/v1/targets", timeout=10)
    targets = response.json()["data"]["activeTargets"]
    healthy: dict[str, int] = {}
    for target in targets:
        if target["health"] == "up":
            healthy[target["labels"]["job"]] = healthy.get(target["labels"]["job"], 0) + 1
    return healthy == SCRAPE_JOBS

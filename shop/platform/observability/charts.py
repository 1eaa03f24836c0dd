"""The staff console's charts, read from Prometheus's HTTP API on the server.

Only the named queries below are ever sent: the browser picks a chart by name, never
writes PromQL, and never talks to Prometheus itself. Prometheus being down or slow is an
answer too (`PrometheusUnavailable`), which the console shows as "charts unavailable".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from django.conf import settings

WINDOW_SECONDS = 3600
POINTS = 240  # one point per 15 s over the hour
TIMEOUT_SECONDS = 3


class PrometheusUnavailable(Exception):
    """Prometheus did not answer, or answered with an error."""


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    unit: str
    promql: str
    legend: tuple[str, ...]  # the labels that name a series


CHARTS = (
    Chart("queue_depth", "Messages waiting, by queue and priority", "messages",
          "sum by (queue, priority) (greengrocer_queue_messages)", ("queue", "priority")),
    Chart("tasks_per_second", "Tasks started per second, by queue", "tasks/s",
          "sum by (queue) (rate(greengrocer_celery_tasks_started_total[1m]))", ("queue",)),
    Chart("queue_wait_p95", "Queue wait, 95th percentile, by queue", "seconds",
          "histogram_quantile(0.95, sum by (queue, le) (rate(greengrocer_celery_task_queue_wait_seconds_bucket[5m])))",
          ("queue",)),
    Chart("workflow_outcomes", "Workflows by kind and outcome", "workflows",
          "sum by (kind, status) (greengrocer_workflows)", ("kind", "status")),
)  # fmt: skip


def _get(path: str, params: dict | None = None) -> dict:
    try:
        response = requests.get(f"{settings.PROMETHEUS_URL}{path}", params=params, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise PrometheusUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if body.get("status") != "success":
        raise PrometheusUnavailable(body.get("error", "Prometheus answered with an error"))
    return body["data"]


def chart_series(*, now: float | None = None) -> list[dict]:
    """Every chart over the last hour; series that stayed at zero are left out."""
    end = now if now is not None else time.time()
    params = {"start": end - WINDOW_SECONDS, "end": end, "step": WINDOW_SECONDS // POINTS}
    charts = []
    for chart in CHARTS:
        result = _get("/api/v1/query_range", {**params, "query": chart.promql})["result"]
        series = []
        for item in result:
            points = [[float(t), float(v)] for t, v in item["values"] if v not in ("NaN", "+Inf", "-Inf")]
            if any(value for _, value in points):
                label = " · ".join(item["metric"].get(name, "?") for name in chart.legend)
                series.append({"label": label, "points": points})
        series.sort(key=lambda s: s["label"])
        charts.append({"name": chart.name, "title": chart.title, "unit": chart.unit, "series": series})
    return charts


def active_alerts() -> list[dict]:
    """Alerts Prometheus has firing (or pending: about to fire), most urgent first."""
    alerts = [
        {
            "name": alert["labels"].get("alertname", "?"),
            "state": alert["state"],
            "severity": alert["labels"].get("severity", ""),
            "summary": alert.get("annotations", {}).get("summary", ""),
            "since": alert.get("activeAt", ""),
        }
        for alert in _get("/api/v1/alerts")["alerts"]
    ]
    return sorted(alerts, key=lambda a: (a["state"] != "firing", a["name"]))

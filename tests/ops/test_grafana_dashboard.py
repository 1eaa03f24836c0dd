"""deploy/grafana/greengrocer.json: every expression (and every staff-console chart and alert rule) names
only metrics the shop really exports, read from a real /metrics scrape."""

from __future__ import annotations

import json
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from shop.platform.observability.charts import CHARTS
from tests.harness.processes import ROOT

DASHBOARD = ROOT / "deploy" / "grafana" / "greengrocer.json"
METRIC_NAME = re.compile(r"\b(greengrocer_[a-z0-9_]+)")
# Series Prometheus makes itself: scrape health and the alerts it evaluates.
PROMETHEUS_OWN = {"up", "ALERTS"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exported_names(text: str) -> set[str]:
    """Every series name a scrape can hold, samples or not (a labelled counter that has not
    counted yet still has its HELP and TYPE lines)."""
    names = set()
    for family in text_string_to_metric_families(text):
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
        names |= {sample.name for sample in family.samples}
    return names


def dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


@pytest.fixture
def scraped(client, settings) -> set[str]:
    settings.METRICS_TOKEN = "dashboard-test-token"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer dashboard-test-token")
    assert response.status_code == 200
    return exported_names(response.content.decode())


@pytest.mark.django_db
def test_every_dashboard_expression_names_metrics_the_shop_exports(scraped):
    expressions = dashboard_expressions()
    assert len(expressions) >= 20
    for expression in expressions:
        named = set(METRIC_NAME.findall(expression))
        assert named or PROMETHEUS_OWN & set(re.findall(r"\b(\w+)\{", expression)), expression
        assert named <= scraped, f"{expression}: {named - scraped} is not exported"


@pytest.mark.django_db
def test_every_staff_console_chart_names_metrics_the_shop_exports(scraped):
    for chart in CHARTS:
        named = set(METRIC_NAME.findall(chart.promql))
        assert named and named <= scraped, chart.name


def test_the_checker_would_catch_a_misspelt_metric():
    assert "greengrocer_queue_mesages" not in exported_names(
        "# HELP greengrocer_queue_messages x\n# TYPE greengrocer_queue_messages gauge\n"
        'greengrocer_queue_messages{queue="orders"} 1\n'
    )


@pytest.mark.django_db
def test_every_alert_rule_names_metrics_the_shop_exports(scraped):
    import yaml

    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules.yml").read_text())["groups"][0]["rules"]
    for rule in rules:
        named = set(METRIC_NAME.findall(rule["expr"]))
        assert named <= scraped, f"{rule['alert']}: {named - scraped} is not exported"

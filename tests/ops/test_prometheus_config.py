"""deploy/prometheus: the rendered configuration is valid, and the alert rules do what their
unit tests (deploy/prometheus/tests/rules_test.yml) say, checked by Prometheus's own tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.processes import ROOT

DEPLOY = ROOT / "deploy" / "prometheus"
sys.path.insert(0, str(DEPLOY))
import launch  # noqa: E402

pytestmark = pytest.mark.skipif(
    not shutil.which("promtool"), reason="promtool (Debian's prometheus package) is not installed"
)


def run(*command: str, cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def rendered(tmp_path) -> Path:
    """The configuration with its production defaults, the rule tests beside it."""
    launch.render_all(tmp_path, launch.settings({}))
    shutil.copy(DEPLOY / "tests" / "rules_test.yml", tmp_path)
    return tmp_path


def test_the_rendered_prometheus_configuration_and_rules_are_valid(rendered):
    assert "SUCCESS" in run("promtool", "check", "config", "prometheus.yml", cwd=rendered)
    assert "7 rules found" in run("promtool", "check", "rules", "rules.yml", cwd=rendered)


def test_each_alert_fires_when_it_should_and_stays_quiet_otherwise(rendered):
    assert "SUCCESS" in run("promtool", "test", "rules", "rules_test.yml", cwd=rendered)


def test_the_rendered_alertmanager_configuration_is_valid(rendered):
    run(shutil.which("amtool") or "amtool", "check-config", "alertmanager.yml", cwd=rendered)


def test_ports_and_durations_come_from_the_environment(tmp_path):
    values = launch.settings({"WEB_PORT": "8123", "WORKER_FAST_METRICS_PORT": "9999", "ALERT_FOR": "3s",
                              "ALERT_WORKFLOW_FAILURE_WINDOW": "30s", "ALERT_BEAT_SILENT_AFTER": "30"})  # fmt: skip
    launch.render_all(tmp_path, values)
    assert '"127.0.0.1:8123"' in (tmp_path / "prometheus.yml").read_text()
    assert '"127.0.0.1:9999"' in (tmp_path / "prometheus.yml").read_text()
    rules = (tmp_path / "rules.yml").read_text()
    assert "for: 3s" in rules
    assert '{status="failed"}[30s]' in rules and "greengrocer_beat_last_run_age_seconds > 30" in rules
    # Unset, the production thresholds stay.
    assert "greengrocer_outbox_oldest_age_seconds > 300" in rules


def test_a_placeholder_without_a_value_is_an_error_not_an_empty_string(tmp_path):
    template = tmp_path / "template.yml"
    template.write_text("target: ${NOT_A_SETTING}\n")
    with pytest.raises(KeyError, match="NOT_A_SETTING"):
        launch.render(template, launch.settings({}))

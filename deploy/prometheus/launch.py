"""Render Greengrocer's Prometheus and Alertmanager configuration, then run one of them.

    python deploy/prometheus/launch.py prometheus     # the Procfile's prometheus line
    python deploy/prometheus/launch.py alertmanager   # the Procfile's alertmanager line
    python deploy/prometheus/launch.py render OUT     # only write the files (compose.yaml)

Neither program reads environment variables in its configuration, and the stack's ports
are variables (scripts/stack_env.sh; the tests run stacks on free ports), so the files in
this folder are templates: each `${NAME}` is filled from the environment, with the same
defaults as stack_env.sh. A name missing from both is an error, never an empty value. The
result goes to $VAR_DIR/prometheus and $VAR_DIR/alertmanager, beside their data.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")
WORKER_NODES = ("fast", "mail", "bulk", "io")


def settings(env: dict[str, str]) -> dict[str, str]:
    """The values the templates use: the environment's, else the local defaults."""
    port = {
        "WEB": env.get("WEB_PORT", "8000"),
        "FLOWER": env.get("FLOWER_PORT", "5555"),
        "SMTP": env.get("EMAIL_PORT", env.get("SMTP_PORT", "1025")),
        "PROMETHEUS": env.get("PROMETHEUS_PORT", "9190"),
        "ALERTMANAGER": env.get("ALERTMANAGER_PORT", "9193"),
    }
    flower_user, _, flower_password = env.get("FLOWER_BASIC_AUTH", "flower:greengrocer-flower").partition(":")
    values = {
        "PROMETHEUS_SCRAPE_INTERVAL": "15s",
        "PROMETHEUS_EVALUATION_INTERVAL": "15s",
        "PROMETHEUS_SCRAPE_TIMEOUT": "10s",
        "PROMETHEUS_RETENTION": "15d",
        "ALERT_WORKER_DOWN_FOR": "1m",
        "ALERT_FOR": "5m",
        "ALERT_WORKFLOW_FAILURE_WINDOW": "15m",
        "ALERT_OUTBOX_STUCK_AFTER": "300",  # seconds
        "ALERT_BEAT_SILENT_AFTER": "900",  # seconds
        "ALERT_GROUP_WAIT": "30s",
        "ALERT_GROUP_INTERVAL": "5m",
        "ALERTS_EMAIL_TO": "staff@greengrocer.test",
        "ALERTS_EMAIL_FROM": "Greengrocer alerts <alerts@greengrocer.test>",
        "ALERTS_SMTP_TARGET": f"{env.get('EMAIL_HOST', '127.0.0.1')}:{port['SMTP']}",
        "ALERTS_SMTP_REQUIRE_TLS": "false",
        "METRICS_TOKEN": "local-metrics-token",
        "FLOWER_USER": flower_user,
        "FLOWER_PASSWORD": flower_password,
        "WEB_TARGET": f"127.0.0.1:{port['WEB']}",
        "FLOWER_TARGET": f"127.0.0.1:{port['FLOWER']}",
        "ALERTMANAGER_TARGET": f"127.0.0.1:{port['ALERTMANAGER']}",
        "PROMETHEUS_LISTEN": f"127.0.0.1:{port['PROMETHEUS']}",
        "ALERTMANAGER_LISTEN": f"127.0.0.1:{port['ALERTMANAGER']}",
    }
    for node in WORKER_NODES:
        metrics_port = env.get(f"WORKER_{node.upper()}_METRICS_PORT", str(9201 + WORKER_NODES.index(node)))
        values[f"WORKER_{node.upper()}_TARGET"] = f"127.0.0.1:{metrics_port}"
    values.update({name: env[name] for name in values if env.get(name)})
    return values


def render(template: Path, values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise KeyError(f"{template.name}: no value for ${{{match.group(1)}}}")
        return values[match.group(1)]

    return PLACEHOLDER.sub(fill, template.read_text())


def render_all(out: Path, values: dict[str, str], *, mode: int = 0o600) -> Path:
    """Writes the three files; only their owner reads them by default (they hold the
    metrics token and Flower's password)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("prometheus.yml", "rules.yml", "alertmanager.yml"):
        target = out / name
        target.write_text(render(HERE / name, values))
        target.chmod(mode)
    return out


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    values = settings(env)
    var = Path(env.get("VAR_DIR", ROOT / "var"))
    if argv[:1] == ["render"] and len(argv) == 2:
        # compose.yaml: a volume mounted only into the Prometheus and Alertmanager
        # containers, whose images run as another user than the shop's.
        render_all(Path(argv[1]), values, mode=0o644)
        return 0
    if argv == ["prometheus"]:
        folder = render_all(var / "prometheus", values)
        command = [
            shutil.which("prometheus") or "prometheus",
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--storage.tsdb.retention.time={values['PROMETHEUS_RETENTION']}",
            f"--web.listen-address={values['PROMETHEUS_LISTEN']}",
            "--log.level=warn",  # its start-up chatter would drown the stack's own logs
        ]
    elif argv == ["alertmanager"]:
        folder = render_all(var / "alertmanager", values)
        command = [
            shutil.which("prometheus-alertmanager") or shutil.which("alertmanager") or "alertmanager",
            f"--config.file={folder / 'alertmanager.yml'}",
            f"--storage.path={folder / 'data'}",
            f"--web.listen-address={values['ALERTMANAGER_LISTEN']}",
            "--cluster.listen-address=",  # one Alertmanager: no HA gossip port to collide
            "--log.level=warn",
        ]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

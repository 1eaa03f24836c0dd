"""compose.yaml is a valid Compose file and runs exactly what the Procfile runs.

Docker is not needed: check-jsonschema validates the file against the compose-spec JSON
schema it ships (vendor.compose-spec), and the rest compares the parsed file with the
Procfile and shop.celery's queue table.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from shop.celery import QUEUE_NAMES, TASK_ROUTES, WORKER_ROLES, app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
ONE_SHOT_SERVICES = {"setup", "observability-config"}
# Their images have no Python: they read what launch.py rendered in observability-config.
PROMETHEUS_IMAGES = {"prometheus": "prom/prometheus", "alertmanager": "prom/alertmanager"}


def compose_validation(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = shlex.split(command)
    return processes


def worker_queues(command: list[str]) -> set[str]:
    (queues,) = [arg.split("=", 1)[1] for arg in command if arg.startswith("--queues=")]
    return set(queues.split(","))


def workers_of(services: dict) -> dict[str, list[str]]:
    return {
        name: service["command"]
        for name, service in services.items()
        if service.get("command", [])[:4] == ["celery", "-A", "shop", "worker"]
    }


def test_compose_file_is_valid_against_the_compose_spec_schema():
    result = compose_validation(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_rejects_a_malformed_compose_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE_FILE.read_text().replace("stop_grace_period:", "stop_grace_periode:"))
    result = compose_validation(broken)
    assert result.returncode != 0
    assert "stop_grace_periode" in result.stdout + result.stderr


def test_every_procfile_process_is_a_service_with_the_same_command(compose, procfile):
    services = compose["services"]
    assert set(procfile) <= set(services), f"missing from compose: {set(procfile) - set(services)}"
    for name, command in procfile.items():
        if name in PROMETHEUS_IMAGES:
            assert command[:2] == ["python", "deploy/prometheus/launch.py"], name
            assert services[name]["image"].startswith(PROMETHEUS_IMAGES[name] + ":"), name
            assert "observability-config:/etc/greengrocer:ro" in services[name]["volumes"], name
        elif name != "redis":  # In a container Redis differs in paths only (see the next test).
            assert services[name]["command"] == command, name
    assert {"postgres", "setup"} <= set(services)


def test_redis_runs_deploy_redis_conf_durably(compose):
    redis = compose["services"]["redis"]
    assert redis["configs"][0]["target"] in redis["command"]
    assert compose["configs"][redis["configs"][0]["source"]]["file"] == "deploy/redis.conf"
    conf = (ROOT / "deploy/redis.conf").read_text()
    assert re.search(r"^appendonly yes$", conf, re.M)
    assert re.search(r"^maxmemory-policy noeviction$", conf, re.M)


def test_compose_workers_consume_every_routed_queue_as_the_procfile_does(compose, procfile):
    compose_workers = {name: worker_queues(c) for name, c in workers_of(compose["services"]).items()}
    procfile_services = {name: {"command": command} for name, command in procfile.items()}
    procfile_workers = {name: worker_queues(c) for name, c in workers_of(procfile_services).items()}
    consumed = set().union(*compose_workers.values())
    routed = {route["queue"] for route in TASK_ROUTES.values()} | {app.conf.task_default_queue}

    assert compose_workers == procfile_workers
    assert compose_workers == {name: set(role.queues) for name, role in WORKER_ROLES.items()}
    assert routed <= consumed
    assert set(QUEUE_NAMES) == consumed


def test_every_long_running_service_has_a_healthcheck_and_workers_ping_their_own_node(compose):
    services = compose["services"]
    for name, service in services.items():
        if name in ONE_SHOT_SERVICES:
            assert service["restart"] == "no"
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for name, command in workers_of(services).items():
        (hostname,) = [arg.split("=", 1)[1] for arg in command if arg.startswith("--hostname=")]
        node = hostname.replace("%h", "$$HOSTNAME")
        assert f"inspect ping --timeout=5 -d {node}" in services[name]["healthcheck"]["test"][1], name
    node_prefixes = {
        arg.split("=", 1)[1].split("@")[0]
        for command in workers_of(services).values()
        for arg in command
        if arg.startswith("--hostname=")
    }
    assert node_prefixes == set(settings.HEALTH_EXPECTED_WORKERS), "/healthz expects other workers"


def test_services_start_in_order_only_when_what_they_need_is_healthy(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            expected = (
                "service_completed_successfully" if dependency in ONE_SHOT_SERVICES else "service_healthy"
            )
            assert rule["condition"] == expected, f"{name} -> {dependency}"
    for name in ("web", *WORKER_ROLES, "beat"):
        assert services[name]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    setup_command = " ".join(services["setup"]["command"])
    for step in ("migrate", "setup_schedules", "collectstatic"):
        assert f"manage.py {step}" in setup_command


def test_workers_stop_with_the_soft_shutdown_and_get_longer_than_it_before_sigkill(compose):
    """SIGTERM is Celery's cold shutdown only with REMAP_SIGTERM=SIGQUIT (without it, a warm
    one waits for every task, and Docker's SIGKILL leaves them unacked for 2 hours); the
    grace period covers the soft shutdown plus a threads task's last network call."""
    soft_shutdown = app.conf.worker_soft_shutdown_timeout
    assert soft_shutdown == 20 and app.conf.worker_enable_soft_shutdown_on_idle is False
    for name in workers_of(compose["services"]):
        service = compose["services"][name]
        assert service["environment"]["REMAP_SIGTERM"] == "SIGQUIT", name
        assert service["stop_signal"] == "SIGTERM"
        grace = service["stop_grace_period"]
        assert re.fullmatch(r"\d+s", grace)
        assert soft_shutdown < int(grace[:-1]) <= soft_shutdown + 20, name
    for name in set(compose["services"]) - set(workers_of(compose["services"])):
        assert "REMAP_SIGTERM" not in compose["services"][name].get("environment", {}), name


def test_make_run_starts_the_workers_with_the_same_stop_signal_mapping():
    stack_env = (ROOT / "scripts/stack_env.sh").read_text()
    assert re.search(r'^export REMAP_SIGTERM="\$\{REMAP_SIGTERM:-SIGQUIT\}"$', stack_env, re.M)


def test_state_lives_in_named_volumes(compose):
    services = compose["services"]
    declared = set(compose["volumes"])

    def mounts(name: str) -> dict[str, str]:
        return dict(v.split(":", 1)[::-1] for v in services[name].get("volumes", []) if ":" in v)

    assert mounts("postgres")["/var/lib/postgresql/data"] in declared
    assert mounts("redis")["/data"] in declared
    assert mounts("web")["/app/var/media"] == mounts("worker-bulk")["/app/var/media"] == "media"
    assert mounts("flower")["/app/var/flower"] in declared
    used = {source for name in services for source in mounts(name).values()}
    assert declared == used


def test_every_secret_compose_requires_is_written_by_the_env_script(compose):
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text()))
    script = (ROOT / "scripts/compose_env.sh").read_text()
    written = set(re.findall(r"^(\w+)=", script, re.M))
    assert required == {
        "SECRET_KEY",
        "POSTGRES_PASSWORD",
        "FLOWER_BASIC_AUTH",
        "FLOWER_COOKIE_SECRET",
        "METRICS_TOKEN",
    }
    assert required <= written
    assert compose["services"]["web"]["environment"]["DJANGO_ENV"] == "production"


def test_workers_and_beat_scale_to_several_replicas(compose):
    """`docker compose up --scale worker-bulk=3`: nothing fixed that two replicas would share."""
    services = compose["services"]
    for name in (*workers_of(services), "beat"):
        service = services[name]
        assert not {"container_name", "hostname", "ports"} & set(service), name
    for name, command in workers_of(services).items():
        (hostname,) = [arg.split("=", 1)[1] for arg in command if arg.startswith("--hostname=")]
        assert hostname.endswith("@%h"), f"{name}: each replica needs its own node name"

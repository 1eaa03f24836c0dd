"""The learner's pages name real things: tasks, management commands, Redis keys, processes."""

from __future__ import annotations

import re

from django.core.management import get_commands
from kombu.transport.redis import Channel

from shop.celery import app
from shop.platform.jobs.celery_compat import REDIS_PRIORITY_SEPARATOR
from tests.harness.stack import procfile_commands

from .test_tour import LEARNER_PAGES, ROOT

DOCS = ROOT / "docs"
# Step tasks are named `<app label>.<step>` (shop.platform.jobs.steps), quoted or after `celery call`.
TASK_NAME = re.compile(r"(?<=[`\s])((?:orders|jobs|notifications|catalog|reporting|sync)\.[a-z_]+)(?=[`(\s])")
MANAGE_COMMAND = re.compile(r"manage\.py (\w+)")


def learner_text() -> str:
    return "\n".join((DOCS / page).read_text() for page in LEARNER_PAGES)


def test_every_task_the_pages_name_is_registered():
    app.loader.import_default_modules()
    named = set(TASK_NAME.findall(learner_text()))
    assert named, "the pages name no task"
    assert not named - set(app.tasks), f"not registered: {sorted(named - set(app.tasks))}"


def test_every_management_command_the_pages_run_exists():
    named = set(MANAGE_COMMAND.findall(learner_text()))
    assert {"shell", "task_status"} <= named
    assert not named - set(get_commands()), f"no such command: {sorted(named - set(get_commands()))}"


def test_the_redis_keys_of_the_runbook_are_the_ones_kombu_and_celery_use():
    runbook = (DOCS / "debug-a-stuck-job.md").read_text()
    backend = app.backend
    assert f"HLEN {Channel.unacked_key}" in runbook
    assert f"ZRANGE {Channel.unacked_index_key}" in runbook
    assert Channel.sep == REDIS_PRIORITY_SEPARATOR == "\x06\x16"
    assert r"$'orders\x06\x164'" in runbook
    assert f"GET {backend.get_key_for_task('HEADER_TASK_ID').decode()}" in runbook
    assert f"ZCARD {backend.get_key_for_group('GROUP_ID', '.j').decode()}" in runbook
    assert f"GET {backend.get_key_for_group('GROUP_ID', '.t').decode()}" in runbook


def test_the_diagram_is_one_mermaid_flowchart_with_every_procfile_process():
    page = (DOCS / "processes.md").read_text()
    assert page.count("```mermaid\nflowchart") == 1
    diagram = page.split("```mermaid\n", 1)[1].split("```", 1)[0]
    missing = [name for name in procfile_commands() if name not in diagram]
    assert not missing, f"the diagram lacks {missing}"

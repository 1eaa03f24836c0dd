"""Flower as the stack runs it: its Procfile line, behind its basic-auth login."""

from __future__ import annotations

import pytest
import requests

from shop.celery import WORKER_ROLES
from tests.harness.jobs import wait_until

pytestmark = pytest.mark.e2e


def test_flower_answers_behind_its_login_and_lists_every_worker_of_the_stack(stack):
    flower = stack.env["FLOWER_URL"]
    workers_url = f"{flower}/api/workers"
    wait_until(lambda: _answers(f"{flower}/healthcheck"), timeout=60, message="Flower answers")

    # Its pages too, not only its API (which Flower never serves without a login).
    assert requests.get(f"{flower}/workers", timeout=10).status_code == 401
    assert requests.get(f"{flower}/workers", auth=("flower", "wrong"), timeout=10).status_code == 401

    def every_worker_listed() -> set[str] | None:
        response = requests.get(workers_url, params={"refresh": 1}, auth=stack.flower_login, timeout=30)
        response.raise_for_status()
        nodes = {name.split("@", 1)[0] for name in response.json()}
        return nodes if nodes >= {role.node for role in WORKER_ROLES.values()} else None

    nodes = wait_until(every_worker_listed, timeout=60, interval=1, message="Flower lists every worker")
    assert nodes == {role.node for role in WORKER_ROLES.values()}


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).text == "OK"
    except requests.RequestException:
        return False

"""The bench's baselines are what they claim to be (docs: bench/README.md, "Baselines")."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench import plain_celery
from bench.naive import tasks as naive
from shop.celery import app
from shop.platform.jobs.tracking import TrackedTask
from tests.harness.processes import ROOT


def test_naive_baselines_are_plain_celery_tasks_that_pay_no_tracking():
    baselines = [getattr(naive, name) for name in dir(naive) if getattr(getattr(naive, name), "delay", None)]

    assert baselines
    assert not any(isinstance(task, TrackedTask) for task in baselines)


def test_plain_celery_shares_the_shops_broker_and_reliability_settings_and_loads_no_django():
    shared = plain_celery.shop_settings(app.conf)
    assert {name: shared[name] for name in plain_celery.SHARED_SETTINGS} == {
        name: app.conf[name] for name in plain_celery.SHARED_SETTINGS
    }
    assert shared["task_acks_late"] and shared["worker_prefetch_multiplier"] == 1
    assert shared["broker_transport_options"]["priority_steps"] == list(range(10))
    assert shared["result_backend"].startswith("redis://")

    # Celery itself imports a few django.utils helpers when Django is installed; no app, no ORM.
    probe = (
        "import sys, bench.plain_celery as p; "
        "print(p.app.conf.broker_url, p.app.conf.task_acks_late, any(m.startswith(('django.apps', 'django.db', 'shop')) for m in sys.modules))"
    )
    env = {**os.environ, plain_celery.CONF_VARIABLE: json.dumps(shared)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    printed = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert printed == [app.conf.broker_url, "True", "False"]


def test_importing_plain_celery_leaves_the_shops_app_current():
    from celery import current_app

    assert plain_celery.app is not current_app._get_current_object()
    assert naive.campaign_send_one.app is app

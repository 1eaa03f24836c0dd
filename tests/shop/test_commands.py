"""seed_demo and setup_schedules are safe to run again and again."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from catalog.models import Category, Product
from tests.harness.processes import free_port

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_logins_and_a_catalog_once(settings):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (get_user_model().objects.count(), Category.objects.count(), Product.objects.count())
    call_command("seed_demo", stdout=io.StringIO())

    assert (get_user_model().objects.count(), Category.objects.count(), Product.objects.count()) == counts
    assert Product.objects.count() >= 100
    staff = get_user_model().objects.get(username="staff")
    assert staff.is_staff and staff.check_password("greengrocer-staff")
    assert get_user_model().objects.get(username="shopper").check_password("greengrocer-shopper")


def test_setup_schedules_creates_the_sweeper_and_keeps_admin_edits():
    call_command("setup_schedules", stdout=io.StringIO())
    sweeper = PeriodicTask.objects.get(task="jobs.sweep_pending_dispatches")
    assert sweeper.interval.every == 15

    sweeper.enabled = False
    sweeper.save()
    call_command("setup_schedules", stdout=io.StringIO())

    assert PeriodicTask.objects.get(id=sweeper.id).enabled is False
    assert PeriodicTask.objects.filter(task="jobs.sweep_pending_dispatches").count() == 1


def test_seed_demo_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(Exception, match="production"):
        call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_waiting_for_a_broker_that_never_answers_seeds_nothing(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    with pytest.raises(CommandError, match=r"did not answer within 1 s .*; nothing was seeded"):
        call_command("seed_demo", "--wait-for-broker", "1", stdout=io.StringIO())

    assert not get_user_model().objects.exists() and not Product.objects.exists()

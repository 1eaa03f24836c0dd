"""The beat sweeper sends again the workflow of an order whose messages were lost."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from shop.orders import services, steps
from shop.orders.models import Order, Payment
from shop.platform.jobs.models import Job, JobStep
from tests.harness.jobs import job_sent_and_lost, wait_for_job

from .conftest import checkout


def test_an_order_sent_but_never_started_is_sent_again(worker, mailbox, api, apples, tmp_path):
    long_ago = timezone.now() - services.STALLED_AFTER - timedelta(minutes=1)
    with transaction.atomic():
        order = checkout(api, [(apples.id, 1)]).json()
        job_sent_and_lost(order["job"]["id"], sent_at=long_ago, quiet_since=long_ago)
        Order.objects.filter(id=order["id"]).update(placed_at=long_ago)
    fresh = checkout(api, [(apples.id, 1)]).json()
    wait_for_job(fresh["job"]["id"])

    assert Job.objects.get(id=order["job"]["id"]).status == Job.Status.PENDING
    assert services.stalled_orders_redispatch() == 1

    job = wait_for_job(order["job"]["id"])
    assert job.status == Job.Status.SUCCEEDED and job.dispatch_attempts == 2  # the lost send, this one
    assert Order.objects.get(id=order["id"]).status == Order.Status.COMPLETED
    assert services.stalled_orders_redispatch() == 0
    mailbox.wait_for(2)

    call_command("setup_schedules", stdout=(tmp_path / "out.txt").open("w"))
    assert PeriodicTask.objects.filter(task="orders.sweep_stalled_orders").exists()


def test_an_order_stuck_after_its_charge_is_finished_without_charging_or_mailing_twice(
    worker, mailbox, api, apples, shopper
):
    """A worker SIGKILLed after the charge lost the chord's message: the order sat `paid`."""
    long_ago = timezone.now() - services.STALLED_AFTER - timedelta(minutes=1)
    with transaction.atomic():
        order = checkout(api, [(apples.id, 2)]).json()
        job_sent_and_lost(order["job"]["id"], sent_at=long_ago)
    steps.charge_payment(order_id=order["id"])
    JobStep.objects.filter(job_id=order["job"]["id"], name="charge_payment").update(
        state=JobStep.State.SUCCESS, started_at=long_ago, finished_at=long_ago
    )
    # As tracking records a step: its state and the Job's progress move together.
    Job.objects.filter(id=order["job"]["id"]).update(
        status=Job.Status.RUNNING, updated_at=long_ago, progress_done=1
    )
    assert Order.objects.get(id=order["id"]).status == Order.Status.PAID

    assert services.stalled_orders_redispatch() == 1

    job = wait_for_job(order["job"]["id"])
    assert job.status == Job.Status.SUCCEEDED
    assert Order.objects.get(id=order["id"]).status == Order.Status.COMPLETED
    assert Payment.objects.filter(order_id=order["id"], status=Payment.Status.CAPTURED).count() == 1
    assert mailbox.count(to=shopper.email) == 1  # the confirmation, sent before completion


def test_a_slow_order_is_not_resent(worker, mailbox, api, apples):
    order = checkout(api, [(apples.id, 1)]).json()
    wait_for_job(order["job"]["id"])
    Order.objects.filter(id=order["id"]).update(status=Order.Status.PAID)
    assert services.stalled_orders_redispatch() == 0  # its Job was active moments ago

"""The embedded database under contention: a writer waits for the lock instead of failing."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import OperationalError, connection, transaction

from shop.platform.jobs.models import Job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
]


def _lock_held_for(seconds: float) -> threading.Thread:
    """Another process's write transaction: the whole database locked for `seconds`."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    holder = threading.Timer(seconds, lambda: (other.execute("COMMIT"), other.close()))
    holder.start()
    return holder


def test_a_write_outside_a_transaction_waits_for_the_lock_past_sqlites_own_short_wait():
    job = Job.objects.create(kind="demo", subject="demo:1")
    holder = _lock_held_for(0.3)
    Job.objects.filter(id=job.id).update(subject="written after the lock was released")
    holder.join()
    assert Job.objects.get(id=job.id).subject == "written after the lock was released"


def test_a_transaction_waits_for_the_lock_to_begin():
    job = Job.objects.create(kind="demo", subject="demo:1")
    holder = _lock_held_for(0.3)
    with transaction.atomic():
        Job.objects.filter(id=job.id).update(subject="in a transaction")
    holder.join()
    assert Job.objects.get(id=job.id).subject == "in a transaction"


def test_a_lock_held_past_the_timeout_fails_the_write_and_changes_nothing(monkeypatch):
    job = Job.objects.create(kind="demo", subject="before")
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    holder = _lock_held_for(1.0)
    with pytest.raises(OperationalError, match="database is locked"):
        Job.objects.filter(id=job.id).update(subject="after")
    holder.join()
    assert Job.objects.get(id=job.id).subject == "before"

"""The hosts suite (`make test-hosts`): a core and two worker hosts as network namespaces.

It runs only through `make test-hosts`, which points DATABASE_URL at the core's PostgreSQL
(CORE_ADDRESS, a namespace this suite creates); elsewhere (`make test`) it is not collected.
The test process joins the core's network, as a client on the core host would, and talks to
the shop there: the API over HTTP, the database and the broker for its checks.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import _point_at_redis, purge_broker
from tests.harness.mail import SmtpSink

from .cluster import Cluster
from .netns import CORE_ADDRESS, Network, cannot_create_reason

HOSTS = ["host1", "host2"]

if os.environ.get("GREENGROCER_HOSTS_SUITE") != "1":
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def network():
    if reason := cannot_create_reason():
        pytest.skip(reason)
    if settings.DATABASES["default"].get("HOST") != CORE_ADDRESS:
        pytest.fail(f"run the hosts suite with `make test-hosts` (DATABASE_URL must name {CORE_ADDRESS})")
    network = Network(HOSTS).create()
    network.enter_core()
    yield network
    network.leave_core()
    network.delete()


@pytest.fixture(scope="session")
def _core_postgres(network, tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("hosts"), network)
    cluster.postgres_start()
    yield cluster
    cluster.postgres_stop()


@pytest.fixture(scope="session")
def django_db_setup(_core_postgres, django_db_setup):
    """pytest-django's test database, created on the core's PostgreSQL."""
    _core_postgres.database_name = connection.settings_dict["NAME"]


@pytest.fixture(scope="session")
def cluster(_core_postgres, django_db_setup, django_db_blocker, redis_server):
    """Core up, both hosts' workers answering; this process's broker, results, locks and
    media are the core's."""
    cluster = _core_postgres
    try:
        cluster.core_start()
        _point_at_redis(cluster.redis_url)
        settings.MEDIA_ROOT = cluster.media
        for host in HOSTS:
            cluster.host_start(host)
        cluster.wait_hosts_ready(HOSTS)
        yield cluster
    finally:
        cluster.stop()
        _point_at_redis(redis_server.url)
        # A host killed while cut off never closed its sessions: end them, or the test
        # database cannot be dropped.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")  # fmt: skip


@pytest.fixture
def sink(cluster) -> SmtpSink:
    """The core's SMTP sink (read through its folder), emptied for this test, with the
    broker, results and the gateway's charges (the coordination Redis) emptied too."""
    purge_broker()
    mailbox = SmtpSink(cluster.mail)
    mailbox.clear()
    return mailbox

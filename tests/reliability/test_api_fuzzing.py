"""Schemathesis against /api/schema/: every operation, as a customer and as staff, with
valid and invalid examples (EXAMPLES_PER_OPERATION of each kind at most).

Requests go straight into the Django WSGI application (schemathesis' WSGI transport), so
each example is a full request through middleware, authentication, DRF and the database.
The test runs in a transaction that is rolled back: on-commit dispatches never fire, so
the thousands of generated checkouts, reports, campaign sends and sync runs start no
workflow at all (their Jobs stay in the outbox, and vanish with the rollback).

Checks: no 5xx, and every response conforms to the schema (documented content type,
headers and, for a documented status, the body). Not checked: that every status is
documented — the schema documents each operation's success answers, not the 400 / 403 /
404 error envelope every operation can give (see docs/security.md for who gets which).
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from shop.wsgi import application
from tests.factories import CampaignFactory, ProductFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.reliability

EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction(db):
    """As Django's test client does: a finished request must not close the test's database
    connection, and with it the transaction the test runs in."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, supplier_stub) -> dict[str, str]:
    """API tokens of a customer and of a staff member, and a few things to look at (the
    supplier stub answers the fault switches)."""
    ProductFactory.create_batch(3)
    CampaignFactory()
    users = {"customer": UserFactory(password=None), "staff": StaffFactory(password=None)}
    return {role: Token.objects.create(user=user).key for role, user in users.items()}


# Loaded when the module is collected, so that each operation is a test of its own.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def statuses(request):
    """The status codes the test's examples got, printed at the end."""
    seen: Counter[int] = Counter()
    yield seen
    print(f"\n{request.node.name}: {seen.total()} requests, statuses {dict(sorted(seen.items()))}")


@pytest.mark.parametrize("role", ["customer", "staff"])
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_5xx_and_every_response_conforms_to_the_schema(case, role, tokens, statuses):
    headers = {"Authorization": f"Token {tokens[role]}"}
    response = case.call(headers=headers)
    statuses[response.status_code] += 1
    checks = CHECKS
    if case.path == "/api/supplier/faults/" and _supplier_said_no(response):
        # The fuzzer's own examples switch the supplier stub's faults (latency, failures), so
        # the shop answering that the supplier does not answer or refused is the right answer.
        checks = [check for check in CHECKS if check is not not_a_server_error]
    case.validate_response(response, checks=checks, headers=headers)


def _supplier_said_no(response) -> bool:
    if response.status_code not in (502, 503):
        return False
    return response.json().get("error", {}).get("code") in {"supplier_unavailable", "supplier_rejected"}

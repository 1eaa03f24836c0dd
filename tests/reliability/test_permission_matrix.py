"""docs/security.md's permission matrix, checked cell by cell against the running code.

The table is parsed from the document, so the document is the specification: every
endpoint × anonymous / customer / other customer / staff, each with a valid request.
"""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.catalog import pictures
from tests.factories import CampaignFactory, ProductFactory, StaffFactory, UserFactory
from tests.harness.jobs import wait_for_job
from tests.harness.processes import ROOT

from .conftest import checkout_over_http, token_session

pytestmark = pytest.mark.reliability

ROLES = ("anonymous", "customer", "other customer", "staff")
PASSWORD = "correct-horse-battery"  # UserFactory's


def documented_matrix() -> dict[str, dict[str, int]]:
    """{"GET /api/orders/{order}/": {"anonymous": 403, ...}} from docs/security.md."""
    text = (ROOT / "docs" / "security.md").read_text()
    rows = re.findall(r"^\| `([A-Z]+ /api/[^`]*)` \|(.+)\|\s*$", text, flags=re.MULTILINE)
    return {endpoint: dict(zip(ROLES, map(int, cells.split("|")), strict=True)) for endpoint, cells in rows}


def test_the_matrix_covers_every_api_endpoint_of_the_url_conf():
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    def paths(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from paths(pattern, route)
            elif route.startswith("api/"):
                yield (
                    re.sub(r"\(\?P<(\w+)>[^)]*\)|<\w+:(\w+)>", "{}", route).replace("^", "").replace("$", "")
                )

    documented = {
        re.sub(r"\{\w+\}|\d+(?=/$)", "{}", e.split(" ", 1)[1]).lstrip("/") for e in documented_matrix()
    }
    assert set(paths(get_resolver())) == documented


@pytest.fixture
def world(worker, mailbox, supplier_stub, live_server, tmp_path):
    """A customer with a completed order (invoice mailed), another customer, staff, and one
    of every staff object (report, campaign, sync run) to ask for."""
    customer, other, staff = UserFactory(), UserFactory(), StaffFactory(password=None)
    sessions = {"anonymous": requests.Session(), "customer": token_session(customer),
                "other customer": token_session(other), "staff": token_session(staff)}  # fmt: skip
    product = ProductFactory(quantity=100)
    order = checkout_over_http(sessions["customer"], live_server.url, [(product.id, 1)]).json()
    wait_for_job(order["job"]["id"], timeout=60)
    mailbox.wait_for(1)
    report = (
        sessions["staff"].post(f"{live_server.url}/api/reports/", json={"kind": "daily"}, timeout=30).json()
    )
    wait_for_job(report["job"]["id"], timeout=90)
    sync_run = sessions["staff"].post(f"{live_server.url}/api/sync-runs/", timeout=30).json()
    wait_for_job(sync_run["job"]["id"], timeout=90)
    message = sessions["staff"].get(f"{live_server.url}/api/mailbox/", timeout=30).json()["results"][0]["id"]
    ids = {"product": product.id, "order": order["id"], "job": order["job"]["id"], "report": report["id"],
           "sync_run": sync_run["id"], "message": message}  # fmt: skip
    return {"sessions": sessions, "ids": ids, "customer": customer, "product": product}


def _request(session: requests.Session, world, base_url: str, endpoint: str) -> requests.Response:
    method, template = endpoint.split(" ", 1)
    ids = {**world["ids"], "campaign": CampaignFactory().id}  # a fresh draft for each send
    url = base_url + template.format(**ids)
    unique = uuid.uuid4().hex[:10]
    bodies = {
        "POST /api/auth/register/": {"json": {"username": f"new{unique}", "email": f"{unique}@example.test",
                                              "password": "a-long-passphrase-42"}},
        "POST /api/auth/token/": {"json": {"username": world["customer"].username, "password": PASSWORD}},
        "POST /api/products/{product}/images/": {"files": {"image": ("a.jpg", pictures.jpeg(), "image/jpeg")}},
        "POST /api/orders/": {"json": {"lines": [{"product": world["product"].id, "quantity": 1}],
                                       "card_number": "4242 4242 4242 4242"}},
        "POST /api/jobs/demo/": {"json": {"numbers": [1, 2]}},
        "POST /api/campaigns/": {"json": {"name": unique, "subject": "Hello", "body_text": "Fresh pears."}},
        "POST /api/reports/": {"json": {"kind": "daily"}},
        "POST /api/supplier/faults/": {"json": {"latency_ms": 0}},
    }  # fmt: skip
    return session.request(method, url, timeout=60, **bodies.get(endpoint, {}))


def test_every_endpoint_answers_each_kind_of_caller_as_documented(world, live_server):
    matrix = documented_matrix()
    mismatches = []
    for endpoint, expected in matrix.items():
        for role in ROLES:
            status = _request(world["sessions"][role], world, live_server.url, endpoint).status_code
            if status != expected[role]:
                mismatches.append(f"{endpoint} as {role}: {status}, documented {expected[role]}")
    print(
        f"\npermission matrix: {len(matrix)} endpoints × {len(ROLES)} callers, {len(mismatches)} mismatches"
    )
    assert mismatches == []

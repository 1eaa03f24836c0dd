"""The demo's own endpoints are mounted with settings.DEMO_MODE and only then.

shop/urls.py reads the setting once, at import: each case rebuilds the site's URLs with the
setting it names, and the next test gets them back as they were.
"""

from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import shop.urls
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

DEMO_ENDPOINTS = [
    ("get", "/api/mailbox/", 200),
    ("get", "/api/supplier/faults/", 200),
    ("post", "/api/jobs/demo/", 202),
    ("get", "/staff/mailbox/", 200),
]
# What the staff console shows of them (the panels' markers in frontend/templates/frontend/staff/).
DEMO_PANELS = [
    ("/staff/", "data-demo-form"),
    ("/staff/sync/", "data-faults-form"),
    ("/staff/", 'href="/staff/mailbox/"'),
]


def _site_urls_rebuilt() -> None:
    importlib.reload(shop.urls)
    clear_url_caches()


@pytest.fixture(params=[True, False], ids=["demo on", "demo off"])
def demo(request):
    with override_settings(DEMO_MODE=request.param):
        _site_urls_rebuilt()
        yield request.param
    _site_urls_rebuilt()


@pytest.fixture
def staff(client):
    client.force_login(StaffFactory())
    return client


@pytest.mark.parametrize(
    ("method", "url", "status"), DEMO_ENDPOINTS, ids=[url for _, url, _ in DEMO_ENDPOINTS]
)
def test_a_demo_endpoint_answers_with_the_demo_on_and_is_a_404_without_it(
    demo, staff, supplier_stub, mailbox, method, url, status
):
    response = getattr(staff, method)(url, content_type="application/json")
    assert response.status_code == (status if demo else 404), response.content


def test_the_staff_console_shows_the_demos_panels_only_with_the_demo_on(demo, staff):
    for page, marker in DEMO_PANELS:
        response = staff.get(page)
        assert response.status_code == 200, page
        assert (marker in response.content.decode()) == demo, (page, marker)


def test_the_api_schema_describes_the_demo_endpoints_only_with_the_demo_on(demo, staff):
    paths = staff.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert ("/api/mailbox/" in paths) == demo
    assert ("/api/supplier/faults/" in paths) == demo
    assert ("/api/jobs/demo/" in paths) == demo
    assert "/api/jobs/{id}/" in paths and "/api/campaigns/" in paths

"""The API's rate limits, at the rates the shop ships with: anonymous, per user, and the
login, register and checkout scopes; each refusal a JSON 429 with Retry-After, counted in
Redis so that every process sees the same count.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.harness.processes import ROOT, free_port

pytestmark = pytest.mark.django_db
User = get_user_model()


def allowance(scope: str) -> tuple[int, int]:
    """(requests, seconds) of a scope's configured rate: the shipped default unless set."""
    count, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def window_of_an_hour(settings, scope: str) -> None:
    """The shipped count over an hour instead of a minute: hundreds of requests on a loaded
    machine may take longer than a minute, and the window would slide under the test."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    count = rates[scope].split("/")[0]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, scope: f"{count}/hour"},
    }  # fmt: skip


def assert_throttled(response, *, seconds: int, requests: int) -> None:
    assert response.status_code == 429, response.content
    wait = int(response["Retry-After"])
    # A sliding window: the next request is allowed when the oldest one leaves it.
    assert 1 <= wait <= seconds
    assert response.json() == {
        "error": {
            "status": 429,
            "code": "too_many_requests",
            "message": f"Too many requests. Try again in {wait} seconds.",
            "details": {"retry_after": wait},
        }
    }


def test_the_shipped_rates_are_realistic():
    assert {scope: allowance(scope) for scope in ("anon", "user", "login", "register", "checkout")} == {
        "anon": (120, 60), "user": (600, 60), "login": (10, 60), "register": (10, 3600), "checkout": (30, 60),
    }  # fmt: skip


def test_login_attempts_are_limited_per_address():
    requests, seconds = allowance("login")
    UserFactory(username="ria", password="right-password")
    client = APIClient()
    for _ in range(requests):
        answer = client.post("/api/auth/token/", {"username": "ria", "password": "guess"}, format="json")
        assert answer.status_code == 400
    refused = client.post(
        "/api/auth/token/", {"username": "ria", "password": "right-password"}, format="json"
    )
    assert_throttled(refused, seconds=seconds, requests=requests)
    # The rest of the API is still open to this address: only the login scope is spent.
    assert client.get("/api/products/").status_code == 200


def test_registrations_are_limited_per_address():
    requests, seconds = allowance("register")
    client = APIClient()
    for n in range(requests):
        answer = client.post(
            "/api/auth/register/",
            {"username": f"shopper{n}", "email": f"shopper{n}@example.test", "password": "long-enough-1"},
            format="json",
        )
        assert answer.status_code == 201, answer.content
    refused = client.post(
        "/api/auth/register/",
        {"username": "one-more", "email": "one-more@example.test", "password": "long-enough-1"},
        format="json",
    )
    assert_throttled(refused, seconds=seconds, requests=requests)
    assert not User.objects.filter(username="one-more").exists()


def test_checkout_is_limited_per_customer_and_reading_orders_is_not():
    requests, seconds = allowance("checkout")
    hammering, other = APIClient(), APIClient()
    hammering.force_authenticate(UserFactory())
    other.force_authenticate(UserFactory())
    for _ in range(requests):
        assert hammering.post("/api/orders/", {"lines": []}, format="json").status_code == 400
    assert_throttled(
        hammering.post("/api/orders/", {"lines": []}, format="json"), seconds=seconds, requests=requests
    )
    assert hammering.get("/api/orders/").status_code == 200
    # Another customer on the same address has their own allowance.
    assert other.post("/api/orders/", {"lines": []}, format="json").status_code == 400


def test_anonymous_callers_are_limited_per_address(settings):
    window_of_an_hour(settings, "anon")
    requests, seconds = allowance("anon")
    client = APIClient()
    for _ in range(requests):
        assert client.get("/api/categories/").status_code == 200
    assert_throttled(client.get("/api/categories/"), seconds=seconds, requests=requests)
    signed_in = APIClient()
    signed_in.force_authenticate(UserFactory())
    assert signed_in.get("/api/categories/").status_code == 200


def test_signed_in_callers_are_limited_per_account(settings):
    window_of_an_hour(settings, "user")
    requests, seconds = allowance("user")
    client = APIClient()
    client.force_authenticate(UserFactory())
    for _ in range(requests):
        assert client.get("/api/auth/me/").status_code == 200
    assert_throttled(client.get("/api/auth/me/"), seconds=seconds, requests=requests)


def test_an_anonymous_request_is_counted_once_against_the_anon_rate_alone(settings):
    """Anonymous callers are held to the anon rate, signed-in ones to the user rate, even
    where the user rate is the lower one; each request costs one count, not two."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                   "anon": "5/hour", "user": "3/hour"},
    }  # fmt: skip
    anonymous, signed_in = APIClient(), APIClient()
    signed_in.force_authenticate(UserFactory())

    assert [anonymous.get("/api/categories/").status_code for _ in range(6)] == [200] * 5 + [429]
    assert [signed_in.get("/api/categories/").status_code for _ in range(4)] == [200] * 3 + [429]


def test_another_process_sees_the_same_count(redis_server):
    """gunicorn's workers are separate processes: the count lives in Redis, not in one of them."""
    requests, seconds = allowance("login")
    client = APIClient()
    for _ in range(requests):
        client.post("/api/auth/token/", {"username": "nobody", "password": "guess"}, format="json")
    # A fresh Python process on the same Redis is refused before it touches any database.
    script = (
        "import django; django.setup()\n"
        "from rest_framework.test import APIClient\n"
        "answer = APIClient().post('/api/auth/token/', {'username': 'nobody', 'password': 'guess'}, format='json')\n"
        "print(answer.status_code, answer['Retry-After'])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings", "REDIS_URL": redis_server.url,
           "ALLOWED_HOSTS": "testserver"}  # fmt: skip
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    status, retry_after = completed.stdout.split()
    assert status == "429" and 1 <= int(retry_after) <= seconds


def test_with_redis_unreachable_the_limits_let_requests_through(settings):
    """A rate limit must not take the shop down with Redis: no count, no refusal, no 500."""
    settings.COORDINATION_REDIS_URL = f"redis://127.0.0.1:{free_port()}/2"
    client = APIClient()
    for _ in range(3):
        assert client.post("/api/auth/token/", {"username": "nobody", "password": "guess"}).status_code == 400
    assert client.get("/api/categories/").status_code == 200

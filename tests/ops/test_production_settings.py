"""Production settings come from the environment, pass `check --deploy`, and need a SECRET_KEY."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "SECRET_KEY"}}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="shop.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shop.example.com",
        PAYMENT_GATEWAY="devservers.payment_gateway.DemoPaymentGateway",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_ENV=production" in result.stderr


def test_production_refuses_to_start_without_a_payment_gateway():
    env = production_env()
    del env["PAYMENT_GATEWAY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "PAYMENT_GATEWAY must be set when DJANGO_ENV=production" in result.stderr


def test_production_settings_are_secure_and_from_the_environment():
    program = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'ssl': s.SECURE_SSL_REDIRECT, "
        "'cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], 'hsts': s.SECURE_HSTS_SECONDS, "
        "'static': s.STORAGES['staticfiles']['BACKEND'], 'middleware': s.MIDDLEWARE, "
        "'database': s.DATABASES['default']['ENGINE'], 'flower': s.FLOWER_URL, 'demo': s.DEMO_MODE}))"
    )
    env = production_env(
        ALLOWED_HOSTS="shop.example.com,www.shop.example.com",
        DATABASE_URL="postgres://shop:pw@db.internal:5432/shop",
        FLOWER_URL_PREFIX="flower",
        FLOWER_URL="https://shop.example.com/flower/",
    )
    result = run(["-c", program], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)

    assert values["debug"] is False
    assert values["hosts"] == ["shop.example.com", "www.shop.example.com"]
    assert values["ssl"] is True
    assert values["cookies"] == [True, True]
    assert values["hsts"] >= 365 * 24 * 60 * 60
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in values["middleware"]
    assert values["database"] == "django.db.backends.postgresql"
    assert values["flower"] == "https://shop.example.com/flower"
    assert values["demo"] is False, "the demo's endpoints are not mounted in production"


def test_gunicorn_config_takes_bind_and_workers_from_the_environment():
    program = "import runpy, json; c = runpy.run_path('deploy/gunicorn.conf.py'); print(json.dumps([c['bind'], c['workers']]))"
    result = run(["-c", program], {**os.environ, "WEB_BIND": "0.0.0.0:9000", "WEB_CONCURRENCY": "3"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["0.0.0.0:9000", 3]

"""The services the shop talks to: Flower, Prometheus, mail, the supplier, payments."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .environment import PRODUCTION, VAR_DIR, env_bool, env_list

# --- Flower ---------------------------------------------------------------------------
# Where task links point. Flower served at /flower/ on the shop's host (FLOWER_URL_PREFIX=
# flower, behind the proxy) means FLOWER_URL=https://<shop host>/flower.
FLOWER_URL_PREFIX = os.environ.get("FLOWER_URL_PREFIX", "").strip("/")
FLOWER_URL = os.environ.get(
    "FLOWER_URL", "http://127.0.0.1:5555" + (f"/{FLOWER_URL_PREFIX}" if FLOWER_URL_PREFIX else "")
).rstrip("/")

# --- Metrics (shop/platform/observability) ----------------------------------------------------
# Prometheus scrapes /metrics with this bearer token; without one (production unless set)
# /metrics refuses every request.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "" if PRODUCTION else "local-metrics-token")
# Where the staff console's charts query Prometheus (server side only).
PROMETHEUS_URL = os.environ.get("PROMETHEUS_URL", "http://127.0.0.1:9190").rstrip("/")
# "queue=seconds,..." overrides of the queues' wait budgets (QueueWaitOverBudget;
# shop/platform/observability/metrics.py has the defaults). Only the e2e tests set it, to seconds.
QUEUE_WAIT_BUDGET_OVERRIDES = dict(item.split("=", 1) for item in env_list("QUEUE_WAIT_BUDGETS", ""))

# --- Mail -----------------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Greengrocer <shop@greengrocer.test>")
MAIL_SINK_DIR = Path(os.environ.get("MAIL_SINK_DIR", VAR_DIR / "mail"))
# One send rate for all workers together (a Redis token bucket): messages per second, and
# the burst it allows after a quiet spell. Campaigns go out in batches of this many recipients.
MAIL_SEND_RATE = float(os.environ.get("MAIL_SEND_RATE", "50"))
MAIL_SEND_BURST = float(os.environ.get("MAIL_SEND_BURST", os.environ.get("MAIL_SEND_RATE", "50")))
MAIL_CAMPAIGN_BATCH_SIZE = int(os.environ.get("MAIL_CAMPAIGN_BATCH_SIZE", "500"))

# --- Supplier -------------------------------------------------------------------------
SUPPLIER_API_URL = os.environ.get("SUPPLIER_API_URL", "http://127.0.0.1:8001").rstrip("/")
SUPPLIER_CONNECT_TIMEOUT = float(os.environ.get("SUPPLIER_CONNECT_TIMEOUT", "3.05"))
SUPPLIER_READ_TIMEOUT = float(os.environ.get("SUPPLIER_READ_TIMEOUT", "10"))
# Requests per second toward the supplier, shared by every worker (a Redis token bucket).
SUPPLIER_RATE_PER_SECOND = float(os.environ.get("SUPPLIER_RATE_PER_SECOND", "20"))
# The supplier's largest page: one request, one task and one upsert per 1,000 products (at 100
# a page, tasks and their tracking cost more than the upsert itself).
SUPPLIER_SYNC_PAGE_SIZE = int(os.environ.get("SUPPLIER_SYNC_PAGE_SIZE", "1000"))
# Retries of a page: full-jitter exponential backoff from BACKOFF seconds, capped at
# BACKOFF_MAX, which also caps a Retry-After (far below the broker's visibility timeout).
SUPPLIER_RETRY_BACKOFF = float(os.environ.get("SUPPLIER_RETRY_BACKOFF", "2"))
SUPPLIER_RETRY_BACKOFF_MAX = float(os.environ.get("SUPPLIER_RETRY_BACKOFF_MAX", "60"))
# A running sync with no progress for this long is abandoned when the next one is requested.
SUPPLIER_SYNC_STALE_SECONDS = int(os.environ.get("SUPPLIER_SYNC_STALE_SECONDS", "900"))

# --- Payments and the demo ------------------------------------------------------------
# The gateway orders charge through (a PaymentGateway class, shop/orders/payments.py). The
# demo's test cards move no money, so production names its gateway or refuses to start.
DEMO_PAYMENT_GATEWAY = "devservers.payment_gateway.DemoPaymentGateway"
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "" if PRODUCTION else DEMO_PAYMENT_GATEWAY)
if not PAYMENT_GATEWAY:
    raise ImproperlyConfigured(
        f"PAYMENT_GATEWAY must be set when DJANGO_ENV=production (the demo's: {DEMO_PAYMENT_GATEWAY})."
    )
# The endpoints that drive the development servers (devservers/: the mailbox, the supplier
# stub's fault switches) and the demo workflow are mounted only with the demo on (shop/urls.py).
DEMO_MODE = env_bool("SHOP_DEMO", not PRODUCTION)

# --- Public URL (links in mail) -------------------------------------------------------
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

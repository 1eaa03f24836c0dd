"""Greengrocer settings: one module, configured from the environment (12-factor).

Every value has a safe local default so `make run` works with no configuration; production
(`DJANGO_ENV=production`) refuses to start without a SECRET_KEY and turns on the secure
cookie and HSTS settings that `manage.py check --deploy` asks for.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("DJANGO_ENV", "local")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "local-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "shop",
    "shop.platform.beat",
    "shop.platform.jobs",
    "catalog",
    "notifications",
    "shop.orders",
    "reporting",
    "sync",
    "frontend",
]

MIDDLEWARE = [
    "shop.platform.request_id.RequestIdMiddleware",
    "shop.platform.observability.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default. WAL lets readers run beside the one writer, IMMEDIATE
# transactions take the write lock up front (no "database is locked" upgrade deadlocks
# between worker processes), and the busy timeout makes writers queue instead of failing.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "db.sqlite3"))
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
}
if os.environ.get("DATABASE_URL"):
    # Persistent connections suit gunicorn's long-lived threads and workers (which keep theirs
    # across tasks: shop.platform.jobs.celery_compat); a server that starts a thread per request (the
    # tests' live server) sets 0, or each thread keeps one.
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A host that drops off the network mid-transaction never closes its session (no FIN
        # reaches the server), so its row locks would block every other host for hours: the
        # server ends a session idle inside a transaction after this many seconds (above the
        # default hard time limit, 90 s: no task waits that long between two statements of a
        # transaction) and probes idle connections, so it notices a vanished client within a
        # minute (tests/hosts).
        idle_in_transaction_ms = int(
            float(os.environ.get("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "120")) * 1000
        )
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            options=f"-c idle_in_transaction_session_timeout={idle_in_transaction_ms} "
            "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3",
            # An unreachable address fails in seconds, not after the kernel's TCP retries.
            connect_timeout=int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")),
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": SQLITE_OPTIONS,
            # Web processes keep their connection (gunicorn's threads; opening one and its
            # PRAGMAs cost ~2 ms per request). Workers: WORKER_DATABASE_CONN_MAX_AGE below.
            "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            # A file, not :memory:, so worker subprocesses in the tests share it; one per
            # test run, so runs side by side do not collide.
            "TEST": {
                "NAME": os.environ.get(
                    "SQLITE_TEST_PATH", str(VAR_DIR / "tests" / f"test-{os.getpid()}.sqlite3")
                )
            },
        }
    }
# Seconds a Celery worker keeps a connection across tasks (shop.platform.jobs.celery_compat's fixup);
# unset: as the web (CONN_MAX_AGE). 0 on SQLite for now: with 60,
# tests/reliability/test_redis_restart.py left one campaign delivery `sending` in 3 of 6
# runs (0 of 3 with 0), cause not yet found.
WORKER_DATABASE_CONN_MAX_AGE = (
    int(os.environ["WORKER_DATABASE_CONN_MAX_AGE"])
    if os.environ.get("WORKER_DATABASE_CONN_MAX_AGE")
    else (None if os.environ.get("DATABASE_URL") else 0)
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Every media file (product images, invoices, report PDFs) goes through STORAGES["default"]
# by its storage name, never by a path: MEDIA_STORAGE_BACKEND and MEDIA_STORAGE_OPTIONS (JSON)
# put it on a shared volume or in a bucket (django-storages' S3Storage) with no code change.
# Writes overwrite (catalog files have fixed names; S3Storage overwrites by default).
FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
MEDIA_STORAGE_BACKEND = os.environ.get("MEDIA_STORAGE_BACKEND", FILE_SYSTEM_STORAGE)
MEDIA_STORAGE_OPTIONS = {
    **({"allow_overwrite": True} if MEDIA_STORAGE_BACKEND == FILE_SYSTEM_STORAGE else {}),
    **json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS", "{}")),
}
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE_BACKEND, "OPTIONS": MEDIA_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads are validated in memory before anything is written (catalog.validation).
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Product images: bytes and declared pixels (checked before decoding; a decompression bomb
# declares many pixels in few bytes). Kept below the in-memory upload size above.
CATALOG_IMAGE_MAX_BYTES = int(os.environ.get("CATALOG_IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
CATALOG_IMAGE_MAX_PIXELS = int(os.environ.get("CATALOG_IMAGE_MAX_PIXELS", str(40_000_000)))

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Redis: broker (db 0), results (db 1), locks and rate limits (db 2) ------------------
# 6390: the port of `make run`'s own Redis (scripts/stack_env.sh), clear of a system Redis on 6379.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390").rstrip("/")


# REDIS_SENTINELS ("host:port,host:port,...") puts all three behind Redis Sentinel instead:
# the broker, the results and the locks ask the Sentinels for the current master of
# REDIS_SENTINEL_MASTER and follow it when a replica is promoted (shop/platform/coordination.py).
REDIS_SENTINELS = env_list("REDIS_SENTINELS", "")
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER", "greengrocer")


def redis_db_url(base: str, db: int) -> str:
    if REDIS_SENTINELS:
        return ";".join(f"sentinel://{address}/{db}" for address in REDIS_SENTINELS)
    return f"{base}/{db}"


# kombu's and Celery's Sentinel clients: the master's name, and short timeouts toward the
# Sentinels, so that a set-up with no reachable master fails in seconds (/healthz says so).
REDIS_SENTINEL_TRANSPORT_OPTIONS = (
    {
        "master_name": REDIS_SENTINEL_MASTER,
        "sentinel_kwargs": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
    if REDIS_SENTINELS
    else {}
)
CELERY_BROKER_URL = redis_db_url(REDIS_URL, 0)
RESULT_BACKEND_CLASS = (
    f"shop.platform.result_backend:{'Sentinel' if REDIS_SENTINELS else 'Redis'}ResultBackend"
)
CELERY_RESULT_BACKEND = f"{RESULT_BACKEND_CLASS}+{redis_db_url(REDIS_URL, 1)}"
COORDINATION_REDIS_URL = redis_db_url(REDIS_URL, 2)
# The rest of the Celery configuration lives in shop/celery.py, in one place.

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

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "shop.platform.api_pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shop.platform.api_errors.exception_handler",
    # Counted in the coordination Redis, so a limit holds across every process (shop/platform/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "shop.platform.throttling.AnonThrottle",
        "shop.platform.throttling.UserThrottle",
        "shop.platform.throttling.ScopeThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON_RATE", "120/min"),
        "user": os.environ.get("THROTTLE_USER_RATE", "600/min"),
        "login": os.environ.get("THROTTLE_LOGIN_RATE", "10/min"),
        "register": os.environ.get("THROTTLE_REGISTER_RATE", "10/hour"),
        "checkout": os.environ.get("THROTTLE_CHECKOUT_RATE", "30/min"),
    },
    # Behind N proxies the client is the Nth address from the end of X-Forwarded-For; with 0
    # the header is ignored, so a client cannot pick a fresh address for each request.
    "NUM_PROXIES": int(os.environ.get("THROTTLE_NUM_PROXIES", "0")),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Greengrocer API",
    "DESCRIPTION": "The shop's REST API: catalog, orders, jobs and the staff operations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # Reports: "status" and "audience" are also fields of other resources.
        "ReportStatusEnum": "reporting.models.Report.Status",
        "ReportAudienceEnum": "reporting.models.Report.Audience",
        "SyncRunStatusEnum": "sync.models.SyncRun.Status",
        "SyncPageStatusEnum": "sync.models.SyncPage.Status",
        # The other models with a "status" or "audience": each enum named after its model.
        "CampaignAudienceEnum": "notifications.models.Campaign.Audience",
        "CampaignStatusEnum": "notifications.models.Campaign.Status",
        "DeliveryStatusEnum": "notifications.models.Delivery.Status",
        "OutgoingMessageStatusEnum": "notifications.models.OutgoingMessage.Status",
        "ProductImageStatusEnum": "catalog.models.ProductImage.Status",
        "JobStatusEnum": "shop.platform.jobs.models.Job.Status",
        "OrderStatusEnum": "shop.orders.models.Order.Status",
        "PaymentStatusEnum": "shop.orders.models.Payment.Status",
    },
}

# --- Security (production) ------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers and container healthchecks probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "shop.platform.log_context.ContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s task=%(task_id)s "
            "job=%(job_id)s key=%(business_key)s] %(message)s"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}

# --- Health ---------------------------------------------------------------------------
# Worker node-name prefixes /healthz expects to answer a ping (shop.celery.WORKER_ROLES).
HEALTH_EXPECTED_WORKERS = env_list("HEALTH_EXPECTED_WORKERS", "fast,mail,bulk,io")

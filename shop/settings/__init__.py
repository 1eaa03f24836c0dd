"""Greengrocer settings: configured from the environment (12-factor).

Every value has a safe local default so `make run` works with no configuration; production
(`DJANGO_ENV=production`) refuses to start without a SECRET_KEY and turns on the secure
cookie and HSTS settings that `manage.py check --deploy` asks for.

Django's own settings are here; the modules beside this one hold the database, Redis and
Celery's URLs, the services the shop talks to, and the REST framework's settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .api import *  # noqa: F403
from .database import *  # noqa: F403
from .environment import *  # noqa: F403
from .environment import PRODUCTION, VAR_DIR, env_bool, env_list
from .redis import *  # noqa: F403
from .services import *  # noqa: F403

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

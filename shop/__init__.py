"""Greengrocer's Django project: its configuration here, the platform in `platform/`, and the
orders and accounts apps."""

from .celery import app as celery_app

__all__ = ("celery_app",)

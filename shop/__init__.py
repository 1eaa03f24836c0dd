"""Greengrocer's Django project and core (jobs, orders)."""

from .celery import app as celery_app

__all__ = ("celery_app",)

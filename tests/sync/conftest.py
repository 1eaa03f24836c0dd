"""Sync tests run against the real supplier stub with fast retries and small pages."""

from __future__ import annotations

import pytest


@pytest.fixture
def sync_settings(settings, supplier_stub):
    """The stub's 300 products in 6 pages of 50; retries in tenths of seconds."""
    settings.SUPPLIER_SYNC_PAGE_SIZE = 50
    settings.SUPPLIER_READ_TIMEOUT = 0.5
    settings.SUPPLIER_RATE_PER_SECOND = 200
    settings.SUPPLIER_RETRY_BACKOFF = 0.1
    settings.SUPPLIER_RETRY_BACKOFF_MAX = 1.5
    return settings

"""GET /metrics for Prometheus: a bearer token (METRICS_TOKEN) or nothing."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from shop.platform.api_errors import json_error

from . import multiprocess
from .collector import ShopStateCollector

_state = CollectorRegistry()
_state.register(ShopStateCollector())


def _authorized(request) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)


@never_cache
@require_GET
def metrics_view(request):
    if not _authorized(request):
        response = json_error(401, "not_authenticated", "The metrics need the Prometheus bearer token.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    # Multiprocess mode: every gunicorn worker's files; otherwise this process's registry.
    instruments = multiprocess.aggregated_registry() if multiprocess.enabled() else REGISTRY
    return HttpResponse(
        generate_latest(instruments) + generate_latest(_state), content_type=CONTENT_TYPE_LATEST
    )

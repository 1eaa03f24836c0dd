"""Counts web requests by the URL pattern that served them (never the raw path: an order
id in a path would be a new series per order) and times them."""

from __future__ import annotations

import time

from . import metrics


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (
            f"/{match.route}" if match is not None and match.route is not None else metrics.UNMATCHED_ROUTE
        )
        method = metrics.method_label(request.method)
        metrics.http_requests.labels(route, method, str(response.status_code)).inc()
        metrics.http_request_duration.labels(route, method).observe(time.perf_counter() - started)
        return response

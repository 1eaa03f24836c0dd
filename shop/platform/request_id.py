"""A request id for every web request: taken from X-Request-ID or made, echoed back."""

from __future__ import annotations

import re
import uuid

from . import log_context

_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # A fresh context per request: a Job dispatched by the previous request served on
        # this thread must not label this one's log lines.
        log_context.clear()
        log_context.bind(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            log_context.clear()
        response[self.header] = request_id
        return response

"""One JSON shape for every API error.

    {"error": {"status": 409, "code": "out_of_stock", "message": "...", "details": {...}}}

`details` carries field errors (400) or the domain facts a client needs (which product is
short, which run is already going). Feature code raises `ApiError` subclasses or Django/DRF
exceptions; nothing here knows about a feature.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

# How long a client should wait before trying again when the database is unavailable.
DATABASE_RETRY_AFTER_SECONDS = 5


class ApiError(exceptions.APIException):
    """An API error with a stable machine code and optional details."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"
    default_detail = "The request could not be processed."

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None):
        super().__init__(detail=message or self.default_detail, code=code or self.default_code)
        self.error_code = code or self.default_code
        self.details = details


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class UnsupportedMediaType(ApiError):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_code = "unsupported_media_type"
    default_detail = "This type of content is not supported."


class DatabaseUnavailable(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_unavailable"
    default_detail = "The shop's database is busy or unreachable. Try again shortly."
    wait = DATABASE_RETRY_AFTER_SECONDS  # DRF's handler sends it as Retry-After


class TooManyRequests(ApiError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too_many_requests"
    default_detail = "Too many requests. Try again later."

    def __init__(self, *, wait: int | None):
        super().__init__(
            f"Too many requests. Try again in {wait} seconds." if wait else None,
            details={"retry_after": wait} if wait else None,
        )
        self.wait = wait  # DRF's handler sends it as Retry-After


def message_from(detail: Any) -> str:
    """The first error of a DRF error detail, in one line: "field: what is wrong"."""
    if isinstance(detail, list) and detail:
        return message_from(detail[0])
    if isinstance(detail, dict) and detail:
        field, value = next(iter(detail.items()))
        inner = message_from(value)
        return inner if field in ("non_field_errors", "detail") else f"{field}: {inner}"
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, OperationalError):
        # Refused connections, too many clients, a lock wait that ran out: the request's
        # transaction was rolled back, and a retry will likely succeed.
        logger.warning("Database unavailable: %s", exc, exc_info=True)
        exc = DatabaseUnavailable()
    elif isinstance(exc, exceptions.Throttled):
        exc = TooManyRequests(wait=exc.wait)  # DRF's own Throttled has already rounded it up
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Unexpected: let Django log it and answer 500 (tests fail on any 5xx).

    if isinstance(exc, ApiError):
        code, message, details = exc.error_code, str(exc.detail), exc.details
    elif isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", message_from(exc.detail), exc.detail
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else "error"
        message, details = message_from(response.data), None

    body: dict[str, Any] = {"status": response.status_code, "code": code, "message": message}
    if details is not None:
        body["details"] = details
    response.data = {"error": body}
    return response


def json_error(status_code: int, code: str, message: str):
    from django.http import JsonResponse

    body = {"error": {"status": status_code, "code": code, "message": message}}
    return JsonResponse(body, status=status_code)


def not_found(request, exception=None):
    """JSON 404 under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error(404, "not_found", "No such resource.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_error(500, "server_error", "Something went wrong on our side.")
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)

"""One JSON shape for every API error, and the one place errors become HTTP.

    {"error": {"status": 409, "code": "out_of_stock", "message": "...", "details": {...}}}

Services raise the domain errors of `shop.platform.errors` (or Django's `ValidationError`, as model
checks do) and never speak HTTP; this handler gives each kind its status. `details` carries
field errors (400) or the domain facts a client needs (which product is short, which run is
already going). Nothing here knows about a feature.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from shop.platform import errors

logger = logging.getLogger(__name__)

# How long a client should wait before trying again when the database is unavailable.
DATABASE_RETRY_AFTER_SECONDS = 5

# Most specific kind first: TooLarge is an InvalidInput, TransientError an Unavailable.
STATUS_OF_KIND = (
    (errors.TooLarge, 413),
    (errors.UnsupportedType, 415),
    (errors.InvalidInput, 400),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Unavailable, 503),
    (errors.UpstreamRefused, 502),
)


def status_of(error: errors.ShopError) -> int:
    return next((status for kind, status in STATUS_OF_KIND if isinstance(error, kind)), 500)


def message_from(detail: Any) -> str:
    """The first error of an error detail (DRF's or a form's), in one line: "field: what is wrong"."""
    if isinstance(detail, list) and detail:
        return message_from(detail[0])
    if isinstance(detail, dict) and detail:
        field, value = next(iter(detail.items()))
        inner = message_from(value)
        return inner if field in ("non_field_errors", "detail", "__all__") else f"{field}: {inner}"
    return str(detail)


def _body(status: int, code: str, message: str, details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def _error_response(
    status: int, code: str, message: str, details: Any = None, *, retry_after: int | None = None
) -> Response:
    set_rollback()  # as DRF's own handler does: an error undoes the request's atomic block
    response = Response(_body(status, code, message, details), status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _database_unavailable(exc: OperationalError) -> errors.Unavailable:
    # Refused connections, too many clients, a lock wait that ran out: the request's
    # transaction was rolled back, and a retry will likely succeed.
    logger.warning("Database unavailable: %s", exc, exc_info=True)
    error = errors.Unavailable(
        "The shop's database is busy or unreachable. Try again shortly.", code="database_unavailable"
    )
    error.retry_after = DATABASE_RETRY_AFTER_SECONDS
    return error


def _too_many_requests(exc: exceptions.Throttled) -> Response:
    wait = exc.wait  # DRF's Throttled has already rounded it up to whole seconds
    message = (
        f"Too many requests. Try again in {wait} seconds." if wait else "Too many requests. Try again later."
    )
    details = {"retry_after": wait} if wait else None
    return _error_response(429, "too_many_requests", message, details, retry_after=wait)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, OperationalError):
        exc = _database_unavailable(exc)
    if isinstance(exc, errors.ShopError):
        status = status_of(exc)
        if status == 500:  # a ShopError of no kind: a bug, so logged like any other 500
            logger.error("Domain error of no kind: %r", exc, exc_info=exc)
        retry_after = exc.retry_after if isinstance(exc, errors.Unavailable) else None
        return _error_response(status, exc.code, exc.message, exc.details, retry_after=retry_after)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return _error_response(400, "invalid", message_from(detail), detail)
    if isinstance(exc, exceptions.Throttled):
        return _too_many_requests(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Unexpected: let Django log it and answer 500 (tests fail on any 5xx).

    if isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", message_from(exc.detail), exc.detail
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else "error"
        message, details = message_from(response.data), None

    response.data = _body(response.status_code, code, message, details)
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

"""The shop's one error hierarchy: what services raise, in the shop's words.

Every error has a stable machine `code`, a human `message` and optional `details` (the
domain facts a caller needs: which product is short, which run is already going). Services,
tasks and commands raise these and never speak HTTP; the one API exception handler
(`shop.platform.api_errors`) maps each kind to its status, and the step contract (`shop.platform.jobs`)
retries `TransientError` and nothing else.
"""

from __future__ import annotations

from typing import Any


class ShopError(Exception):
    """Base of every domain error."""

    code = "error"
    default_message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None):
        self.message = message or self.default_message
        self.code = code or self.code
        self.details = details
        super().__init__(self.message)


class InvalidInput(ShopError):
    """The caller asked for something that can never succeed as asked (HTTP 400)."""

    code = "invalid"
    default_message = "The request is not valid."


class NotFound(ShopError):
    """What the caller named does not exist, or is not theirs to see (HTTP 404)."""

    code = "not_found"
    default_message = "No such resource."


class Conflict(ShopError):
    """The request is valid but the current state forbids it (HTTP 409)."""

    code = "conflict"
    default_message = "The request conflicts with the current state."


class Unavailable(ShopError):
    """Something the shop depends on is down or busy; trying again later may work (HTTP 503)."""

    code = "unavailable"
    default_message = "A service the shop depends on is unavailable. Try again shortly."
    retry_after: int | None = 5


class TransientError(Unavailable):
    """A failure worth retrying as it is: a timeout, a lock, a dependency restarting.

    Workflow steps retry these (and only these) with backoff; anything else fails the step.
    """

    code = "transient"


class TooLarge(InvalidInput):
    """What the caller sent is bigger than the shop accepts (HTTP 413)."""

    code = "too_large"
    default_message = "What was sent is too large."


class UnsupportedType(InvalidInput):
    """What the caller sent is of a type the shop does not take (HTTP 415)."""

    code = "unsupported_type"
    default_message = "This type of content is not supported."


class UpstreamRefused(ShopError):
    """A service the shop depends on answered, and refused what the shop asked (HTTP 502)."""

    code = "upstream_refused"
    default_message = "A service the shop depends on refused the request."


class StepSkipped(ShopError):
    """A workflow step found nothing to do (its order was cancelled, say): the step is
    skipped (Celery's Ignore) and the rest of its chain does not run. Never an HTTP answer."""

    code = "skipped"
    default_message = "The step has nothing to do."

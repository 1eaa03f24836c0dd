"""API rate limits that hold across every gunicorn worker and process.

DRF's throttles keep their history in Django's cache, which here is per process: with
several gunicorn workers each would allow the full rate. These keep DRF's rules (rates
from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], who counts as whom, a sliding window:
"10/min" is at most 10 requests in any 60 seconds, 429 with Retry-After beyond) but keep
the window in the coordination Redis (shop.platform.coordination), one sorted set per caller and
scope, updated atomically by one script, so every process counts the same requests.
"""

from __future__ import annotations

import logging
import uuid

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from .coordination import script_run

logger = logging.getLogger(__name__)

BUCKET_PREFIX = "ratelimit:throttle"

# Drop the requests older than the window; record this one if fewer than `limit` remain.
# Returns 0 when allowed, else the milliseconds until the oldest request leaves the window.
_SLIDING_WINDOW_LUA = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now_ms - window_ms)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now_ms, ARGV[3])
  redis.call('PEXPIRE', key, window_ms)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window_ms - now_ms)
"""


class SharedRateThrottle(SimpleRateThrottle):
    """SimpleRateThrottle with its window in Redis instead of the process's own cache."""

    _wait = 0.0

    def get_rate(self) -> str | None:
        # Read at each request, not at import: settings can change (tests, reloads).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        requests, seconds = self.parse_rate(self.rate)
        try:
            wait_ms = script_run(
                _SLIDING_WINDOW_LUA,
                keys=[f"{BUCKET_PREFIX}:{self.key}"],
                args=[requests, seconds * 1000, uuid.uuid4().hex],
            )
        except RedisError:
            # A limit must not take the shop down with Redis: let the request through.
            logger.warning("Rate limit %s not checked: Redis unavailable", self.scope, exc_info=True)
            return True
        self._wait = int(wait_ms) / 1000
        return self._wait == 0

    def wait(self) -> float:
        return self._wait


class AnonThrottle(AnonRateThrottle, SharedRateThrottle):
    """Anonymous callers, per client address: the "anon" rate."""


class UserThrottle(UserRateThrottle, SharedRateThrottle):
    """Signed-in callers, per account: the "user" rate. Anonymous callers are AnonThrottle's
    alone; DRF's UserRateThrottle would count them a second time, per address, costing every
    anonymous request (most of the catalog's) a second Redis script."""

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class ScopeThrottle(ScopedRateThrottle, SharedRateThrottle):
    """Views that set `throttle_scope` (login, register, checkout): that scope's rate,
    per account or per address, on top of the anon/user limits."""

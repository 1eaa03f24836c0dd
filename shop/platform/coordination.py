"""Coordination between worker processes through Redis (db 2): rate limits and locks.

Celery's `rate_limit` is per worker process; a limit that must hold across all workers
(outgoing mail, requests to the supplier) is a token bucket here instead.
"""

from __future__ import annotations

import time
from functools import cache

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.retry import Retry
from redis.sentinel import Sentinel

from shop.platform.errors import TransientError

# Refill the bucket for the time elapsed, then take `requested` tokens if there are enough.
# Returns 0 when granted, else the milliseconds to wait before the tokens will be there.
_TOKEN_BUCKET_LUA = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local requested = tonumber(ARGV[3])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now_ms
tokens = math.min(capacity, tokens + (now_ms - at) * rate / 1000)
local wait_ms = 0
if tokens >= requested then
  tokens = tokens - requested
else
  wait_ms = math.ceil((requested - tokens) * 1000 / rate)
end
redis.call('HSET', key, 'tokens', tokens, 'at', now_ms)
redis.call('PEXPIRE', key, math.ceil(capacity * 1000 / rate) + 1000)
return wait_ms
"""


def redis_connect(*, url: str, db: int, timeout: float = 5, fail_fast: bool = False) -> redis.Redis:
    """A new client of database `db` of the shop's Redis: `url`, or with REDIS_SENTINELS the
    master the Sentinels name (the client asks them again after a failover). `fail_fast`
    (health checks) turns off redis-py's retries with backoff, which take seconds per server."""
    options = {"socket_connect_timeout": min(2, timeout), "socket_timeout": timeout}
    if fail_fast:
        options["retry"] = Retry(NoBackoff(), 0)
    if not settings.REDIS_SENTINELS:
        return redis.Redis.from_url(url, **options)
    addresses = [(host, int(port)) for host, port in (a.rsplit(":", 1) for a in settings.REDIS_SENTINELS)]
    sentinel_options = {**options, "socket_connect_timeout": 1, "socket_timeout": 1}
    sentinel = Sentinel(addresses, sentinel_kwargs=sentinel_options)
    return sentinel.master_for(settings.REDIS_SENTINEL_MASTER, db=db, **options)


@cache
def _client_for(url: str, sentinels: tuple[str, ...]) -> redis.Redis:
    return redis_connect(url=url, db=2)


def redis_client() -> redis.Redis:
    """The coordination Redis (its address is read each call, so tests can point it elsewhere)."""
    return _client_for(settings.COORDINATION_REDIS_URL, tuple(settings.REDIS_SENTINELS))


@cache
def _script_for(client: redis.Redis, lua: str) -> Script:
    return client.register_script(lua)


def script_run(lua: str, *, keys: list[str], args: list[object]) -> object:
    """Run a Lua script on the coordination Redis by its SHA (EVALSHA): the script's text is
    sent only when the server does not know it yet (first use, a restart, a failover)."""
    client = redis_client()
    return _script_for(client, lua)(keys=keys, args=args)


class RateLimitTimeout(TransientError):
    """The bucket did not grant a token within the caller's deadline."""


class TokenBucket:
    """A global rate limit: `rate` tokens per second, bursts up to `capacity`."""

    def __init__(self, name: str, *, rate: float, capacity: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.key = f"ratelimit:{name}"
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)

    def try_acquire(self, tokens: float = 1) -> float:
        """Take tokens if available; return 0.0, or the seconds to wait before trying again."""
        wait_ms = script_run(_TOKEN_BUCKET_LUA, keys=[self.key], args=[self.rate, self.capacity, tokens])
        return int(wait_ms) / 1000

    def acquire(self, tokens: float = 1, *, timeout: float = 30) -> None:
        """Block until the tokens are granted, or raise RateLimitTimeout after `timeout` s."""
        deadline = time.monotonic() + timeout
        while (wait := self.try_acquire(tokens)) > 0:
            if time.monotonic() + wait > deadline:
                raise RateLimitTimeout(f"{self.key}: no token within {timeout}s")
            time.sleep(wait)


def lock(name: str, *, ttl: float, blocking: bool = False) -> redis.lock.Lock:
    """A lock shared by every process; it expires after `ttl` seconds if its holder dies."""
    return redis_client().lock(f"lock:{name}", timeout=ttl, blocking=blocking)

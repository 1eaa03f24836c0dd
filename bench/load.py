"""K concurrent HTTP clients, each on its own keep-alive connection (stdlib http.client:
the load generator shares the two cores with the server, so it must cost little)."""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Sample:
    sent_at: float  # wall clock, comparable with timestamps the server stores
    seconds: float
    status: int
    body: bytes


def http_load(
    base_url: str,
    *,
    clients: int,
    request_for: Callable[[int], Request],
    total: int | None = None,
    duration: float | None = None,
) -> list[Sample]:
    """Send requests `request_for(0)`, `request_for(1)`, … from `clients` threads until
    `total` were sent or `duration` seconds passed; every response is read in full."""
    address = urlsplit(base_url)
    numbers = itertools.count()
    numbers_lock = threading.Lock()
    deadline = time.monotonic() + duration if duration is not None else None
    samples: list[Sample] = []
    errors: list[BaseException] = []

    def next_number() -> int | None:
        if deadline is not None and time.monotonic() >= deadline:
            return None
        with numbers_lock:
            number = next(numbers)
        return None if total is not None and number >= total else number

    def client() -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        mine = []
        try:
            while (number := next_number()) is not None:
                request = request_for(number)
                mine.append(_send(connection, request))
        except BaseException as exc:  # reported below: a silent thread would skew the figures
            errors.append(exc)
        finally:
            connection.close()
            samples.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} HTTP clients failed; the first: {errors[0]!r}") from errors[0]
    return samples


def _send(connection: http.client.HTTPConnection, request: Request) -> Sample:
    try:
        return _exchange(connection, request)
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        # gunicorn closes idle keep-alive connections and recycles workers: reconnect once.
        # Safe for checkouts too: each carries its own Idempotency-Key.
        connection.close()
        return _exchange(connection, request)


def _exchange(connection: http.client.HTTPConnection, request: Request) -> Sample:
    sent_at, started = time.time(), time.perf_counter()
    connection.request(request.method, request.path, body=request.body, headers=request.headers or {})
    response = connection.getresponse()
    body = response.read()
    return Sample(sent_at, time.perf_counter() - started, response.status, body)

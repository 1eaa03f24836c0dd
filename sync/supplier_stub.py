"""The supplier's catalog API, standing in for the real one: `python -m sync.supplier_stub`.

Deterministic: the catalog at version V is a pure function of (seed, size, V) (see
sync/supplier_catalog.py), so any past version can be served again (a sync pins the version
it started on) and tests can compare the shop's products with the supplier's record for record. The version advances every
SUPPLIER_VERSION_SECONDS (0 = only by the control endpoint); with each version some prices
and stock levels change and some products disappear or appear.

Faults are switched by environment (SUPPLIER_LATENCY_MS, SUPPLIER_ERROR_RATE,
SUPPLIER_THROTTLE_RATE, SUPPLIER_RETRY_AFTER, SUPPLIER_TIMEOUT_RATE,
SUPPLIER_TIMEOUT_SECONDS, SUPPLIER_MALFORMED_PAGES, SUPPLIER_FAULT_SEED) or by
`POST /control`. Whether a request faults is drawn from (seed, page key, attempt number), so
a run of requests faults the same way each time; after `max_consecutive_faults` faults in a
row on one page the next attempt succeeds, so a client with bounded retries always converges.

    GET  /products?page=N&page_size=M[&version=V]  or  /products?cursor=C   (faults apply)
    GET  /catalog[?version=V]   the whole listing, never faulted (checks and tests)
    GET  /control               the switches, the current version and request counters
    POST /control               JSON: any switch; "version": V; "advance_version": N; "reset": true
    GET  /healthz

Why the standard library's ThreadingHTTPServer and not a framework: the stub must start in a
fraction of a second for every test session, run without Django settings or extra packages,
and let one request sleep (the read-timeout fault) while others are served; a thread per
connection does exactly that, and the whole API is five routes.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import logging
import os
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .supplier_catalog import catalog_at, fraction

logger = logging.getLogger("supplier_stub")

MAX_PAGE_SIZE = 1000

# --- Switches and state -------------------------------------------------------------------


@dataclasses.dataclass
class Switches:
    size: int = 5000
    page_size: int = 100
    seed: int = 0
    version_seconds: float = 0.0
    latency_ms: int = 0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after: int = 1
    timeout_rate: float = 0.0
    timeout_seconds: float = 15.0
    malformed_pages: list[int] = dataclasses.field(default_factory=list)
    fault_seed: int = 0
    max_consecutive_faults: int = 3

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Switches:
        switches = cls()
        for field in dataclasses.fields(cls):
            raw = env.get(f"SUPPLIER_{field.name.upper()}")
            if raw is not None:
                setattr(switches, field.name, _coerce(field.name, raw))
        switches.validate()
        return switches

    def validate(self) -> None:
        if self.size < 0 or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"size must be >= 0 and page_size within 1..{MAX_PAGE_SIZE}")
        rates = (self.error_rate, self.throttle_rate, self.timeout_rate)
        if any(r < 0 for r in rates) or sum(rates) > 1:
            raise ValueError("error_rate, throttle_rate and timeout_rate must be >= 0 and sum to <= 1")
        if min(self.latency_ms, self.retry_after, self.timeout_seconds, self.max_consecutive_faults) < 0:
            raise ValueError(
                "latency_ms, retry_after, timeout_seconds and max_consecutive_faults must be >= 0"
            )


_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(Switches)}


def _coerce(name: str, value: Any) -> Any:
    """A switch value from JSON or the environment, or ValueError."""
    kind = _FIELD_TYPES[name]
    if kind == "list[int]":
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list):
            raise ValueError(f"{name} must be a list of page numbers")
        return sorted({int(part) for part in value})
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    return int(value) if kind == "int" else float(value)


class StubState:
    """The switches, the version clock and the per-page fault counters, behind one lock."""

    def __init__(self, initial: Switches) -> None:
        self.initial = initial
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.switches = dataclasses.replace(self.initial, malformed_pages=list(self.initial.malformed_pages))
        self.base_version = 0
        self.clock_started = time.monotonic()
        self.attempts: dict[str, int] = {}
        self.fault_streaks: dict[str, int] = {}
        self.counters = {"ok": 0, "error": 0, "throttle": 0, "timeout": 0, "malformed": 0}

    @property
    def version(self) -> int:
        seconds = self.switches.version_seconds
        ticks = int((time.monotonic() - self.clock_started) / seconds) if seconds > 0 else 0
        return self.base_version + ticks

    def set_version(self, version: int) -> None:
        self.base_version = version
        self.clock_started = time.monotonic()

    def describe(self) -> dict[str, Any]:
        return {"version": self.version, "switches": dataclasses.asdict(self.switches),
                "counters": dict(self.counters)}  # fmt: skip

    def apply(self, changes: dict[str, Any]) -> None:
        """Change switches from a control request; ValueError leaves everything as it was."""
        if changes.get("reset"):
            self.reset()
        updated = dataclasses.replace(self.switches)
        for name, value in changes.items():
            if name in ("reset", "version", "advance_version"):
                continue
            if name not in _FIELD_TYPES:
                raise ValueError(f"unknown switch: {name}")
            setattr(updated, name, _coerce(name, value))
        updated.validate()
        version = self.version
        if "version" in changes:
            version = int(changes["version"])
        if "advance_version" in changes:
            version += int(changes["advance_version"])
        if version < 0:
            raise ValueError("version must be >= 0")
        if updated.version_seconds != self.switches.version_seconds or version != self.version:
            self.set_version(version)
        self.switches = updated

    def fault_for(self, key: str) -> str | None:
        """The fault this attempt at `key` gets ("error", "throttle", "timeout") or None."""
        s = self.switches
        attempt = self.attempts.get(key, 0) + 1
        self.attempts[key] = attempt
        streak = self.fault_streaks.get(key, 0)
        roll = fraction(s.fault_seed, "fault", key, attempt)
        fault = None
        if streak < s.max_consecutive_faults:
            if roll < s.error_rate:
                fault = "error"
            elif roll < s.error_rate + s.throttle_rate:
                fault = "throttle"
            elif roll < s.error_rate + s.throttle_rate + s.timeout_rate:
                fault = "timeout"
        self.fault_streaks[key] = streak + 1 if fault else 0
        self.counters[fault or "ok"] += 1
        return fault


# --- HTTP ---------------------------------------------------------------------------------


class BadRequest(Exception):
    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


def _int_param(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name, [str(default)])[-1]
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be within {low}..{high}")
    return value


def _encode_cursor(version: int, page: int, page_size: int) -> str:
    raw = json.dumps({"v": version, "p": page, "s": page_size}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, int, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return int(data["v"]), int(data["p"]), int(data["s"])
    except (ValueError, KeyError, TypeError):
        raise BadRequest("cursor is not one this server gave out") from None


class SupplierHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a requests.Session expects
    server: SupplierServer

    def do_GET(self) -> None:
        self._route({"/products": self._products, "/catalog": self._catalog,
                     "/control": self._control_read, "/healthz": self._health})  # fmt: skip

    def do_POST(self) -> None:
        self._route({"/control": self._control_write})

    def _route(self, routes: dict) -> None:
        url = urlsplit(self.path)
        handler = routes.get(url.path.rstrip("/") or "/")
        try:
            if handler is None:
                raise BadRequest(f"no route {self.command} {url.path}", HTTPStatus.NOT_FOUND)
            handler(parse_qs(url.query))
        except BadRequest as exc:
            self._send_json({"error": str(exc)}, status=exc.status)
        except (BrokenPipeError, ConnectionResetError):
            pass  # The client gave up (its read timeout); nothing to answer.

    def _pinned_version(self, query: dict[str, list[str]]) -> int:
        current = self.server.state.version
        version = _int_param(query, "version", current, 0, current)
        return version

    def _products(self, query: dict[str, list[str]]) -> None:
        state = self.server.state
        with state.lock:
            switches = state.switches
            if "cursor" in query:
                version, page, page_size = _decode_cursor(query["cursor"][-1])
                if version > state.version:
                    raise BadRequest("cursor is not one this server gave out")
            else:
                version = self._pinned_version(query)
                page = _int_param(query, "page", 1, 1, 10**6)
                page_size = _int_param(query, "page_size", switches.page_size, 1, MAX_PAGE_SIZE)
            fault = state.fault_for(f"{version}:{page}:{page_size}")
            malformed = fault is None and page in switches.malformed_pages
            if malformed:
                state.counters["ok"] -= 1
                state.counters["malformed"] += 1
        if switches.latency_ms:
            time.sleep(switches.latency_ms / 1000)
        if fault == "error":
            self._send_json({"error": "internal error (injected)"}, status=HTTPStatus.INTERNAL_SERVER_ERROR)
            return
        if fault == "throttle":
            self._send_json({"error": "too many requests (injected)"}, status=HTTPStatus.TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(switches.retry_after)})  # fmt: skip
            return
        if fault == "timeout":
            time.sleep(switches.timeout_seconds)
        listing = catalog_at(switches.seed, switches.size, version)
        pages = max(1, -(-len(listing) // page_size))
        if page > pages:
            raise BadRequest(f"page {page} is past the last page ({pages})", HTTPStatus.NOT_FOUND)
        body = {
            "version": version,
            "page": page,
            "pages": pages,
            "page_size": page_size,
            "total": len(listing),
            "next_cursor": _encode_cursor(version, page + 1, page_size) if page < pages else None,
            "items": list(listing[(page - 1) * page_size : page * page_size]),
        }
        if malformed:
            encoded = json.dumps(body).encode()
            self._send_raw(encoded[: len(encoded) // 2], content_type="application/json")
            return
        self._send_json(body)

    def _catalog(self, query: dict[str, list[str]]) -> None:
        with self.server.state.lock:
            version = self._pinned_version(query)
            switches = self.server.state.switches
        items = catalog_at(switches.seed, switches.size, version)
        self._send_json({"version": version, "total": len(items), "items": list(items)})

    def _control_read(self, query: dict[str, list[str]]) -> None:
        with self.server.state.lock:
            self._send_json(self.server.state.describe())

    def _control_write(self, query: dict[str, list[str]]) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            changes = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            raise BadRequest("the body must be JSON") from None
        if not isinstance(changes, dict):
            raise BadRequest("the body must be a JSON object")
        with self.server.state.lock:
            try:
                self.server.state.apply(changes)
            except (TypeError, ValueError) as exc:
                raise BadRequest(str(exc)) from None
            described = self.server.state.describe()
        logger.info("control: %s -> version %s", changes, described["version"])
        self._send_json(described)

    def _health(self, query: dict[str, list[str]]) -> None:
        self._send_json({"status": "ok"})

    def _send_json(
        self, body: Any, *, status: HTTPStatus = HTTPStatus.OK, headers: dict | None = None
    ) -> None:
        self._send_raw(json.dumps(body).encode(), content_type="application/json", status=status,
                       headers=headers)  # fmt: skip

    def _send_raw(self, payload: bytes, *, content_type: str, status: HTTPStatus = HTTPStatus.OK,
                  headers: dict | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class SupplierServer(ThreadingHTTPServer):
    daemon_threads = True  # a request sleeping through a timeout fault must not block exit
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: StubState) -> None:
        super().__init__(address, SupplierHandler)
        self.state = state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default=os.environ.get("SUPPLIER_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SUPPLIER_PORT", "8001")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")
    env = {"SUPPLIER_VERSION_SECONDS": "300", **os.environ}  # the catalog moves by default
    state = StubState(Switches.from_env(env))
    server = SupplierServer((args.host, args.port), state)
    logger.info("supplier stub on http://%s:%s: %s", args.host, args.port, state.describe())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

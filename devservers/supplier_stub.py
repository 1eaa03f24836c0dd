"""The supplier's catalog API, standing in for the real one: `python -m devservers.supplier_stub`.

Deterministic: the catalog at version V is a pure function of (seed, size, V) (see
devservers/supplier_catalog.py), so any past version can be served again (a sync pins the version
it started on) and tests can compare the shop's products with the supplier's record for record. The version advances every
SUPPLIER_VERSION_SECONDS (0 = only by the control endpoint); with each version some prices
and stock levels change and some products disappear or appear.

Each product lists 1 to SUPPLIER_PICTURES_PER_PRODUCT picture URLs (0: none, as the bench
runs), drawn on request with Pillow (catalog/drawing.py) in the produce's colour, with an
ETag and a Last-Modified that change only when the picture does, and answered 304 to a
conditional GET that still matches.

Faults are switched by environment (SUPPLIER_LATENCY_MS, SUPPLIER_ERROR_RATE,
SUPPLIER_THROTTLE_RATE, SUPPLIER_RETRY_AFTER, SUPPLIER_TIMEOUT_RATE,
SUPPLIER_TIMEOUT_SECONDS, SUPPLIER_MALFORMED_PAGES, SUPPLIER_FAULT_SEED) or by
`POST /control`; pictures have rates of their own (SUPPLIER_PICTURE_LATENCY_MS,
SUPPLIER_PICTURE_ERROR_RATE, SUPPLIER_PICTURE_THROTTLE_RATE, SUPPLIER_PICTURE_TIMEOUT_RATE), so
a picture server in trouble can be told apart from the catalog API. Whether a request faults is drawn from (seed, page key, attempt number), so
a run of requests faults the same way each time; after `max_consecutive_faults` faults in a
row on one page the next attempt succeeds, so a client with bounded retries always converges.

    GET  /products?page=N&page_size=M[&version=V]  or  /products?cursor=C   (faults apply)
    GET  /catalog[?version=V]   the whole listing, never faulted (checks and tests)
    GET  /pictures/SUP-000123/1.jpg   a product's picture (faults apply; If-None-Match, If-Modified-Since)
    PUT  /pictures/SUP-000123/1.jpg   serve the body instead (tests: a hostile file), until a reset
    GET  /control               the switches, the current version and request counters
    POST /control               JSON: any switch; "version": V; "advance_version": N; "reset": true
    GET  /healthz

Why the standard library's ThreadingHTTPServer and not a framework: the stub must start in a
fraction of a second for every test session, run without Django settings or packages beyond Pillow,
and let one request sleep (the read-timeout fault) while others are served; a thread per
connection does exactly that, and the whole API is five routes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .supplier_catalog import catalog_at
from .supplier_pictures import Picture, catalog_picture, http_date, uploaded_picture
from .supplier_requests import BadRequest, cursor_decode, cursor_encode, int_param
from .supplier_state import MAX_PAGE_SIZE, StubState, Switches

logger = logging.getLogger("supplier_stub")


# --- HTTP ---------------------------------------------------------------------------------


class SupplierHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a requests.Session expects
    server: SupplierServer

    def do_GET(self) -> None:
        self._route({"/products": self._products, "/catalog": self._catalog, "/pictures/": self._picture,
                     "/control": self._control_read, "/healthz": self._health})  # fmt: skip

    def do_POST(self) -> None:
        self._route({"/control": self._control_write})

    def do_PUT(self) -> None:
        self._route({"/pictures/": self._picture_upload})

    def _route(self, routes: dict) -> None:
        url = urlsplit(self.path)
        handler = routes.get(
            "/pictures/" if url.path.startswith("/pictures/") else url.path.rstrip("/") or "/"
        )
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
        version = int_param(query, "version", current, 0, current)
        return version

    def _products(self, query: dict[str, list[str]]) -> None:
        state = self.server.state
        with state.lock:
            switches = state.switches
            if "cursor" in query:
                version, page, page_size = cursor_decode(query["cursor"][-1])
                if version > state.version:
                    raise BadRequest("cursor is not one this server gave out")
            else:
                version = self._pinned_version(query)
                page = int_param(query, "page", 1, 1, 10**6)
                page_size = int_param(query, "page_size", switches.page_size, 1, MAX_PAGE_SIZE)
            fault = state.fault_for(f"{version}:{page}:{page_size}")
            malformed = fault is None and page in switches.malformed_pages
            if malformed:
                state.counters["ok"] -= 1
                state.counters["malformed"] += 1
        if self._faulted(fault, switches, latency_ms=switches.latency_ms):
            return
        listing = catalog_at(switches.seed, switches.size, version, switches.pictures_per_product)
        pages = max(1, -(-len(listing) // page_size))
        if page > pages:
            raise BadRequest(f"page {page} is past the last page ({pages})", HTTPStatus.NOT_FOUND)
        body = {
            "version": version,
            "page": page,
            "pages": pages,
            "page_size": page_size,
            "total": len(listing),
            "next_cursor": cursor_encode(version, page + 1, page_size) if page < pages else None,
            "items": self._absolute(listing[(page - 1) * page_size : page * page_size]),
        }
        if malformed:
            encoded = json.dumps(body).encode()
            self._send_raw(encoded[: len(encoded) // 2], content_type="application/json")
            return
        self._send_json(body)

    def _faulted(self, fault: str | None, switches: Switches, *, latency_ms: int) -> bool:
        """Answer an injected error or throttle (True), or sleep through a timeout and go on."""
        if latency_ms:
            time.sleep(latency_ms / 1000)
        if fault == "error":
            self._send_json({"error": "internal error (injected)"}, status=HTTPStatus.INTERNAL_SERVER_ERROR)
            return True
        if fault == "throttle":
            self._send_json({"error": "too many requests (injected)"}, status=HTTPStatus.TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(switches.retry_after)})  # fmt: skip
            return True
        if fault == "timeout":
            time.sleep(switches.timeout_seconds)
        return False

    def _absolute(self, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items with their picture paths made absolute on the address the client asked."""
        host, port = self.server.server_address[:2]
        origin = f"http://{self.headers.get('Host') or f'{host}:{port}'}"
        return [{**item, "pictures": [origin + path for path in item["pictures"]]} for item in items]

    def _catalog(self, query: dict[str, list[str]]) -> None:
        with self.server.state.lock:
            version = self._pinned_version(query)
            switches = self.server.state.switches
        items = self._absolute(
            catalog_at(switches.seed, switches.size, version, switches.pictures_per_product)
        )
        self._send_json({"version": version, "total": len(items), "items": items})

    def _picture(self, query: dict[str, list[str]]) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        with state.lock:
            switches = state.switches
            picture = state.picture_overrides.get(path) or catalog_picture(
                seed=switches.seed, size=switches.size, pictures=switches.pictures_per_product,
                version=state.version, path=path,
            )  # fmt: skip
            if picture is None:
                raise BadRequest(f"no picture {path}", HTTPStatus.NOT_FOUND)
            fault = state.fault_for(f"picture:{path}", pictures=True)
            fresh = fault is None and picture.matches(
                if_none_match=self.headers.get("If-None-Match"),
                if_modified_since=self.headers.get("If-Modified-Since"),
            )
            if fresh:
                state.picture_counters["ok"] -= 1
                state.picture_counters["not_modified"] += 1
        if self._faulted(fault, switches, latency_ms=switches.picture_latency_ms):
            return
        validators = {"ETag": picture.etag, "Last-Modified": http_date(picture.last_modified),
                      "Cache-Control": "no-cache"}  # fmt: skip
        if fresh:
            self._send_raw(b"", content_type=picture.content_type, status=HTTPStatus.NOT_MODIFIED,
                           headers=validators)  # fmt: skip
            return
        self._send_raw(picture.content, content_type=picture.content_type, headers=validators)

    def _picture_upload(self, query: dict[str, list[str]]) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        picture: Picture = uploaded_picture(
            content=self.rfile.read(length),
            content_type=self.headers.get("Content-Type") or "application/octet-stream",
        )
        with self.server.state.lock:
            self.server.state.picture_overrides[urlsplit(self.path).path] = picture
        self._send_json({"etag": picture.etag, "bytes": length})

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
        if status != HTTPStatus.NOT_MODIFIED:
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

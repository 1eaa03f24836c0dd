"""The supplier's catalog API as typed records, with its failures sorted for the retry policy.

`TransientSupplierError` (timeouts, connection errors, 5xx, 429, our own rate limit) is worth
retrying, with `retry_after` when the supplier said how long to wait; `PermanentSupplierError`
(other 4xx, a payload that does not parse) will fail the same way again.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from shop.platform.coordination import RateLimitTimeout, TokenBucket
from shop.platform.errors import TransientError

RATE_LIMIT_BUCKET = "supplier-api"


class SupplierError(Exception):
    """Anything that went wrong talking to the supplier."""


class TransientSupplierError(SupplierError, TransientError):
    """Worth retrying; `retry_after` is the supplier's own wait in seconds, if it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSupplierError(SupplierError):
    """Retrying will not help: a 4xx the supplier means, or a payload we cannot read."""


class MalformedPayload(PermanentSupplierError):
    """The supplier answered 200 with something that is not a valid catalog page."""


@dataclass(frozen=True)
class SupplierProduct:
    ref: str
    sku: str
    name: str
    description: str
    category: str
    price: Decimal
    currency: str
    stock: int
    # Absolute URLs of the product's pictures, in the supplier's order (synced by sync/pictures.py).
    pictures: tuple[str, ...] = ()


@dataclass(frozen=True)
class PictureDownload:
    """A picture's bytes (at most the shop's upload limit plus one) and its validators."""

    content: bytes
    etag: str
    last_modified: str


@dataclass(frozen=True)
class SupplierPage:
    version: int
    number: int
    pages: int
    page_size: int
    total: int
    items: tuple[SupplierProduct, ...]


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """A Retry-After header (delta seconds or an HTTP date) in seconds; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    return max(0.0, (when - current).total_seconds())


def _text(item: dict[str, Any], name: str, max_length: int, *, blank: bool = False) -> str:
    value = item.get(name)
    if not isinstance(value, str) or (not blank and not value.strip()) or len(value) > max_length:
        raise MalformedPayload(f"item {item.get('ref')!r}: {name} must be a string of at most {max_length}")
    return value


def _product_from(item: Any) -> SupplierProduct:
    if not isinstance(item, dict):
        raise MalformedPayload("an item is not an object")
    try:
        price = Decimal(str(item.get("price")))
    except InvalidOperation:
        raise MalformedPayload(f"item {item.get('ref')!r}: price is not a number") from None
    if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")) or price >= 10**8:
        raise MalformedPayload(f"item {item.get('ref')!r}: price {price} is out of range")
    stock = item.get("stock")
    if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
        raise MalformedPayload(f"item {item.get('ref')!r}: stock must be a whole number >= 0")
    return SupplierProduct(
        pictures=_pictures(item),
        ref=_text(item, "ref", 64),
        sku=_text(item, "sku", 40),
        name=_text(item, "name", 120),
        description=_text(item, "description", 10_000, blank=True),
        category=_text(item, "category", 80),
        price=price,
        currency=_text(item, "currency", 3),
        stock=stock,
    )


MAX_PICTURES = 10


def _pictures(item: dict[str, Any]) -> tuple[str, ...]:
    """The item's picture URLs: absent means none; anything but a short list of http(s) URLs is malformed."""
    urls = item.get("pictures", [])
    if not isinstance(urls, list) or len(urls) > MAX_PICTURES:
        raise MalformedPayload(f"item {item.get('ref')!r}: pictures must be a list of at most {MAX_PICTURES}")
    for url in urls:
        if not isinstance(url, str) or len(url) > 500 or urlsplit(url).scheme not in ("http", "https"):
            raise MalformedPayload(
                f"item {item.get('ref')!r}: picture {str(url)[:80]!r} is not an http(s) URL"
            )
    if len(set(urls)) != len(urls):
        raise MalformedPayload(f"item {item.get('ref')!r} lists a picture twice")
    return tuple(urls)


def _page_from(data: Any) -> SupplierPage:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise MalformedPayload("the page is not an object with a list of items")
    numbers = {}
    for name in ("version", "page", "pages", "page_size", "total"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise MalformedPayload(f"the page's {name} is not a whole number")
        numbers[name] = value
    items = tuple(_product_from(item) for item in data["items"])
    if len({item.ref for item in items}) != len(items):
        raise MalformedPayload(f"page {numbers['page']} lists a product twice")
    return SupplierPage(
        version=numbers["version"],
        number=numbers["page"],
        pages=numbers["pages"],
        page_size=numbers["page_size"],
        total=numbers["total"],
        items=items,
    )


class SupplierClient:
    """The supplier's HTTP API. One instance per task run; it owns a requests.Session."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        rate_limit: TokenBucket | None = None,
        rate_limit_wait: float = 20,
    ) -> None:
        self.base_url = (base_url or settings.SUPPLIER_API_URL).rstrip("/")
        self.timeout = (
            connect_timeout if connect_timeout is not None else settings.SUPPLIER_CONNECT_TIMEOUT,
            read_timeout if read_timeout is not None else settings.SUPPLIER_READ_TIMEOUT,
        )
        self.rate_limit = rate_limit
        self.rate_limit_wait = rate_limit_wait
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"

    @classmethod
    def from_settings(cls) -> SupplierClient:
        """The client the workers use: every request takes a token from the global bucket."""
        bucket = TokenBucket(RATE_LIMIT_BUCKET, rate=settings.SUPPLIER_RATE_PER_SECOND)
        return cls(rate_limit=bucket)

    def __enter__(self) -> SupplierClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.session.close()

    def page(self, *, number: int, page_size: int, version: int | None = None) -> SupplierPage:
        """One page of the catalog (pinned to `version` if given)."""
        params = {"page": number, "page_size": page_size}
        if version is not None:
            params["version"] = version
        page = _page_from(self._request("GET", "/products", params=params))
        if page.number != number or (version is not None and page.version != version):
            raise MalformedPayload(
                f"asked for page {number} v{version}, got page {page.number} v{page.version}"
            )
        return page

    def faults(self) -> dict[str, Any]:
        """The supplier stub's switches and counters (the stub's control endpoint)."""
        return self._request("GET", "/control")

    def faults_set(self, changes: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/control", json=changes)

    def picture(
        self, *, url: str, etag: str = "", last_modified: str = "", max_bytes: int
    ) -> PictureDownload | None:
        """Download a picture, or None if it has not changed since (a conditional GET answered 304).

        Only from the supplier's own host (a listing must not make the shop fetch anything
        else); the body is read up to `max_bytes` + 1 bytes, so a huge one costs no more than
        that and is refused by the same size check as an upload.
        """
        absolute = urljoin(self.base_url + "/", url)
        if urlsplit(absolute)[:2] != urlsplit(self.base_url)[:2]:
            raise PermanentSupplierError(f"picture {url[:200]} is not on the supplier's host")
        headers = {"Accept": "image/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        path = urlsplit(absolute).path
        with self._send("GET", absolute, headers=headers, stream=True) as response:
            if response.status_code == 304:
                return None
            content = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    content += chunk
                    if len(content) > max_bytes:
                        break
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                raise TransientSupplierError(f"GET {path}: {type(exc).__name__}: {exc}") from exc
            return PictureDownload(
                content=bytes(content[: max_bytes + 1]),
                etag=response.headers.get("ETag", "")[:200],
                last_modified=response.headers.get("Last-Modified", "")[:64],
            )

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, f"{self.base_url}{path}", **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedPayload(f"{method} {path}: the body is not JSON ({exc})") from exc

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """The response to a request that succeeded (2xx or 304), or the supplier error it is."""
        if self.rate_limit is not None:
            try:
                self.rate_limit.acquire(timeout=self.rate_limit_wait)
            except RateLimitTimeout as exc:
                raise TransientSupplierError(str(exc), retry_after=1) from exc
        path = urlsplit(url).path
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # ConnectTimeout and ReadTimeout are Timeouts; a body cut short is a ChunkedEncodingError.
            raise TransientSupplierError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        except requests.RequestException as exc:
            raise PermanentSupplierError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientSupplierError(
                f"{method} {path}: HTTP {status}",
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 400:
            raise PermanentSupplierError(f"{method} {path}: HTTP {status}: {response.text[:200]}")
        return response

"""The supplier stub's request parsing: bounded integer parameters and opaque page cursors."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus


class BadRequest(Exception):
    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


def int_param(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name, [str(default)])[-1]
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be within {low}..{high}")
    return value


def cursor_encode(version: int, page: int, page_size: int) -> str:
    raw = json.dumps({"v": version, "p": page, "s": page_size}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[int, int, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return int(data["v"]), int(data["p"]), int(data["s"])
    except (ValueError, KeyError, TypeError):
        raise BadRequest("cursor is not one this server gave out") from None

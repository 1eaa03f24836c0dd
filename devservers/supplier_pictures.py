"""The supplier stub's pictures: which picture a URL names at a version, its validators, its bytes.

A picture is drawn on first request (catalog/drawing.py, in the produce's colour and shape)
and kept in a small cache; its ETag and Last-Modified come from (seed, product, number,
revision) without drawing, so a conditional GET that still matches costs nothing.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from catalog.drawing import still_life

from .supplier_catalog import index_of, is_listed, line_of, picture_count, picture_revision

PICTURE_SIZE = (800, 600)
_PATH = re.compile(r"^/pictures/(?P<ref>[A-Z]+-\d+)/(?P<number>\d{1,3})\.jpg$")
# Last-Modified of revision 0; each later revision is a week newer.
_FIRST_DRAWN = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Picture:
    etag: str
    last_modified: datetime
    content_type: str
    key: tuple  # what `content` is drawn from (catalog pictures) ...
    body: bytes | None = None  # ... or the bytes a test put there

    @property
    def content(self) -> bytes:
        return self.body if self.body is not None else _drawn(*self.key)

    def matches(self, *, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether a conditional GET with these headers gets 304 (If-None-Match wins, RFC 9110)."""
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since is not None:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            return since.tzinfo is not None and self.last_modified <= since
        return False


def catalog_picture(*, seed: int, size: int, pictures: int, version: int, path: str) -> Picture | None:
    """The picture `path` names at `version`, or None if the supplier lists no such picture."""
    match = _PATH.match(path)
    index = index_of(match["ref"]) if match else None
    if index is None or not is_listed(seed, size, index, version):
        return None
    number = int(match["number"])
    if not 1 <= number <= picture_count(seed, index, version, pictures):
        return None
    revision = picture_revision(seed, index, number, version)
    tag = hashlib.blake2b(f"{seed}:{index}:{number}:{revision}".encode(), digest_size=8).hexdigest()
    return Picture(
        etag=f'"{tag}"',
        last_modified=_FIRST_DRAWN + timedelta(days=7 * revision, seconds=int(tag[:4], 16)),
        content_type="image/jpeg",
        key=(seed, index, number, revision),
    )


def uploaded_picture(*, content: bytes, content_type: str) -> Picture:
    """What a test PUT at a picture's URL: served as it is, whatever it is."""
    tag = hashlib.blake2b(content, digest_size=8).hexdigest()
    now = datetime.now(UTC).replace(microsecond=0)
    return Picture(etag=f'"{tag}"', last_modified=now, content_type=content_type, key=(), body=content)


@lru_cache(maxsize=256)
def _drawn(seed: int, index: int, number: int, revision: int) -> bytes:
    line = line_of(seed, index)
    return still_life(
        key=f"supplier:{seed}:{index}:{number}:{revision}",
        title=f"{line.variety} {line.produce.name}",
        size=PICTURE_SIZE,
        colour=line.produce.colour,
        shape=line.produce.shape,
        quality=80,
    )


def http_date(moment: datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)

"""A media storage that behaves like a remote one (S3 and the like): names only, no paths.

It keeps its files in its own folder (`location`, never MEDIA_ROOT) and, like
django-storages' S3Storage, refuses `.path()` (Storage's NotImplementedError) and
overwrites on save. Code that reaches for the file system instead of the Storage API fails
against it, as it would on a host that does not share a disk with the others.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible


@deconstructible
class RemoteLikeStorage(Storage):
    def __init__(self, *, location: str, base_url: str = "/media/") -> None:
        self._root = Path(location)
        self._base_url = base_url

    def _object(self, name: str) -> Path:
        parts = Path(name).parts
        if not parts or ".." in parts or Path(name).is_absolute():
            raise ValueError(f"not a storage name: {name!r}")
        return self._root.joinpath(*parts)

    def _open(self, name: str, mode: str = "rb") -> File:
        return File(self._object(name).open(mode), name=name)

    def _save(self, name: str, content) -> str:
        target = self._object(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        target.write_bytes(content.read())
        return name

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return name  # Overwrites, as S3Storage does by default (file_overwrite=True).

    def delete(self, name: str) -> None:
        target = self._object(name)
        if target.is_dir():
            target.rmdir()  # A "folder" in a bucket is gone once its last object is.
        else:
            target.unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._object(name).is_file()

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        folder = self._object(path)
        if not folder.is_dir():
            raise FileNotFoundError(path)
        entries = list(folder.iterdir())
        return [e.name for e in entries if e.is_dir()], [e.name for e in entries if e.is_file()]

    def size(self, name: str) -> int:
        return self._object(name).stat().st_size

    def url(self, name: str) -> str:
        return f"{self._base_url}{name}"

    def get_modified_time(self, name: str) -> datetime:
        return datetime.fromtimestamp(self._object(name).stat().st_mtime, tz=UTC)

"""Where image files live, and how they are written.

Every file of an image has a deterministic name under `catalog/images/<image id>/`, and
writes overwrite: running the pipeline again for the same image rewrites the same files
instead of adding suffixed copies. Storage failures surface as `StorageUnavailable`, the
one error the pipeline's tasks retry.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from shop.platform.errors import TransientError


class StorageUnavailable(TransientError):
    """Reading or writing a file failed for a reason that may pass (disk, network share)."""


class FileMissing(Exception):
    """A file the pipeline needs is gone: processing again cannot help."""


def image_storage() -> Storage:
    """The media storage, STORAGES["default"] (a callable, so migrations do not freeze it).

    Only storage names and the Storage API are used, never a path: the files may live on
    another host's volume or in a bucket. The storage must overwrite (shop/settings/__init__.py).
    """
    return default_storage


def image_folder(image_id: int) -> str:
    return f"catalog/images/{image_id}"


def original_name(image_id: int, extension: str) -> str:
    return f"{image_folder(image_id)}/original.{extension}"


def rendition_name(image_id: int, size: str, extension: str) -> str:
    return f"{image_folder(image_id)}/renditions/{size}.{extension}"


def file_write(name: str, content: bytes) -> str:
    """Write `content` at exactly `name` (overwriting) and return the name."""
    try:
        saved = image_storage().save(name, ContentFile(content))
    except OSError as exc:
        raise StorageUnavailable(f"cannot write {name}: {exc}") from exc
    if saved != name:  # Guards the idempotency promise should the storage be swapped.
        raise StorageUnavailable(f"storage renamed {name} to {saved}")
    return saved


def file_read(name: str) -> bytes:
    if not name:
        raise FileMissing("the image has no file")
    try:
        with image_storage().open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise FileMissing(f"{name} does not exist") from exc
    except OSError as exc:
        raise StorageUnavailable(f"cannot read {name}: {exc}") from exc


def file_delete(name: str) -> None:
    if name:
        image_storage().delete(name)


def _folder_delete(storage: Storage, folder: str) -> None:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for name in folders:
        _folder_delete(storage, f"{folder}/{name}")
    # FileSystemStorage removes the emptied directory; object stores have none to remove.
    storage.delete(folder)


def image_folder_delete(image_id: int) -> None:
    """Remove every file of a deleted image, so a later image reusing the id starts clean."""
    _folder_delete(image_storage(), image_folder(image_id))

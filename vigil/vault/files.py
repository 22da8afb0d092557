"""The encrypted file store: a folder under VIGIL_DATA_DIR/files by default, or any
S3-compatible object store (`VIGIL_STORAGE_URL`), through Django's storage API
(the `vault` entry of STORAGES; the two backends are in `stores`).

Files are encrypted whole with the same keys as the database fields and written
under random names in two levels of folders (`ab/abcdef...`); the original name is
kept (encrypted) in the database, never in the store. Nothing here is served by the
web server or the object store: files leave only through views that check access,
as attachments.

Keys are built from our own random names and refused unless they have the store's
shape, so no name that comes from outside can point elsewhere.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from vigil.vault import encryption
from vigil.vault.stores import LocalStore, ObjectStore


class StoreError(Exception):
    pass


# The shape of the names `save` makes (and of any a restore may bring back): no dot,
# no slash, so that a name can never climb out of its folder.
NAME = re.compile(r"[A-Za-z0-9_-]{3,100}")


@dataclass(frozen=True)
class StoredFile:
    name: str  # the store's own name, for the database
    size: int
    sha256: str  # of the original content


def _store() -> LocalStore | ObjectStore:
    return storages["vault"]


def _key(name: str) -> str:
    if not NAME.fullmatch(name):
        raise StoreError("a stored file name is not one the store makes")
    return f"{name[:2]}/{name}"


def ready() -> bool:
    """Whether the store can take files now (its folder exists, or can be made, and is
    writable; or its bucket answers): for the readiness probe, which writes nothing."""
    return _store().ready()


def where() -> str:
    """Where the store is (a folder, or s3://BUCKET/PREFIX/), for an operator."""
    return _store().where()


def _where(name: str) -> str:
    # Bound into each file's seal: a file renamed to another's name does not open.
    return f"file {name}"


def readable(name: str, token: bytes) -> bool:
    """Whether a configured key opens `token` as the file `name`."""
    return encryption.readable(token, where=_where(name))


def save(content: bytes) -> StoredFile:
    """Encrypt and write `content` durably; return how to find it again."""
    name = secrets.token_hex(20)
    _store().save(_key(name), ContentFile(encryption.encrypt_bytes(content, where=_where(name))))
    return StoredFile(name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest())


def names() -> list[str]:
    """Every file in the store, by its store name (half-written ones left out)."""
    return _store().names()


def _sealed(name: str) -> bytes:
    with _store().open(_key(name), "rb") as handle:
        return handle.read()


def reseal(name: str) -> bool:
    """Re-encrypt one stored file under the newest key, unless it already is; True
    when it was rewritten. A file deleted meanwhile is not brought back."""
    try:
        token = _sealed(name)
    except FileNotFoundError:
        return False
    if encryption.is_current(token):
        return False
    resealed = encryption.reseal(token, where=_where(name))
    store = _store()
    if not store.exists(_key(name)):
        return False
    store.save(_key(name), ContentFile(resealed))
    return True


def read(name: str) -> bytes:
    return encryption.decrypt_bytes(_sealed(name), where=_where(name))


def exists(name: str) -> bool:
    return _store().exists(_key(name))


def delete(name: str) -> None:
    _store().delete(_key(name))


def written_at(name: str) -> datetime:
    """When the stored file was last written (aware, UTC)."""
    return _store().get_modified_time(_key(name))


def open_sealed(name: str) -> BinaryIO:
    """A stored file exactly as it is stored (encrypted), for a backup to copy; its
    `size` is its length in bytes. FileNotFoundError when there is none."""
    return _store().open(_key(name), "rb")


def staged_path(folder: Path, name: str) -> Path:
    """Where the file `name` goes in `folder`, a store being assembled (by a restore)
    to replace this one: the store's own layout, and any name that is not one of
    the store's refused."""
    if not NAME.fullmatch(name):
        raise StoreError("a stored file name is not one the store makes")
    return folder / name[:2] / name


def replace_store(folder: Path) -> str | None:
    """Make `folder` (laid out by `staged_path`) the file store: renamed into place
    for the folder, uploaded object by object for an object store (`stores`).

    What the store held before is not deleted but moved aside; returns where it
    went, or None."""
    return _store().replace_with(folder)

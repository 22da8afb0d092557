"""The encrypted file store under VIGIL_DATA_DIR/files.

Files are encrypted whole with the same keys as the database fields and written
under random names in two levels of folders; the original name is kept (encrypted)
in the database, never on disk. Nothing here is served by the web server: files
leave only through views that check access, as attachments.

Paths are built from our own random names and checked to stay inside the store,
so no name that comes from outside can point elsewhere.
"""

import hashlib
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from vigil.vault import encryption


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


def _root() -> Path:
    root = Path(settings.DATA_DIR) / "files"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root.resolve()


def ready() -> bool:
    """Whether the store can take files now (its folder exists, or can be made, and is
    writable): for the readiness probe, which writes nothing."""
    try:
        root = _root()
    except OSError:
        return False
    return os.access(root, os.W_OK | os.X_OK)


def _path(name: str) -> Path:
    root = _root()
    path = (root / name[:2] / name).resolve()
    if root not in path.parents:
        raise StoreError("a stored file name points outside the store")
    return path


def _where(name: str) -> str:
    # Bound into each file's seal: a file renamed to another's name does not open.
    return f"file {name}"


def readable(name: str, token: bytes) -> bool:
    """Whether a configured key opens `token` as the file `name`."""
    return encryption.readable(token, where=_where(name))


def save(content: bytes) -> StoredFile:
    """Encrypt and write `content` durably; return how to find it again."""
    name = secrets.token_hex(20)
    path = _path(name)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    _write_durably(path, encryption.encrypt_bytes(content, where=_where(name)))
    return StoredFile(name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest())


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_durably(path: Path, token: bytes) -> None:
    temporary = path.with_suffix(".partial")
    with open(temporary, "wb") as handle:
        handle.write(token)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    # The rename itself must reach the disk too, or a crash could forget it.
    _fsync_folder(path.parent)


def names() -> list[str]:
    """Every file in the store, by its store name (half-written ones left out)."""
    return sorted(p.name for p in _root().glob("*/*") if p.is_file() and not p.suffix)


def reseal(name: str) -> bool:
    """Re-encrypt one stored file under the newest key, unless it already is; True
    when it was rewritten. A file deleted meanwhile is not brought back."""
    path = _path(name)
    try:
        token = path.read_bytes()
    except FileNotFoundError:
        return False
    if encryption.is_current(token):
        return False
    resealed = encryption.reseal(token, where=_where(name))
    if not path.exists():
        return False
    _write_durably(path, resealed)
    return True


def read(name: str) -> bytes:
    return encryption.decrypt_bytes(_path(name).read_bytes(), where=_where(name))


def delete(name: str) -> None:
    _path(name).unlink(missing_ok=True)


def open_sealed(name: str) -> BinaryIO:
    """A stored file exactly as it is on disk (encrypted), for a backup to copy."""
    return open(_path(name), "rb")


def staged_path(folder: Path, name: str) -> Path:
    """Where the file `name` goes in `folder`, a store being assembled (by a restore)
    to replace this one: the store's own layout, and any name that is not one of
    the store's refused."""
    if not NAME.fullmatch(name):
        raise StoreError("a stored file name is not one the store makes")
    return folder / name[:2] / name


def replace_store(folder: Path) -> Path | None:
    """Make `folder` (laid out by `staged_path`) the file store, by renaming it.

    A store that holds anything but empty folders is not deleted but moved aside,
    to `files-replaced-<time>` beside it; returns that path, or None."""
    root = Path(settings.DATA_DIR) / "files"
    aside = None
    if root.exists():
        if any(not path.is_dir() for path in root.rglob("*")):
            aside = root.with_name(f"files-replaced-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
            os.rename(root, aside)
        else:
            shutil.rmtree(root)
    os.rename(folder, root)
    _fsync_folder(root.parent)
    return aside

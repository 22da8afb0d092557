"""The archive format: what a backup file is, byte for byte, and how it is sealed.

The threat: a backup sits on other disks, in other hands, for years. Whoever copies it
must learn nothing from it, and whoever alters it must not get the change past a
restore. So the archive is a tar stream (`header.json`, `database/NNNNNN.json`,
`files/ab/NAME`, `manifest.json`) cut into frames of `CHUNK` bytes, each sealed as one
value of `vigil.vault.encryption` (AES-256-GCM) under the newest key of
`VIGIL_ENCRYPTION_KEYS`. Each frame's sealed content starts with the archive's random
id, the frame's number and whether it is the last, so frames cannot be reordered,
dropped, cut off or taken from another backup without the reader noticing, and no
byte of the stream is handed on before its frame has been authenticated. Outside the
seals the file shows only a fixed marker, its size and the id of the key that sealed
it (no time).

What goes into the parts is `backup`'s and `tables`' business; this module knows the
frames, the part names and the errors a damaged or foreign file gives.
"""

import base64
import hashlib
import io
import json
import re
import secrets
import struct
import tarfile
import time
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from vigil.vault import encryption

FORMAT = 1
MAGIC = b"VIGIL BACKUP\n"  # followed by one byte: FORMAT
CHUNK = 1024 * 1024  # archive bytes sealed in one frame
FRAME = "backup frame"  # where a frame's seal belongs (vigil.vault.encryption)
_FRAME_HEAD = struct.Struct(">16sQ?")  # the archive's id, the frame's number, last frame

# The parts of the tar stream, in this order: the header, the database in parts,
# the stored files, the manifest.
HEADER = "header.json"
MANIFEST = "manifest.json"
DATABASE_PART = re.compile(r"database/\d{6,}\.json")
FILE_PART = re.compile(r"files/([^/]+)/([^/]+)")


def database_part(number: int) -> str:
    """The name of the `number`th part of the database (counting from 1)."""
    return f"database/{number:06d}.json"


def file_part(name: str) -> str:
    """The name of the part holding the stored file `name`."""
    return f"files/{name[:2]}/{name}"


class BackupError(Exception):
    """A backup or restore that could not be done. The message says why in words an
    operator can act on, and never holds a value from a record."""


class ArchiveUnreadable(BackupError):
    """Not a Vigil backup, or no configured key opens it."""


class ArchiveDamaged(BackupError):
    """The archive opens, but was altered, damaged or cut short."""


class SealedWriter:
    """A write-only stream that seals what it is given in frames of CHUNK bytes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.archive_id = secrets.token_bytes(16)
        self.frames = 0
        self.size = 0
        self.digest = hashlib.sha256()
        self.buffer = bytearray()
        self._emit(MAGIC + bytes([FORMAT]))

    def write(self, data: bytes) -> int:
        self.buffer += data
        while len(self.buffer) >= CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def finish(self) -> None:
        self._seal(bytes(self.buffer), last=True)
        self.buffer.clear()

    def _seal(self, content: bytes, *, last: bool) -> None:
        head = _FRAME_HEAD.pack(self.archive_id, self.frames, last)
        # The sealed value's binary form: base64 would add a third to the size.
        token = base64.urlsafe_b64decode(encryption.encrypt_bytes(head + content, where=FRAME))
        self._emit(struct.pack(">I", len(token)) + token)
        self.frames += 1

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.size += len(data)
        self.digest.update(data)


class SealedReader:
    """A read-only stream of what the frames of an archive hold, each frame opened
    (and so authenticated) before any of its content is handed on."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.archive_id = b""
        self.frames = 0
        self.buffer = bytearray()
        self.done = False
        start = self._take(len(MAGIC) + 1)
        if start[: len(MAGIC)] != MAGIC:
            raise ArchiveUnreadable(_("This file is not a Vigil backup."))
        if start[-1] != FORMAT:
            raise ArchiveUnreadable(
                _("This backup has format %(format)s, which this version of Vigil cannot read.")
                % {"format": start[-1]}
            )

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.buffer) < size):
            self._open_next()
        size = len(self.buffer) if size < 0 else min(size, len(self.buffer))
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def finish(self) -> None:
        """Open the remaining frames (the tar stream's padding) up to the last one."""
        self.read()

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def _take(self, size: int) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data

    def _open_next(self) -> None:
        head = self._take(4)
        if not head:
            raise ArchiveDamaged(_("The backup is cut short: it ends before its last part."))
        (length,) = struct.unpack(">I", head.rjust(4, b"\0"))
        # A frame is its content plus the seal's header, nonce, tag and padding (at
        # most 73 bytes; an old Fernet frame 89); more is damage.
        limit = CHUNK + _FRAME_HEAD.size + 4096
        token = self._take(length) if len(head) == 4 and length <= limit else b""
        if len(head) < 4 or length > limit or len(token) < length:
            raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
        try:
            content = encryption.decrypt_bytes(base64.urlsafe_b64encode(token), where=FRAME)
        except encryption.DecryptionError:
            if self.frames == 0:
                raise ArchiveUnreadable(
                    _(
                        "None of the keys in VIGIL_ENCRYPTION_KEYS opens this backup: it was "
                        "sealed with a key that is not configured here, or it was altered."
                    )
                ) from None
            raise ArchiveDamaged(
                _("The backup was altered or damaged: part %(number)s does not open.")
                % {"number": self.frames + 1}
            ) from None
        if len(content) < _FRAME_HEAD.size:
            raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
        archive_id, number, last = _FRAME_HEAD.unpack_from(content)
        if self.frames == 0:
            self.archive_id = archive_id
        if archive_id != self.archive_id or number != self.frames:
            raise ArchiveDamaged(
                _(
                    "The backup was altered: its parts are out of order, missing, or taken "
                    "from another backup."
                )
            )
        self.frames += 1
        self.buffer += content[_FRAME_HEAD.size :]
        if last:
            self.done = True
            if self._take(1):
                raise ArchiveDamaged(_("The backup was altered: something follows its end."))


class Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def add_part(tar: tarfile.TarFile, name: str, source: BinaryIO, size: int) -> str:
    """Add a part to the archive; return its SHA-256."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o600
    hashing = Hashing(source)
    tar.addfile(info, hashing)
    return hashing.digest.hexdigest()


def add_json(tar: tarfile.TarFile, name: str, value: Any) -> str:
    """Add `value` as a JSON part; return its SHA-256."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return add_part(tar, name, io.BytesIO(data), len(data))


def read_json(tar: tarfile.TarFile, member: tarfile.TarInfo) -> tuple[Any, str]:
    """A JSON part's value and its SHA-256."""
    source = tar.extractfile(member)
    if source is None:
        raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
    data = source.read()
    return json.loads(data), hashlib.sha256(data).hexdigest()

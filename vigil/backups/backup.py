"""Encrypted backups: `manage.py backup` writes one sealed archive of the database and
the file store; `manage.py restore ARCHIVE` brings it back into an empty installation.

The threat: a backup sits on other disks, in other hands, for years. It must tell
whoever copies it nothing, it must not be alterable without the restore noticing,
and a restore must give back exactly what was there (the audit trail hash for hash)
or nothing at all. The decisions, in docs/backups.md for operators:

- **The database as Django sees it, not as one engine stores it**, so that a backup
  made on SQLite restores onto PostgreSQL and back. Every concrete model's table, in
  an order that loads (a table after those it refers to), as JSON: per table its
  columns and rows, each value as Django's own serializers would write it (a field's
  `value_to_string`, read back with `to_python`), except datetimes, which keep their
  microseconds (the audit trail's hashes cover them; `dumpdata`'s JSON encoder cuts
  them to milliseconds). Rows are read and written through the database cursor, not
  model `save()`, so no signal fires and the append-only audit model is not asked to
  change.
- **Encrypted columns travel as the ciphertext they are stored as.** Reading them
  through the ORM would decrypt them (`EncryptedTextField.from_db_value`), so they are
  selected as `Cast(column, TextField())`, which has no decrypting converter, and
  inserted again as the same string: nothing is decrypted, nothing re-encrypted, and
  no name is ever plain text in memory. A restore therefore needs the keys the data
  was sealed with, which the operator keeps anyway (and `VIGIL_SECRET_KEY`, which
  keys the receipt codes of the intake side).
- **Not carried**: content types and permissions, which `migrate` makes in every
  installation (possibly with other ids: references to them, in the admin log and
  in users' and groups' permissions, travel by natural key and are looked up in the
  installation restored into), and sessions (everyone signs in again). The migration
  state the backup was made at goes with it; a restore into a database at other
  migrations is refused, naming the difference.
- **The file store**: every file as stored (already encrypted), under its store name.
- **The archive**: a tar stream (`header.json`, `database/NNNNNN.json` parts of at
  most `BATCH` rows, `files/ab/NAME`, `manifest.json`) cut into frames of `CHUNK`
  bytes, each sealed as one value of `vigil.vault.encryption` (AES-256-GCM) under the
  newest key of `VIGIL_ENCRYPTION_KEYS` through `vigil.vault.encryption`. Each frame's
  sealed content starts with the archive's random id, the frame's number and whether
  it is the last, so frames cannot be reordered, dropped, cut off or taken from
  another backup without the restore noticing. Outside the seals the file shows only
  a fixed marker, its size and the id of the key that sealed it (no time).
  The header holds the format version, the date, the migrations, the counts and the
  audit trail's head (an anchor that travels with the data); the
  manifest at the end holds the counts and the SHA-256 of every part; a restore
  checks both. Written to a temporary file beside the destination, flushed to disk,
  renamed into place, mode 0600.
- **Memory**: a backup holds one batch of rows, one frame and the manifest (about 110
  bytes a file) at a time, whatever the size of the store; a restore holds the same
  plus the largest single stored file (checked whole against the keys).
- **A restore** refuses an installation that holds anything (rows in any table but
  the one `migrate` fills, or files in the store) unless told `--replace`; runs in
  one database transaction; writes the files to a folder of its own and makes that
  folder the store only after the database has committed. So a restore that fails,
  for whatever reason (no key opens it, altered, at other migrations), changes
  nothing. Auto-increment counters are reset after loading
  (`connection.ops.sequence_reset_sql`), and raised to where the source's stood when
  that was higher, so no id is ever handed out twice (the audit trail names records
  by id). The backup and the restore each add an entry to the audit trail, which
  names the archive by its SHA-256, and anchor it outside the database (core/audit.py;
  a restore's anchor sets aside the anchors of entries the backup did not have yet).
"""

import base64
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import struct
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from vigil.core import audit
from vigil.vault import encryption, files
from vigil.vault.fields import EncryptedTextField

FORMAT = 1
MAGIC = b"VIGIL BACKUP\n"  # followed by one byte: FORMAT
CHUNK = 1024 * 1024  # archive bytes sealed in one frame
FRAME = "backup frame"  # where a frame's seal belongs (vigil.vault.encryption)
BATCH = 1000  # rows in one database part
_FRAME_HEAD = struct.Struct(">16sQ?")  # the archive's id, the frame's number, last frame

# Content types and permissions are made by `migrate` in every installation, so never
# carried (references to them travel by natural key); sessions are left behind, and
# everyone signs in again.
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
BY_NATURAL_KEY = {"contenttypes.contenttype", "auth.permission"}
# Filled by a migration, so present in an empty installation: replaced, not refused.
MADE_BY_MIGRATE = {"vault.wrappedkey"}

_DATABASE_PART = re.compile(r"database/\d{6,}\.json")
_FILE_PART = re.compile(r"files/([^/]+)/([^/]+)")


class BackupError(Exception):
    """A backup or restore that could not be done. The message says why in words an
    operator can act on, and never holds a value from a record."""


class ArchiveUnreadable(BackupError):
    """Not a Vigil backup, or no configured key opens it."""


class ArchiveDamaged(BackupError):
    """The archive opens, but was altered, damaged or cut short."""


class RestoreRefused(BackupError):
    """The installation is not one this backup may be restored into."""


class StoreNotMoved(BackupError):
    """The records were restored, but the restored files could not be made the store."""


def _ignore(n: int) -> None:
    pass


# --- What is backed up ------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every table Vigil keeps, a table after the ones it refers to. Cycles (a table
    referring to itself or to a later one) do not matter for loading: foreign keys
    are deferred to the commit on both PostgreSQL and SQLite."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED
    ]
    pending, placed, ordered = list(candidates), set(), []
    while pending:
        ready = [
            model
            for model in pending
            if all(
                target in placed or target is model or target not in candidates
                for target in _targets(model)
            )
        ]
        if not ready:  # a cycle: the rest in their plain order
            ready = pending[:1]
        for model in ready:
            pending.remove(model)
            placed.add(model)
            ordered.append(model)
    return ordered


def _targets(model: type[models.Model]) -> set[type[models.Model]]:
    return {f.related_model for f in model._meta.local_concrete_fields if f.is_relation}


def _natural(field: models.Field) -> str | None:
    """The label of the model a field refers to by natural key, if it does."""
    if field.is_relation and field.related_model._meta.label_lower in BY_NATURAL_KEY:
        return field.related_model._meta.label_lower
    return None


class _Table:
    """One model's table: its columns, and its rows as JSON values and back."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.label = model._meta.label_lower
        self.fields = [
            f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)
        ]
        self.columns = [f.attname for f in self.fields]
        self.encrypted = [isinstance(f, EncryptedTextField) for f in self.fields]
        self.counted = isinstance(model._meta.pk, models.AutoField)

    def batches(self, keys: dict[str, dict[Any, list]]) -> Iterator[list[list[Any]]]:
        # The Cast has no decrypting converter: the ciphertext comes out as stored.
        selected = [
            Cast(f.attname, output_field=models.TextField()) if encrypted else f.attname
            for f, encrypted in zip(self.fields, self.encrypted, strict=True)
        ]
        rows = self.model._base_manager.order_by("pk").values_list(*selected)
        batch: list[list[Any]] = []
        for row in rows.iterator(chunk_size=BATCH):
            batch.append(
                [self._encode(f, value, keys) for f, value in zip(self.fields, row, strict=True)]
            )
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _encode(self, field: models.Field, value: Any, keys: dict[str, dict[Any, list]]) -> Any:
        if value is None or isinstance(field, EncryptedTextField):
            return value
        if target := _natural(field):
            return keys[target][value]
        if isinstance(field, models.JSONField) or isinstance(value, str | int | float):
            return value
        # Dates and times (with their microseconds), decimals, UUIDs, bytes: as
        # Django's serializers write them.
        return field.value_to_string(SimpleNamespace(**{field.attname: value}))

    def insert(
        self, columns: list[str], rows: list[list[Any]], lookup: Callable[[str, Any], int]
    ) -> list[str]:
        """Insert `rows` (values for `columns`) as they are; returns the places of
        encrypted values that no configured key opens."""
        if sorted(columns) != sorted(self.columns):
            raise RestoreRefused(
                _(
                    "The backup's table %(table)s has other columns than this "
                    "installation's: it was made by another version of Vigil."
                )
                % {"table": self.label}
            )
        by_name = {f.attname: f for f in self.fields}
        fields = [by_name[c] for c in columns]
        pk_at = columns.index(self.model._meta.pk.attname)
        unreadable = []
        params = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(fields):
                raise ArchiveDamaged(_("The backup's records are malformed."))
            values = []
            for f, value in zip(fields, row, strict=True):
                if isinstance(f, EncryptedTextField):
                    if value is not None and not isinstance(value, str):
                        raise ArchiveDamaged(_("The backup's records are malformed."))
                    if value and not encryption.readable(value.encode(), where=f.where()):
                        unreadable.append(f"{self.model._meta.db_table} #{row[pk_at]} {f.column}")
                    values.append(value)
                elif value is None:
                    values.append(None)
                elif target := _natural(f):
                    values.append(lookup(target, value))
                else:
                    values.append(f.get_db_prep_save(f.to_python(value), connection))
            params.append(values)
        quote = connection.ops.quote_name
        # Table and column names come from the models; values are bound parameters.
        sql = (
            f"INSERT INTO {quote(self.model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        return unreadable


def _natural_keys() -> dict[str, dict[Any, list]]:
    """For each model referred to by natural key: id -> natural key."""
    return {
        label: {
            obj.pk: list(obj.natural_key())
            for obj in apps.get_model(label)._base_manager.select_related()
        }
        for label in BY_NATURAL_KEY
    }


def _applied_migrations() -> set[tuple[str, str]]:
    return set(MigrationRecorder(connection).applied_migrations())


# --- Auto-increment counters --------------------------------------------------------


def _read_counters(tables: list[_Table]) -> dict[str, int]:
    """The last id each table's counter handed out (0: none yet)."""
    counters = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            if not table.counted:
                continue
            name, column = table.model._meta.db_table, table.model._meta.pk.column
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(name), column])
                (sequence,) = cursor.fetchone()
                if sequence is None:
                    continue
                # The sequence's name comes from PostgreSQL itself.
                cursor.execute(
                    f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}"  # noqa: S608
                )
                counters[table.label] = cursor.fetchone()[0]
            elif connection.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
                row = cursor.fetchone()
                counters[table.label] = row[0] if row else 0
    return counters


def _set_counters(tables: list[_Table], counters: dict[str, int]) -> None:
    """Each counter at the highest id loaded, or where the source's stood if that was
    higher (records deleted at the end of a table must not have their ids reused)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
            cursor.execute(statement)
        quote = connection.ops.quote_name
        for table in tables:
            if not table.counted:
                continue
            name, column = table.model._meta.db_table, table.model._meta.pk.column
            top = table.model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
            used = max(int(counters.get(table.label, 0)), top)
            if connection.vendor == "postgresql" and used > top:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, true)",
                    [quote(name), column, used],
                )
            elif connection.vendor == "sqlite":
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [used, name])
                if not cursor.rowcount and used:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, used]
                    )


# --- The sealed stream ----------------------------------------------------------------


class _SealedWriter:
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


class _SealedReader:
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


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A new file at `path`, there only once it is complete and on disk, mode 0600."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _add(tar: tarfile.TarFile, name: str, source: BinaryIO, size: int) -> str:
    """Add a part to the archive; return its SHA-256."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o600
    hashing = _Hashing(source)
    tar.addfile(info, hashing)
    return hashing.digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> str:
    return _add(tar, name, io.BytesIO(data), len(data))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# --- Backup ---------------------------------------------------------------------------


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of every table, without stopping the desk."""
    connection.ensure_connection()
    if connection.in_atomic_block:  # the caller's transaction already is one
        yield
        return
    if connection.vendor == "sqlite":
        # A deferred transaction reads a snapshot (WAL) without taking the write lock
        # that Vigil's transactions otherwise take at once (settings: IMMEDIATE).
        mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
        try:
            with transaction.atomic():
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@dataclass(frozen=True)
class Made:
    path: Path
    size: int  # bytes
    sha256: str  # of the archive file, as named in the audit trail
    rows: int
    files: int
    vanished: int  # files deleted between the database snapshot and their copy
    not_anchored: str = ""  # why the audit trail's head could not be anchored, if so


def _destination(path: Path) -> Path:
    if path.is_dir():
        path = path / f"vigil-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.backup"
    if path.exists():
        raise BackupError(
            _("%(path)s already exists; a backup never overwrites a file.") % {"path": path}
        )
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    return path


def make(
    destination: Path,
    *,
    start: Callable[[int], None] = _ignore,
    advance: Callable[[int], None] = _ignore,
) -> Made:
    """Write a sealed archive of the database and the file store to `destination`
    (a new file, or a folder to make one in), and record it in the audit trail.

    `start(total)` is called once the number of rows and files is known, and
    `advance(n)` as they are written (for a progress bar)."""
    path = _destination(Path(destination))
    parts: dict[str, str] = {}
    rows_written: Counter[str] = Counter()
    stored = vanished = 0
    with _atomic_file(path) as out:
        writer = _SealedWriter(out)
        with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            with _snapshot():
                tables = [_Table(model) for model in backed_up_models()]
                counts = {t.label: t.model._base_manager.count() for t in tables}
                names = files.names()
                made_at = datetime.now(UTC).isoformat()
                head = audit.head()
                header = {
                    "format": FORMAT,
                    "made_at": made_at,
                    "vigil": _version(),
                    "vendor": connection.vendor,
                    "migrations": sorted(_applied_migrations()),
                    "tables": counts,
                    "files": len(names),
                    # The audit trail's head in this snapshot, as an anchor: the trail
                    # restored from this archive must hold it, whatever the anchor
                    # file of the installation says by then.
                    "audit_head": None
                    if head is None
                    else {"seq": head.seq, "id": head.pk, "hash": head.entry_hash},
                }
                parts["header.json"] = _add_bytes(tar, "header.json", _json(header))
                start(sum(counts.values()) + len(names))
                keys = _natural_keys()
                number = 0
                for table in tables:
                    for batch in table.batches(keys):
                        number += 1
                        name = f"database/{number:06d}.json"
                        content = {"model": table.label, "columns": table.columns, "rows": batch}
                        parts[name] = _add_bytes(tar, name, _json(content))
                        rows_written[table.label] += len(batch)
                        advance(len(batch))
                counters = _read_counters(tables)
            for name in names:
                try:
                    handle = files.open_sealed(name)
                except FileNotFoundError:
                    vanished += 1  # deleted since the snapshot (which still has its record)
                else:
                    with handle:
                        size = os.fstat(handle.fileno()).st_size
                        member = f"files/{name[:2]}/{name}"
                        parts[member] = _add(tar, member, handle, size)
                    stored += 1
                advance(1)
            manifest = {
                "format": FORMAT,
                "made_at": made_at,
                "tables": {label: rows_written[label] for label in counts},
                "files": stored,
                "counters": counters,
                "parts": parts,
            }
            _add_bytes(tar, "manifest.json", _json(manifest))
        writer.finish()
    sha256 = writer.digest.hexdigest()
    audit.record(actor=None, action="core.backup_made", object_type="backup", object_id=sha256)
    return Made(
        path=path,
        size=writer.size,
        sha256=sha256,
        rows=sum(rows_written.values()),
        files=stored,
        vanished=vanished,
        # The head the archive holds, so that the anchor still binds the trail that a
        # restore of this archive brings back.
        not_anchored=_anchor(head, by="backup") if head is not None else "",
    )


def _anchor(entry: audit.AuditEntry, *, by: str) -> str:
    """Anchor a backup's head, or the entry that records a restore, outside the
    database; say why not if that fails (the backup or restore itself is done)."""
    try:
        audit.write_anchor(entry=entry, by=by)
    except audit.AnchorError as error:
        return str(error)
    return ""


def _version() -> str:
    try:
        return metadata.version("vigil")
    except metadata.PackageNotFoundError:
        return ""


# --- Restore --------------------------------------------------------------------------


@dataclass
class Restored:
    made_at: str
    sha256: str  # of the archive file
    rows: int = 0
    files: int = 0
    moved_aside: Path | None = None  # where the store that was here went (--replace)
    # Encrypted values and files that no configured key opens, by place ("table #id
    # column", "file NAME"), never by value. Restored all the same: they read again
    # once the key they were sealed with is added to VIGIL_ENCRYPTION_KEYS.
    unreadable: list[str] = field(default_factory=list)
    not_anchored: str = ""  # why the restored trail's head could not be anchored, if so


def restore(
    source: Path,
    *,
    replace: bool = False,
    start: Callable[[int], None] = _ignore,
    advance: Callable[[int], None] = _ignore,
) -> Restored:
    """Bring back the archive `source` into this installation.

    Refuses an installation that holds anything unless `replace`; then everything in
    it is replaced (its file store moved aside, not deleted). Either everything is
    restored or, when anything fails, nothing here has changed."""
    with _open(source) as handle:
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.DATA_DIR))
        committed = False
        try:
            reader = _SealedReader(handle)
            with transaction.atomic():
                restored = _load(reader, staging, replace=replace, start=start, advance=advance)
                entry = audit.record(
                    actor=None,
                    action="core.backup_restored",
                    object_type="backup",
                    object_id=restored.sha256,
                )
            committed = True
            # A "restore" anchor: the anchors of entries the backup did not have yet
            # are set aside, and the restored trail is anchored (core/audit.py).
            restored.not_anchored = _anchor(entry, by="restore")
            restored.moved_aside = files.replace_store(staging)
        except OSError as error:
            if not committed:
                raise
            raise StoreNotMoved(
                _(
                    "The records were restored, but the files could not be moved into the "
                    "store (%(error)s). They are in %(staging)s: make that folder %(store)s."
                )
                % {
                    "error": error.strerror,
                    "staging": staging,
                    "store": Path(settings.DATA_DIR) / "files",
                }
            ) from None
        finally:
            if not committed:
                shutil.rmtree(staging, ignore_errors=True)
            # The blind-index key may have been replaced by the backup's.
            encryption.reset_caches()
    return restored


def _open(source: Path) -> BinaryIO:
    try:
        return open(source, "rb")  # noqa: SIM115 (the caller closes it)
    except OSError as error:
        raise BackupError(
            _("Cannot read %(path)s: %(error)s.") % {"path": source, "error": error.strerror}
        ) from None


def _load(
    reader: _SealedReader,
    staging: Path,
    *,
    replace: bool,
    start: Callable[[int], None],
    advance: Callable[[int], None],
) -> Restored:
    try:
        tar = tarfile.open(fileobj=reader, mode="r|")  # noqa: SIM115 (nothing to close)
        members = iter(tar)
        member = next(members, None)
        if member is None or member.name != "header.json" or not member.isfile():
            raise ArchiveDamaged(_("The backup was altered or damaged: it has no header."))
        parts = {"header.json": ""}
        header, parts["header.json"] = _read_json(tar, member)
        tables = _check_header(header)
        _check_empty(list(tables.values()), replace=replace)
        _flush(list(tables.values()))
        start(sum(header["tables"].values()) + header["files"])

        loaded = {label: 0 for label in header["tables"]}
        lookup = _Lookup()
        restored = Restored(made_at=header["made_at"], sha256="")
        manifest = None
        for member in members:
            if not member.isfile() or member.name in parts:
                raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
            if member.name == "manifest.json":
                manifest, _digest = _read_json(tar, member)
                break
            if _DATABASE_PART.fullmatch(member.name):
                content, parts[member.name] = _read_json(tar, member)
                table = tables.get(content.get("model")) if isinstance(content, dict) else None
                if table is None or not isinstance(content.get("rows"), list):
                    raise ArchiveDamaged(_("The backup's records are malformed."))
                restored.unreadable += table.insert(content["columns"], content["rows"], lookup)
                loaded[table.label] += len(content["rows"])
                advance(len(content["rows"]))
            elif match := _FILE_PART.fullmatch(member.name):
                folder, name = match.groups()
                parts[member.name] = _stage(tar, member, staging, folder, name, restored)
                restored.files += 1
                advance(1)
            else:
                raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
        if manifest is None or next(members, None) is not None:
            raise ArchiveDamaged(_("The backup was altered or damaged: its manifest is missing."))
        reader.finish()
    except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError):
        raise ArchiveDamaged(_("The backup was altered or damaged: it cannot be read.")) from None

    _check_manifest(manifest, header=header, parts=parts, loaded=loaded, stored=restored.files)
    try:
        connection.check_constraints(table_names=[t.model._meta.db_table for t in tables.values()])
    except IntegrityError:
        raise ArchiveDamaged(
            _("The backup's records do not fit together: a record refers to one it lacks.")
        ) from None
    _set_counters(list(tables.values()), manifest.get("counters", {}))
    restored.rows = sum(loaded.values())
    restored.sha256 = reader.sha256
    return restored


def _read_json(tar: tarfile.TarFile, member: tarfile.TarInfo) -> tuple[Any, str]:
    source = tar.extractfile(member)
    if source is None:
        raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
    data = source.read()
    return json.loads(data), hashlib.sha256(data).hexdigest()


def _stage(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    staging: Path,
    folder: str,
    name: str,
    restored: Restored,
) -> str:
    """Write one stored file into the staging folder, durably; return its SHA-256."""
    try:
        path = files.staged_path(staging, name)
    except files.StoreError:
        path = None
    if path is None or folder != name[:2] or path.exists():
        raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
    path.parent.mkdir(mode=0o700, exist_ok=True)
    source = tar.extractfile(member)
    if source is None:
        raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
    hashing = _Hashing(source)
    with open(path, "xb") as out:
        shutil.copyfileobj(hashing, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    if not files.readable(name, path.read_bytes()):
        restored.unreadable.append(f"file {name}")
    return hashing.digest.hexdigest()


def _check_header(header: Any) -> dict[str, _Table]:
    """The backup's format and migrations against this installation's; returns the
    tables to restore, by label."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ArchiveUnreadable(_("This backup has a format this version of Vigil cannot read."))
    shapes = {"made_at": str, "migrations": list, "tables": dict, "files": int}
    if not all(isinstance(header.get(key), kind) for key, kind in shapes.items()) or not all(
        isinstance(n, int) for n in header["tables"].values()
    ):
        raise ArchiveDamaged(_("The backup was altered or damaged: its header is malformed."))
    theirs = {tuple(pair) for pair in header["migrations"]}
    ours = _applied_migrations()
    if theirs != ours:

        def named(pairs: set) -> str:
            listed = [f"{app}.{name}" for app, name in sorted(pairs)]
            if len(listed) <= 5:
                return ", ".join(listed)
            return _("%(names)s and %(count)s more") % {
                "names": ", ".join(listed[:5]),
                "count": len(listed) - 5,
            }

        differences = []
        if theirs - ours:
            differences.append(
                _("applied in the backup, not here: %(names)s") % {"names": named(theirs - ours)}
            )
        if ours - theirs:
            differences.append(
                _("applied here, not in the backup: %(names)s") % {"names": named(ours - theirs)}
            )
        raise RestoreRefused(
            _(
                "This database is at other migrations than the backup (%(differences)s). "
                "Restore into a new database migrated by the version of Vigil that made the "
                "backup, then upgrade and migrate."
            )
            % {"differences": "; ".join(differences)}
        )
    tables = {t.label: t for t in (_Table(model) for model in backed_up_models())}
    if set(tables) != set(header["tables"]):
        raise RestoreRefused(
            _(
                "The backup holds other tables than this installation: it was made by "
                "another version of Vigil."
            )
        )
    return tables


def _check_empty(tables: list[_Table], *, replace: bool) -> None:
    """Refuse to overwrite anything, unless told to."""
    if replace:
        return
    held = [
        f"{t.label} ({count})"
        for t in tables
        if t.label not in MADE_BY_MIGRATE and (count := t.model._base_manager.count())
    ]
    if len(held) > 5:
        held[5:] = [_("%(count)s more tables") % {"count": len(held) - 5}]
    stored = len(files.names())
    if stored:
        held.append(_("%(count)s stored files") % {"count": stored})
    if held:
        raise RestoreRefused(
            _(
                "This installation is not empty: it holds %(held)s. Restore into a new "
                "database, migrated and with nothing else done, and an empty file store; "
                "or give --replace to replace everything here with the backup."
            )
            % {"held": ", ".join(held)}
        )


def _flush(tables: list[_Table]) -> None:
    """Empty every table the backup fills (and the sessions: everyone signs in again).
    PostgreSQL truncates, which the audit trail's row trigger does not see; SQLite's
    trigger refuses only updates."""
    from django.contrib.sessions.models import Session

    names = [t.model._meta.db_table for t in tables] + [Session._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending from
            # earlier in the transaction: run them now, then defer again for loading.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), names):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class _Lookup:
    """Natural keys to this installation's ids, for content types and permissions."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[tuple, int]] = {}

    def __call__(self, label: str, key: Any) -> int:
        if label not in self.ids:
            self.ids[label] = {tuple(nk): pk for pk, nk in _natural_keys()[label].items()}
        try:
            return self.ids[label][tuple(key)]
        except (KeyError, TypeError):
            raise RestoreRefused(
                _(
                    "The backup refers to %(kind)s %(key)s, which this installation does "
                    "not have: it was made by another version of Vigil."
                )
                % {"kind": label, "key": ".".join(map(str, key if isinstance(key, list) else []))}
            ) from None


def _check_manifest(
    manifest: Any, *, header: dict, parts: dict[str, str], loaded: dict[str, int], stored: int
) -> None:
    def damaged(what: str) -> ArchiveDamaged:
        return ArchiveDamaged(
            _("The backup does not match its manifest (%(what)s): it was altered or damaged.")
            % {"what": what}
        )

    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise damaged(_("format"))
    if manifest.get("made_at") != header["made_at"]:
        raise damaged(_("date"))
    expected = manifest.get("parts")
    if not isinstance(expected, dict) or set(expected) != set(parts):
        raise damaged(_("parts"))
    for name, digest in parts.items():
        if expected[name] != digest:
            raise damaged(name)
    if manifest.get("tables") != loaded:
        raise damaged(_("records"))
    if manifest.get("files") != stored:
        raise damaged(_("files"))

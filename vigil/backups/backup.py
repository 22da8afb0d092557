"""Making a backup: `manage.py backup` calls `make`, which writes one sealed archive
(`archive`) of every table (`tables`) and of the file store, and records it in the
audit trail.

- **One consistent snapshot** of the database, read without stopping the desk (a
  deferred transaction on SQLite, a repeatable-read one on PostgreSQL).
- **The file store**: every file as stored (already encrypted), under its store name;
  a file deleted between the snapshot and its copy is left out and counted.
- **The header** holds the format version, the date, the migrations, the counts and
  the audit trail's head (an anchor that travels with the data); **the manifest** at
  the end holds the counts written, each table's counter and the SHA-256 of every part.
- **The file** is written to a temporary file beside the destination, flushed to disk,
  renamed into place, mode 0600; an existing file is never overwritten.
- **Memory**: one batch of rows, one frame and the manifest (about 110 bytes a file)
  at a time, whatever the size of the store.
- **The audit trail** gets an entry naming the archive by its SHA-256, and the head the
  archive holds is anchored outside the database (core/audit.py).
"""

import os
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from django.db import connection, transaction
from django.utils.translation import gettext as _

from vigil.backups import archive, tables
from vigil.backups.archive import BackupError
from vigil.core import audit
from vigil.vault import files
from vigil.vault.stores import fsync_folder


def _ignore(n: int) -> None:
    pass


@dataclass(frozen=True)
class Made:
    path: Path
    size: int  # bytes
    sha256: str  # of the archive file, as named in the audit trail
    rows: int
    files: int
    vanished: int  # files deleted between the database snapshot and their copy
    not_anchored: str = ""  # why the audit trail's head could not be anchored, if so


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
        writer = archive.SealedWriter(out)
        with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            with _snapshot():
                walked = tables.backed_up_tables()
                counts = {t.label: t.model._base_manager.count() for t in walked}
                names = files.names()
                made_at = datetime.now(UTC).isoformat()
                head = audit.head()
                header = {
                    "format": archive.FORMAT,
                    "made_at": made_at,
                    "vigil": _version(),
                    "vendor": connection.vendor,
                    "migrations": sorted(tables.applied_migrations()),
                    "tables": counts,
                    "files": len(names),
                    # The audit trail's head in this snapshot, as an anchor: the trail
                    # restored from this archive must hold it, whatever the anchor
                    # file of the installation says by then.
                    "audit_head": None
                    if head is None
                    else {"seq": head.seq, "id": head.pk, "hash": head.entry_hash},
                }
                parts[archive.HEADER] = archive.add_json(tar, archive.HEADER, header)
                start(sum(counts.values()) + len(names))
                keys = tables.natural_keys()
                number = 0
                for table in walked:
                    for batch in table.batches(keys):
                        number += 1
                        name = archive.database_part(number)
                        content = {"model": table.label, "columns": table.columns, "rows": batch}
                        parts[name] = archive.add_json(tar, name, content)
                        rows_written[table.label] += len(batch)
                        advance(len(batch))
                counters = tables.read_counters(walked)
            for name in names:
                try:
                    handle = files.open_sealed(name)
                except FileNotFoundError:
                    vanished += 1  # deleted since the snapshot (which still has its record)
                else:
                    with handle:
                        size = handle.size
                        member = archive.file_part(name)
                        parts[member] = archive.add_part(tar, member, handle, size)
                    stored += 1
                advance(1)
            manifest = {
                "format": archive.FORMAT,
                "made_at": made_at,
                "tables": {label: rows_written[label] for label in counts},
                "files": stored,
                "counters": counters,
                "parts": parts,
            }
            archive.add_json(tar, archive.MANIFEST, manifest)
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
        not_anchored=anchor(head, by="backup") if head is not None else "",
    )


def anchor(entry: audit.AuditEntry, *, by: str) -> str:
    """Anchor a backup's head, or the entry that records a restore, outside the
    database; say why not if that fails (the backup or restore itself is done)."""
    try:
        audit.write_anchor(entry=entry, by=by)
    except audit.AnchorError as error:
        return str(error)
    return ""


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
    fsync_folder(path.parent)


def _version() -> str:
    try:
        return metadata.version("vigil")
    except metadata.PackageNotFoundError:
        return ""

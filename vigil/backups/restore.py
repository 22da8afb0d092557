"""Restoring a backup: `manage.py restore ARCHIVE` calls `restore`, which brings an
archive back into an empty installation, or refuses and changes nothing.

A restore must give back exactly what was there (the audit trail hash for hash) or
nothing at all, so:

- **It checks before it touches anything**: the header's format, the migrations the
  backup was made at against this database's (a difference is refused, named both
  ways), the tables against this installation's, and that the installation is empty
  (rows in any table but the one `migrate` fills, or files in the store) unless told
  `--replace`.
- **It runs in one database transaction**, writes the files to a folder of its own and
  makes that folder the store only after the database has committed. The manifest
  (counts and the SHA-256 of every part) and the foreign keys are checked before the
  commit. So a restore that fails, for whatever reason (no key opens it, altered, at
  other migrations), changes nothing.
- **Memory**: one batch of rows, one frame and the manifest at a time, plus the largest
  single stored file (checked whole against the keys).
- **Values no configured key opens** are restored as they are and reported by place,
  never by value: they read again once their key is added.
- **The audit trail** gets an entry naming the archive by its SHA-256, anchored outside
  the database (core/audit.py; a restore's anchor sets aside the anchors of entries the
  backup did not have yet).

A restore needs the keys the data was sealed with, which the operator keeps anyway
(and `VIGIL_SECRET_KEY`, which keys the receipt codes of the intake side).
"""

import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from vigil.backups import archive, tables
from vigil.backups.archive import ArchiveDamaged, ArchiveUnreadable, BackupError
from vigil.backups.backup import anchor
from vigil.core import audit
from vigil.vault import encryption, files


class RestoreRefused(BackupError):
    """The installation is not one this backup may be restored into."""


class StoreNotMoved(BackupError):
    """The records were restored, but the restored files could not be made the store."""


def _ignore(n: int) -> None:
    pass


@dataclass
class Restored:
    made_at: str
    sha256: str  # of the archive file
    rows: int = 0
    files: int = 0
    moved_aside: str | None = None  # where the store that was here went (--replace)
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
        # Staged on local disk whatever the store (a bucket is touched only after the
        # database has committed): the data folder, which an object store leaves unmade.
        Path(settings.DATA_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.DATA_DIR))
        committed = False
        try:
            reader = archive.SealedReader(handle)
            with transaction.atomic():
                restored = _load(reader, staging, replace=replace, start=start, advance=advance)
                entry = audit.record(
                    actor=None,
                    action=audit.RESTORED_ACTION,
                    object_type="backup",
                    object_id=restored.sha256,
                )
            committed = True
            # A "restore" anchor: the anchors of entries the backup did not have yet
            # are set aside, and the restored trail is anchored (core/audit.py).
            restored.not_anchored = anchor(entry, by="restore")
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
                    "store": files.where(),
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
    reader: archive.SealedReader,
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
        if member is None or member.name != archive.HEADER or not member.isfile():
            raise ArchiveDamaged(_("The backup was altered or damaged: it has no header."))
        parts = {archive.HEADER: ""}
        header, parts[archive.HEADER] = archive.read_json(tar, member)
        walked = _check_header(header)
        _check_empty(list(walked.values()), replace=replace)
        tables.flush(list(walked.values()))
        start(sum(header["tables"].values()) + header["files"])

        loaded = {label: 0 for label in header["tables"]}
        lookup = _Lookup()
        restored = Restored(made_at=header["made_at"], sha256="")
        manifest = None
        for member in members:
            if not member.isfile() or member.name in parts:
                raise ArchiveDamaged(_("The backup was altered or damaged: a part is malformed."))
            if member.name == archive.MANIFEST:
                manifest, _digest = archive.read_json(tar, member)
                break
            if archive.DATABASE_PART.fullmatch(member.name):
                content, parts[member.name] = archive.read_json(tar, member)
                table = walked.get(content.get("model")) if isinstance(content, dict) else None
                if table is None or not isinstance(content.get("rows"), list):
                    raise ArchiveDamaged(_("The backup's records are malformed."))
                _check_columns(table, content["columns"])
                restored.unreadable += table.insert(content["columns"], content["rows"], lookup)
                loaded[table.label] += len(content["rows"])
                advance(len(content["rows"]))
            elif match := archive.FILE_PART.fullmatch(member.name):
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
        connection.check_constraints(table_names=[t.model._meta.db_table for t in walked.values()])
    except IntegrityError:
        raise ArchiveDamaged(
            _("The backup's records do not fit together: a record refers to one it lacks.")
        ) from None
    tables.set_counters(list(walked.values()), manifest.get("counters", {}))
    restored.rows = sum(loaded.values())
    restored.sha256 = reader.sha256
    return restored


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
    hashing = archive.Hashing(source)
    with open(path, "xb") as out:
        shutil.copyfileobj(hashing, out, archive.CHUNK)
        out.flush()
        os.fsync(out.fileno())
    if not files.readable(name, path.read_bytes()):
        restored.unreadable.append(f"file {name}")
    return hashing.digest.hexdigest()


# --- Checks ---------------------------------------------------------------------------


def _check_header(header: Any) -> dict[str, tables.Table]:
    """The backup's format and migrations against this installation's; returns the
    tables to restore, by label."""
    if not isinstance(header, dict) or header.get("format") != archive.FORMAT:
        raise ArchiveUnreadable(_("This backup has a format this version of Vigil cannot read."))
    shapes = {"made_at": str, "migrations": list, "tables": dict, "files": int}
    if not all(isinstance(header.get(key), kind) for key, kind in shapes.items()) or not all(
        isinstance(n, int) for n in header["tables"].values()
    ):
        raise ArchiveDamaged(_("The backup was altered or damaged: its header is malformed."))
    theirs = {tuple(pair) for pair in header["migrations"]}
    ours = tables.applied_migrations()
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
    walked = {t.label: t for t in tables.backed_up_tables()}
    if set(walked) != set(header["tables"]):
        raise RestoreRefused(
            _(
                "The backup holds other tables than this installation: it was made by "
                "another version of Vigil."
            )
        )
    return walked


def _check_empty(walked: list[tables.Table], *, replace: bool) -> None:
    """Refuse to overwrite anything, unless told to."""
    if replace:
        return
    held = [
        f"{t.label} ({count})"
        for t in walked
        if t.label not in tables.MADE_BY_MIGRATE and (count := t.model._base_manager.count())
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


def _check_columns(table: tables.Table, columns: Any) -> None:
    """A database part's columns against this installation's table."""
    if sorted(columns) != sorted(table.columns):
        raise RestoreRefused(
            _(
                "The backup's table %(table)s has other columns than this "
                "installation's: it was made by another version of Vigil."
            )
            % {"table": table.label}
        )


class _Lookup:
    """Natural keys to this installation's ids, for content types and permissions."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[tuple, int]] = {}

    def __call__(self, label: str, key: Any) -> int:
        if label not in self.ids:
            self.ids[label] = {tuple(nk): pk for pk, nk in tables.natural_keys()[label].items()}
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

    if not isinstance(manifest, dict) or manifest.get("format") != archive.FORMAT:
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

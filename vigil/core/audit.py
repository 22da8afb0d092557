"""The append-only, keyed hash chain of the audit trail, and its anchors.

Every service that changes a record, and every read of a sensitive record, calls
`record()` inside its own transaction, so that the change and its entry commit or
roll back together.

The threat: someone who can write to the database (a seized server, a database
administrator, a stolen database password) deletes the entries that show what they
did and rewrites the rest so that it still verifies.

- **A keyed chain.** Each entry stores an HMAC-SHA256 of its canonical content under
  an audit key that is not in the database (`VIGIL_AUDIT_KEY`), and that content
  includes the hash of the entry before it. Editing, deleting, reordering or
  inserting an entry breaks the chain at that point, and without the key nobody can
  compute the hashes that would mend it: not with plain SHA-256, not with a guessed
  key. `verify()` names where it breaks.
- **Key ids, for rotation.** The key is named in each entry by an id derived from it
  (8 hex digits, not the key). The newest configured key makes new entries; every
  configured key verifies the entries made with it, so old keys are kept. Once an
  anchored entry was made with a newer key, an entry made with an older one after it
  is refused: a leaked retired key cannot be used to append entries.
- **Entries from before the key.** They keep their plain SHA-256 (`key_id` NULL).
  Migration 0006 appended a keyed entry after the last of them, so they are covered
  by that entry's HMAC. A plain entry after a keyed one, or a trail whose newest entry
  is plain, is refused: a trail rewritten as plain SHA-256 does not verify.
- **Anchors.** A key does not stop someone from cutting entries off the end, or
  replacing the whole trail with an older copy of itself. So heads are anchored
  outside the database: `anchor_audit` (daily), every `backup` and every successful
  `verify_audit` append "time, sequence number, entry id, keyed hash, by whom" to a
  file in `AUDIT_ANCHOR_DIR`, and `verify()` checks that every anchored entry is still
  there with that hash, and that the trail did not shrink below the last anchor.
  What is written after the last anchor can still be cut off unseen; what the
  anchor file is kept on decides who can undo the anchors (docs/audit-trail.md).
"""

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.core.models import AuditEntry

GENESIS_HASH = "0" * 64
PLAIN_VERSION = 1  # SHA-256, no key: entries from before the key
KEYED_VERSION = 2  # HMAC-SHA256 under an audit key
CANONICAL_VERSION = KEYED_VERSION
# HMAC of this label under a key is its id; no canonical content (JSON) equals it.
_KEY_ID_LABEL = b"vigil audit key id v1"
ANCHOR_FILE_NAME = "anchors"
# Who wrote an anchor line. A "restore" line marks a trail replaced by a backup's.
# "schedule" is the task queue's daily anchoring (core/tasks.py).
ANCHOR_SOURCES = ("anchor_audit", "schedule", "backup", "verify_audit", "restore")
RESTORED_ACTION = "core.backup_restored"

# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises
# appends, so that two transactions can never chain to the same predecessor.
_CHAIN_LOCK_KEY = 0x56494749  # "VIGI"


# --- Keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditKey:
    """One configured audit key: its id and what makes HMACs under it."""

    id: str
    rank: int  # 0 for the newest configured key, 1 for the one before, ...
    _mac: Any  # an hmac object under the key, copied for each entry

    def hexdigest(self, content: bytes) -> str:
        mac = self._mac.copy()
        mac.update(content)
        return mac.hexdigest()


class UnknownAuditKey(Exception):
    """An entry names an audit key that is not configured."""


def _key_bytes(text: str) -> bytes:
    # The settings checked the form at start-up.
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def key_id_of(raw: bytes) -> str:
    """The id by which entries name the key `raw` (not secret: it reveals nothing
    that the entries' hashes do not already)."""
    return hmac.new(raw, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:8]


@cache
def _keys_of(texts: tuple[str, ...]) -> dict[str, AuditKey]:
    keys: dict[str, AuditKey] = {}
    for rank, text in enumerate(texts):
        raw = _key_bytes(text)
        key_id = key_id_of(raw)
        keys.setdefault(key_id, AuditKey(key_id, rank, hmac.new(raw, digestmod=hashlib.sha256)))
    return keys


def audit_keys() -> dict[str, AuditKey]:
    """The configured audit keys by id (read afresh when the setting changes)."""
    return _keys_of(tuple(settings.AUDIT_KEYS))


def current_key() -> AuditKey:
    """The key new entries are made with: the first of `VIGIL_AUDIT_KEY`."""
    return next(key for key in audit_keys().values() if key.rank == 0)


# --- Entries ------------------------------------------------------------------------


def canonical_content(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    fields: list[str],
    prev_hash: str,
    key_id: str | None = None,
) -> bytes:
    """The exact bytes that an entry's hash covers.

    JSON with sorted keys and no insignificant white space; the time in UTC with
    microseconds, which both PostgreSQL and SQLite store without loss. A keyed entry
    (version 2) also covers the id of its key; a plain one (version 1) is exactly
    what Vigil hashed before the trail was keyed.
    """
    content: dict[str, Any] = {
        "v": PLAIN_VERSION if key_id is None else KEYED_VERSION,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "fields": fields,
        "prev": prev_hash,
    }
    if key_id is not None:
        content["key"] = key_id
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_content_of(entry: AuditEntry) -> bytes:
    """The canonical content of a stored (or about to be stored) entry."""
    return canonical_content(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        fields=list(entry.fields),
        prev_hash=entry.prev_hash,
        key_id=entry.key_id,
    )


def entry_hash_of(entry: AuditEntry) -> str:
    """Recompute the hash of an entry from its content: the HMAC under the key it
    names, or plain SHA-256 for an entry from before the key. Raises
    `UnknownAuditKey` when the key it names is not configured."""
    content = canonical_content_of(entry)
    if entry.key_id is None:
        return hashlib.sha256(content).hexdigest()
    key = audit_keys().get(entry.key_id)
    if key is None:
        raise UnknownAuditKey(entry.key_id)
    return key.hexdigest(content)


def _start_of_day() -> datetime:
    return timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: transactions begin IMMEDIATE (see settings), so a writer already
    # holds the database's only write lock here.


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    fields: Iterable[str] = (),
    day_only: bool = False,
) -> AuditEntry:
    """Append an entry to the audit trail and return it.

    `actor` is a user, or None for the system (management commands, anonymous
    intake). `fields` names the fields that changed or were read, never their
    values. Pass `obj` for a saved model instance, or `object_type` and
    `object_id` for something that is not one.

    `day_only` records the day, not the time: for what anonymous reporters do, an
    exact time could be matched against an internet provider's logs.
    """
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, actor_name = actor.pk, actor.get_username()
    else:
        actor_id, actor_name = None, "system" if actor is None else "anonymous"

    with transaction.atomic():
        _lock_chain()
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        entry = AuditEntry(
            seq=seq,
            at=_start_of_day() if day_only else timezone.now(),
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            fields=sorted(set(fields)),
            prev_hash=prev_hash,
            key_id=current_key().id,
        )
        entry.entry_hash = entry_hash_of(entry)
        entry.save(force_insert=True)
    return entry


def record_many(
    *, actor: Any, action: str, entries: Sequence[tuple[str, str | int, Iterable[str]]]
) -> None:
    """Append one entry per (object type, object id, fields) of `entries`, all with
    `action` and the same time: what `record()` would append for each, chained in
    order under one lock, and written in bulk (an import's thousands of records)."""
    if not entries:
        return
    from vigil.core import bulk

    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, actor_name = actor.pk, actor.get_username()
    else:
        actor_id, actor_name = None, "system" if actor is None else "anonymous"
    columns = ["seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
               "fields", "prev_hash", "entry_hash", "key_id"]  # fmt: skip
    with transaction.atomic():
        _lock_chain()
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
        seq, prev_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
        at, key = timezone.now(), current_key()
        rows = []
        for object_type, object_id, fields in entries:
            seq += 1
            listed = sorted(set(fields))
            content = canonical_content(
                seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
                object_type=object_type, object_id=str(object_id), fields=listed,
                prev_hash=prev_hash, key_id=key.id,
            )  # fmt: skip
            entry_hash = key.hexdigest(content)
            rows.append(
                (seq, at, actor_id, actor_name, action, object_type, str(object_id), listed,
                 prev_hash, entry_hash, key.id)
            )  # fmt: skip
            prev_hash = entry_hash
        bulk.rows(AuditEntry, columns, rows)


# --- Anchors -------------------------------------------------------------------------


class AnchorError(Exception):
    """The anchor file cannot be read or written, or the head cannot be anchored. The
    message says why in words an operator can act on."""


@dataclass(frozen=True)
class Anchor:
    """One line of the anchor file: the entry `seq` (database id `entry_id`) had the
    keyed hash `entry_hash` when `by` wrote the line at `at`."""

    line: int
    at: str
    seq: int
    entry_id: int
    entry_hash: str
    by: str


def anchor_path() -> Path:
    """The anchor file: one line per anchor, appended, never rewritten."""
    return Path(settings.AUDIT_ANCHOR_DIR) / ANCHOR_FILE_NAME


def head() -> AuditEntry | None:
    """The newest entry of the trail, if any."""
    return AuditEntry.objects.order_by("-seq").first()


def write_anchor(*, entry: AuditEntry, by: str) -> Anchor:
    """Append `entry` to the anchor file, on disk before this returns.

    One `write` of one short line to a file opened for appending, so that lines
    from processes anchoring at the same time never interleave."""
    if by not in ANCHOR_SOURCES:
        raise ValueError(by)
    path = anchor_path()
    at = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{at} {entry.seq} {entry.pk} {entry.entry_hash} {by}\n"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise AnchorError(
            _("Cannot write to the anchor file %(path)s: %(error)s.")
            % {"path": path, "error": error.strerror}
        ) from None
    return Anchor(
        line=0, at=at, seq=entry.seq, entry_id=entry.pk, entry_hash=entry.entry_hash, by=by
    )


def anchor_head(*, by: str) -> Anchor | None:
    """Anchor the newest entry (None when the trail is empty).

    Refuses a head that does not hold under the configured keys (a plain hash, an
    unknown key, content that does not match): an anchor must never vouch for an
    entry made without the key."""
    entry = head()
    if entry is None:
        return None
    try:
        holds = entry.key_id is not None and entry_hash_of(entry) == entry.entry_hash
    except UnknownAuditKey:
        holds = False
    if not holds:
        raise AnchorError(
            _(
                "The newest audit entry (sequence %(seq)s) does not hold under the audit "
                "keys configured here, so it was not anchored: run verify_audit."
            )
            % {"seq": entry.seq}
        )
    return write_anchor(entry=entry, by=by)


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor in the anchor file (or in `path`, a copy kept elsewhere), in the
    order written; none when there is no file yet."""
    path = anchor_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise AnchorError(
            _("Cannot read the anchor file %(path)s: %(error)s.")
            % {"path": path, "error": getattr(error, "strerror", None) or error.__class__.__name__}
        ) from None
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        anchor = None
        if len(parts) == 5 and parts[1].isdigit() and parts[2].isdigit():
            at, seq, entry_id, entry_hash, by = parts
            if int(seq) >= 1 and _is_hash(entry_hash) and by in ANCHOR_SOURCES:
                anchor = Anchor(number, at, int(seq), int(entry_id), entry_hash, by)
        if anchor is None:
            raise AnchorError(
                _(
                    "Line %(line)s of the anchor file %(path)s is not an anchor: the file "
                    "was damaged or altered."
                )
                % {"line": number, "path": path}
            )
        anchors.append(anchor)
    return anchors


def _is_hash(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def anchors_in_force(anchors: Sequence[Anchor]) -> tuple[list[Anchor], int]:
    """The anchors that bind the trail as it is now, and how many were set aside.

    A restore replaces the trail with a backup's, which ends before the entries
    anchored after the backup was made: a "restore" line (written by the restore,
    naming the entry that records it) sets aside the anchors before it of entries at
    or after its own. Every other anchor binds."""
    kept: list[Anchor] = []
    set_aside = 0
    for anchor in anchors:
        if anchor.by == "restore":
            before = len(kept)
            kept = [earlier for earlier in kept if earlier.seq < anchor.seq]
            set_aside += before - len(kept)
        kept.append(anchor)
    return kept, set_aside


# --- Verifying --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    """What `verify()` found."""

    count: int  # entries verified before the first problem (all of them if intact)
    head_hash: str  # hash of the last verified entry (GENESIS_HASH when empty)
    broken_entry: AuditEntry | None = None
    problem: str = ""
    expected_found_at: int | None = None  # seq of the entry whose hash was expected
    head: AuditEntry | None = None  # the last verified entry
    anchors_checked: int = 0
    plain: int = 0  # entries from before the trail was keyed
    # The last anchor, when the trail ends before the entry it names (cut short).
    missing_anchor: Anchor | None = None

    @property
    def intact(self) -> bool:
        return self.broken_entry is None and self.missing_anchor is None


def verify(
    *,
    expect: str | None = None,
    anchors: Sequence[Anchor] = (),
    chunk_size: int = 2000,
) -> ChainCheck:
    """Walk the chain from the first entry and check every link, and every anchor.

    Stops at the first entry that does not hold: its sequence number is not the
    next one (an entry before it was deleted, or one was inserted), it does not
    name the previous entry's hash (reordered or inserted), it has no key after
    entries that had one, it names a key that is not configured or a retired key
    after a newer one was anchored, its content no longer matches its hash (edited,
    or rewritten without the key), or it is not the entry an anchor names. Then the
    trail must reach its last anchor (not cut short), and its newest entry must be
    keyed. Pass the anchors in force (`anchors_in_force`).
    """
    keys = audit_keys()
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.seq, []).append(anchor)
    expected_seq = 1
    prev_hash = GENESIS_HASH
    expected_found_at = 0 if expect == GENESIS_HASH else None
    count = checked = plain = 0
    keyed_seen = False
    newest_anchored_rank: int | None = None
    last: AuditEntry | None = None

    def broken(entry: AuditEntry, problem: str) -> ChainCheck:
        return ChainCheck(
            count=count,
            head_hash=prev_hash,
            broken_entry=entry,
            problem=problem,
            expected_found_at=expected_found_at,
            head=last,
            anchors_checked=checked,
            plain=plain,
        )

    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        key = keys.get(entry.key_id) if entry.key_id is not None else None
        problem = ""
        if entry.seq != expected_seq:
            problem = _(
                "its sequence number is %(seq)s where %(expected)s was expected "
                "(an entry was deleted, inserted or renumbered)"
            ) % {"seq": entry.seq, "expected": expected_seq}
        elif entry.prev_hash != prev_hash:
            problem = _(
                "it does not name the hash of the entry before it "
                "(entries were reordered, inserted or removed)"
            )
        elif entry.key_id is None and keyed_seen:
            problem = _(
                "it has no key, although entries before it have one (every entry since "
                "the trail was keyed has one: it was forged or rewritten without the key)"
            )
        elif entry.key_id is not None and key is None:
            problem = _(
                "it names an audit key that is not configured (id %(key)s): an old key "
                "was removed from VIGIL_AUDIT_KEY, or the entry was forged"
            ) % {"key": entry.key_id}
        elif (
            key is not None and newest_anchored_rank is not None and key.rank > newest_anchored_rank
        ):
            problem = _(
                "it was made with a retired audit key (id %(key)s) after an anchored "
                "entry made with a newer one (it was forged with an old key)"
            ) % {"key": entry.key_id}
        elif entry_hash_of(entry) != entry.entry_hash:
            problem = _(
                "its content does not match its hash (it was edited, or rewritten without the key)"
            )
        else:
            for anchor in anchored.get(entry.seq, ()):
                if anchor.entry_hash != entry.entry_hash or anchor.entry_id != entry.pk:
                    problem = _(
                        "it is not the entry anchored at line %(line)s of the anchor file "
                        "(written %(time)s): the trail was rewritten"
                    ) % {"line": anchor.line, "time": anchor.at}
                    break
                if anchor.by == "restore" and entry.action != RESTORED_ACTION:
                    problem = _(
                        "line %(line)s of the anchor file marks a restore here, but this "
                        "entry does not record one"
                    ) % {"line": anchor.line}
                    break
                checked += 1
                if key is not None and (
                    newest_anchored_rank is None or key.rank < newest_anchored_rank
                ):
                    newest_anchored_rank = key.rank
        if problem:
            return broken(entry, problem)
        if expect is not None and entry.entry_hash == expect:
            expected_found_at = entry.seq
        if entry.key_id is None:
            plain += 1
        else:
            keyed_seen = True
        prev_hash = entry.entry_hash
        expected_seq += 1
        count += 1
        last = entry

    if last is not None and last.key_id is None:
        count -= 1
        prev_hash = last.prev_hash
        return broken(
            last,
            _(
                "it is the newest entry and has no key (since the trail was keyed, its "
                "newest entry always has one: it was rewritten without the key)"
            ),
        )
    beyond = [anchor for anchor in anchors if anchor.seq > count]
    return ChainCheck(
        count=count,
        head_hash=prev_hash,
        expected_found_at=expected_found_at,
        head=last,
        anchors_checked=checked,
        plain=plain,
        missing_anchor=max(beyond, key=lambda a: a.seq) if beyond else None,
    )

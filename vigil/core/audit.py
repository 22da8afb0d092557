"""The append-only, hash-chained audit trail.

Every service that changes a record, and every read of a sensitive record, calls
`record()` inside its own transaction, so that the change and its entry commit or
roll back together.

Each entry stores the SHA-256 of its canonical content, and that content includes
the hash of the entry before it. Editing, deleting, reordering or inserting an
entry therefore breaks the chain at that point, and `verify()` names where.

Someone with write access to the database could recompute the whole chain after
tampering. Against that, an operator records the head hash somewhere the database
cannot reach (a ticket, a printout, another machine) and later runs
`verify_audit --expect HASH`: a rewritten chain no longer contains that hash.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.core.models import AuditEntry

GENESIS_HASH = "0" * 64
CANONICAL_VERSION = 1

# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises
# appends, so that two transactions can never chain to the same predecessor.
_CHAIN_LOCK_KEY = 0x56494749  # "VIGI"


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
) -> bytes:
    """The exact bytes that an entry's hash covers.

    JSON with sorted keys and no insignificant white space; the time in UTC with
    microseconds, which both PostgreSQL and SQLite store without loss.
    """
    content = {
        "v": CANONICAL_VERSION,
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
    )


def entry_hash_of(entry: AuditEntry) -> str:
    """Recompute the hash of an entry from its content."""
    return hashlib.sha256(canonical_content_of(entry)).hexdigest()


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
        )
        entry.entry_hash = entry_hash_of(entry)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class Verification:
    """What `verify()` found."""

    count: int  # entries verified before the first problem (all of them if intact)
    head_hash: str  # hash of the last verified entry (GENESIS_HASH when empty)
    broken_entry: AuditEntry | None = None
    problem: str = ""
    expected_found_at: int | None = None  # seq of the entry whose hash was expected

    @property
    def intact(self) -> bool:
        return self.broken_entry is None


def verify(*, expect: str | None = None, chunk_size: int = 2000) -> Verification:
    """Walk the chain from the first entry and check every link.

    Stops at the first entry that does not hold: its sequence number is not the
    next one (an entry before it was deleted, or one was inserted), it does not
    name the previous entry's hash (reordered or inserted), or its content no
    longer matches its hash (edited).
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    expected_found_at = 0 if expect == GENESIS_HASH else None
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
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
        elif entry_hash_of(entry) != entry.entry_hash:
            problem = _("its content does not match its hash (it was edited)")
        if problem:
            return Verification(
                count=count,
                head_hash=prev_hash,
                broken_entry=entry,
                problem=problem,
                expected_found_at=expected_found_at,
            )
        if expect is not None and entry.entry_hash == expect:
            expected_found_at = entry.seq
        prev_hash = entry.entry_hash
        expected_seq += 1
        count += 1
    return Verification(count=count, head_hash=prev_hash, expected_found_at=expected_found_at)

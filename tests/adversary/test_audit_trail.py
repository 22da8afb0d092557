"""The audit trail against someone who controls the database.

The adversary has the database owner's rights (a seized server, a database
administrator, a stolen database password) but not the application's environment:
they can switch the append-only trigger off, delete the entries that show what was
read or done, and rewrite every row that is left. They know the format of the
chain (docs/audit-trail.md), so each attack here computes its hashes with code of
its own, not with Vigil's. Each test fails if `verify_audit` lets the attack pass.
"""

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from vigil.core import audit
from vigil.core.models import AuditEntry
from vigil.core.tests.audit_helpers import verify_audit

pytestmark = pytest.mark.django_db

REVEALING = "cases.defender_name_read"  # what the insider wants gone


@contextmanager
def as_the_database_owner() -> Iterator:
    """Switch the append-only guard off, as the owner of the database can."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_append_only")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
        else:
            cursor.execute(
                "CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE ON core_auditentry "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )


def has_key_column() -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "core_auditentry")
    return any(column.name == "key_id" for column in columns)


def canonical(row: dict, *, seq: int, prev: str, key_id: str | None) -> bytes:
    """The chain's canonical content, as the documentation describes it."""
    content = {
        "v": 1 if key_id is None else 2,
        "seq": seq,
        "at": row["at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": row["actor_id"],
        "actor": row["actor_name"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "fields": row["fields"],
        "prev": prev,
    }
    if key_id is not None:
        content["key"] = key_id
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def plain_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def guessed_key() -> tuple[bytes, str]:
    """A key the attacker made up, and the id Vigil would give it."""
    raw = secrets.token_bytes(32)
    return raw, hmac.new(raw, b"vigil audit key id v1", hashlib.sha256).hexdigest()[:8]


ROW_FIELDS = ("id", "at", "actor_id", "actor_name", "action", "object_type", "object_id")


def rows() -> list[dict]:
    return list(AuditEntry.objects.order_by("seq").values(*ROW_FIELDS, "fields"))


def rewrite(
    cursor, kept: list[dict], *, hasher: Callable[[bytes], str], key_id: str | None
) -> None:
    """Renumber and rehash every kept row so that the chain is consistent again."""
    keyed = has_key_column()
    for i, row in enumerate(kept):  # out of the way of the unique columns first
        cursor.execute(
            "UPDATE core_auditentry SET seq = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
            [10**9 + i, f"p{i:063d}", f"e{i:063d}", row["id"]],
        )
    prev = "0" * 64
    for seq, row in enumerate(kept, start=1):
        entry_hash = hasher(canonical(row, seq=seq, prev=prev, key_id=key_id))
        cursor.execute(
            "UPDATE core_auditentry SET seq = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
            [seq, prev, entry_hash, row["id"]],
        )
        if keyed:
            cursor.execute(
                "UPDATE core_auditentry SET key_id = %s WHERE id = %s", [key_id, row["id"]]
            )
        prev = entry_hash


def delete_and_rewrite(*, hasher: Callable[[bytes], str], key_id: str | None) -> int:
    """The full rewrite: delete the revealing entries, rehash all the rest. Returns
    how many entries were deleted."""
    everything = rows()
    kept = [row for row in everything if row["action"] != REVEALING]
    with as_the_database_owner() as cursor:
        cursor.execute(
            "DELETE FROM core_auditentry WHERE action = %s",  # noqa: S608
            [REVEALING],
        )
        rewrite(cursor, kept, hasher=hasher, key_id=key_id)
    return len(everything) - len(kept)


def a_day_of_work(alice, carol) -> None:
    """A trail with an officer reading names among other work."""
    for i in range(1, 9):
        audit.record(actor=carol, action="cases.case_viewed", object_type="cases.case", object_id=i)
        if i % 3 == 0:
            audit.record(actor=alice, action=REVEALING, object_type="cases.defender", object_id=i)


def test_a_full_rewrite_of_the_trail_with_plain_sha256_is_caught(alice, carol):
    a_day_of_work(alice, carol)
    assert verify_audit()[0] == 0  # the honest trail holds

    deleted = delete_and_rewrite(hasher=plain_sha256, key_id=None)

    assert deleted == 2
    assert not AuditEntry.objects.filter(action=REVEALING).exists()
    # The rewritten chain is consistent: every link names the one before, every hash
    # matches its content under plain SHA-256, the numbers have no gap.
    prev = "0" * 64
    for seq, row in enumerate(rows(), start=1):
        entry = AuditEntry.objects.get(id=row["id"])
        assert (entry.seq, entry.prev_hash) == (seq, prev)
        assert entry.entry_hash == plain_sha256(canonical(row, seq=seq, prev=prev, key_id=None))
        prev = entry.entry_hash
    code, _out, err = verify_audit()
    assert code == 1
    assert "Audit trail broken at entry id" in err
    assert "has no key" in err


@pytest.mark.parametrize("named_key", ["the guessed key's id", "the real key's id"])
def test_a_full_rewrite_of_the_trail_under_a_guessed_key_is_caught(alice, carol, named_key):
    a_day_of_work(alice, carol)
    raw, own_id = guessed_key()
    real_id = AuditEntry.objects.order_by("seq").last().key_id
    key_id = own_id if named_key == "the guessed key's id" else real_id

    delete_and_rewrite(
        hasher=lambda content: hmac.new(raw, content, hashlib.sha256).hexdigest(), key_id=key_id
    )

    assert not AuditEntry.objects.filter(action=REVEALING).exists()
    code, _out, err = verify_audit()
    assert code == 1
    assert "(sequence 1," in err  # the very first entry no longer holds
    if named_key == "the guessed key's id":
        assert "names an audit key that is not configured" in err
    else:
        assert "does not match its hash" in err


def test_appending_a_forged_entry_without_the_key_is_caught(alice, carol):
    a_day_of_work(alice, carol)
    head = rows()[-1]
    last = AuditEntry.objects.get(id=head["id"])
    forged = {**head, "actor_name": "carol", "action": "cases.case_closed", "object_id": "3"}
    with as_the_database_owner() as cursor:
        entry_hash = plain_sha256(
            canonical(forged, seq=last.seq + 1, prev=last.entry_hash, key_id=None)
        )
        cursor.execute(
            "INSERT INTO core_auditentry (seq, at, actor_id, actor_name, action, object_type, "
            "object_id, fields, prev_hash, entry_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s)",
            [
                last.seq + 1,
                forged["at"],
                forged["actor_id"],
                forged["actor_name"],
                forged["action"],
                forged["object_type"],
                forged["object_id"],
                "[]",
                last.entry_hash,
                entry_hash,
            ],
        )
    code, _out, err = verify_audit()
    assert code == 1
    assert f"(sequence {last.seq + 1}," in err
    assert "has no key" in err


def test_cutting_entries_off_the_end_of_the_trail_below_its_last_anchor_is_caught(alice, carol):
    a_day_of_work(alice, carol)
    call_command("anchor_audit", stdout=StringIO())  # the daily anchor
    anchored = AuditEntry.objects.order_by("seq").last().seq
    for i in range(3):
        audit.record(actor=carol, action="cases.case_viewed", object_type="cases.case", object_id=i)

    # Back to the trail as it was before the revealing reads: no link is broken, every
    # hash still holds under the key.
    first_revealing = AuditEntry.objects.filter(action=REVEALING).order_by("seq").first().seq
    with as_the_database_owner() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq >= %s", [first_revealing])
    assert first_revealing < anchored

    code, _out, err = verify_audit()
    assert code == 1
    assert "Audit trail cut short" in err
    assert f"it ends at sequence {first_revealing - 1}" in err
    assert f"anchors entry {anchored}" in err


def test_appending_entries_with_a_retired_audit_key_that_leaked_is_caught(alice, carol, settings):
    old = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    new = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    first = list(settings.AUDIT_KEYS)  # made the entries that created the accounts
    settings.AUDIT_KEYS = [old, *first]
    a_day_of_work(alice, carol)
    settings.AUDIT_KEYS = [new, old, *first]  # rotated: the old key only verifies now
    audit.record(actor=carol, action="cases.case_viewed", object_type="cases.case", object_id=1)
    call_command("anchor_audit", stdout=StringIO())
    assert verify_audit()[0] == 0

    # The old key leaked (an old configuration file): an entry forged under it.
    raw = base64.urlsafe_b64decode(old)
    old_id = hmac.new(raw, b"vigil audit key id v1", hashlib.sha256).hexdigest()[:8]
    last = AuditEntry.objects.order_by("seq").last()
    forged = {
        "at": last.at,
        "actor_id": carol.pk,
        "actor_name": "carol",
        "action": "cases.case_closed",
        "object_type": "cases.case",
        "object_id": "3",
        "fields": [],
    }
    key_id = old_id if has_key_column() else None
    content = canonical(forged, seq=last.seq + 1, prev=last.entry_hash, key_id=key_id)
    entry_hash = (
        hmac.new(raw, content, hashlib.sha256).hexdigest() if key_id else plain_sha256(content)
    )
    columns = "seq, at, actor_id, actor_name, action, object_type, object_id, fields, "
    columns += "prev_hash, entry_hash" + (", key_id" if key_id else "")
    values = [last.seq + 1, last.at, carol.pk, "carol", "cases.case_closed", "cases.case", "3"]
    values += ["[]", last.entry_hash, entry_hash] + ([key_id] if key_id else [])
    with as_the_database_owner() as cursor:
        cursor.execute(
            f"INSERT INTO core_auditentry ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(values))})",
            values,
        )
    code, _out, err = verify_audit()
    assert code == 1
    assert f"(sequence {last.seq + 1}," in err
    assert "retired audit key" in err

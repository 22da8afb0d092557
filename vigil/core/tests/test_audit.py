"""The audit trail: appending, refusing changes, and finding every kind of tampering."""

import base64
import hashlib
import hmac
import importlib
from contextlib import contextmanager
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from vigil.core import audit
from vigil.core.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db

triggers = importlib.import_module("vigil.core.migrations.0002_audit_trail_append_only_triggers")


@contextmanager
def tampering():
    """What someone with direct database access can do: switch the guard off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
        else:
            cursor.execute(triggers.SQLITE_BACKWARD[0])
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
        else:
            cursor.execute(triggers.SQLITE_FORWARD[0])


def write_entries(n: int, actor=None) -> list[AuditEntry]:
    return [
        audit.record(actor=actor, action=f"test.action_{i}", object_type="test.thing", object_id=i)
        for i in range(1, n + 1)
    ]


def head_hash() -> str:
    return AuditEntry.objects.order_by("-seq").values_list("entry_hash", flat=True).first()


def run_verify(*args: str) -> tuple[int, str, str]:
    """Run verify_audit; return its exit code, output and error as the shell sees them.

    (In-process, so that it sees the test's transaction: a CommandError is what
    manage.py turns into its message on stderr and exit status 1. The real
    process is run in test_commands_exit_codes.)
    """
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), f"CommandError: {error}"
    return 0, out.getvalue(), err.getvalue()


def test_it_starts_the_chain_from_the_genesis_hash():
    first = write_entries(1)[0]
    assert first.seq == 1
    assert first.prev_hash == audit.GENESIS_HASH


def test_it_chains_each_entry_to_the_one_before(alice):
    before = head_hash()  # creating alice was audited
    first, second, third = write_entries(3, actor=alice)
    assert first.prev_hash == before
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert third.actor_id == alice.pk and third.actor_name == "alice"
    # An HMAC-SHA256 under the newest audit key, named by an id derived from the key.
    text = settings.AUDIT_KEYS[0]
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    key_id = hmac.new(raw, b"vigil audit key id v1", hashlib.sha256).hexdigest()[:8]
    assert second.key_id == key_id
    expected = hmac.new(
        raw,
        audit.canonical_content(
            seq=second.seq,
            at=second.at,
            actor_id=alice.pk,
            actor_name="alice",
            action="test.action_2",
            object_type="test.thing",
            object_id="2",
            fields=[],
            prev_hash=first.entry_hash,
            key_id=key_id,
        ),
        hashlib.sha256,
    ).hexdigest()
    assert AuditEntry.objects.get(seq=second.seq).entry_hash == expected


def test_it_records_field_names_not_values(alice):
    entry = audit.record(
        actor=alice, action="test.changed", obj=alice, fields=["last_name", "email", "email"]
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.fields == ["email", "last_name"]
    assert stored.object_type == "accounts.user"
    assert stored.object_id == str(alice.pk)
    assert "Alice" not in audit.canonical_content_of(stored).decode()


def test_it_names_the_system_and_anonymous_actors():
    from django.contrib.auth.models import AnonymousUser

    assert audit.record(actor=None, action="test.system").actor_name == "system"
    assert audit.record(actor=AnonymousUser(), action="test.anon").actor_name == "anonymous"


def test_the_model_refuses_changes_and_deletion():
    entry = write_entries(1)[0]
    entry.action = "test.forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_an_update_behind_the_models_back():
    write_entries(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'test.forged' WHERE seq = 1")
    assert AuditEntry.objects.get(seq=1).action == "test.action_1"


def test_the_database_refuses_a_delete_behind_the_models_back():
    # On SQLite only the model guards deletion (see migration 0002 for why).
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no DELETE trigger on the audit table, by design")
    write_entries(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 1")
    assert AuditEntry.objects.count() == 2


# --- verify_audit -------------------------------------------------------------


def test_it_verifies_an_intact_chain():
    write_entries(4)
    code, out, _err = run_verify()
    assert code == 0
    assert f"Verified 4 audit entries. Head: {head_hash()}" in out


def test_it_verifies_an_empty_trail():
    code, out, _err = run_verify()
    assert code == 0
    assert f"Verified 0 audit entries. Head: {audit.GENESIS_HASH}" in out


def test_it_finds_an_edited_entry():
    entries = write_entries(5)
    with tampering() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_id = '99' WHERE id = %s", [entries[2].pk])
    code, _out, err = run_verify()
    assert code == 1
    assert f"entry id {entries[2].pk} (sequence 3" in err
    assert "does not match its hash" in err
    assert "2 entries before it verified" in err


def test_it_finds_a_deleted_entry():
    entries = write_entries(5)
    with tampering() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    code, _out, err = run_verify()
    assert code == 1
    assert f"entry id {entries[3].pk} (sequence 4" in err
    assert "3 was expected" in err


def test_it_finds_reordered_entries():
    entries = write_entries(5)
    second, third = entries[1], entries[2]
    with tampering() as cursor:
        # Swap the places of the second and third entries.
        cursor.execute("UPDATE core_auditentry SET seq = 1000 WHERE id = %s", [second.pk])
        cursor.execute("UPDATE core_auditentry SET seq = 2 WHERE id = %s", [third.pk])
        cursor.execute("UPDATE core_auditentry SET seq = 3 WHERE id = %s", [second.pk])
    code, _out, err = run_verify()
    assert code == 1
    assert f"entry id {third.pk} (sequence 2" in err
    assert "does not name the hash of the entry before it" in err


def test_it_finds_an_inserted_entry():
    entries = write_entries(4)
    forged = AuditEntry(
        seq=3,
        at=entries[1].at,
        actor_id=None,
        actor_name="system",
        action="test.forged",
        object_type="test.thing",
        object_id="7",
        fields=[],
        prev_hash="f" * 64,
    )
    forged.entry_hash = audit.entry_hash_of(forged)  # a well-formed entry of its own
    with tampering() as cursor:
        for entry in reversed(entries[2:]):  # make room after the second entry
            cursor.execute("UPDATE core_auditentry SET seq = seq + 1 WHERE id = %s", [entry.pk])
        forged.save(force_insert=True)
    code, _out, err = run_verify()
    assert code == 1
    assert f"entry id {forged.pk} (sequence 3" in err
    assert "does not name the hash of the entry before it" in err


def rewrite_chain_from(seq: int, cursor) -> None:
    """Recompute every hash from `seq` on, as a careful attacker would."""
    prev = AuditEntry.objects.get(seq=seq - 1).entry_hash if seq > 1 else audit.GENESIS_HASH
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = prev
        new_hash = audit.entry_hash_of(entry)
        # Unique hashes: move each out of the way before writing the new one.
        cursor.execute(
            "UPDATE core_auditentry SET prev_hash = %s, entry_hash = %s WHERE id = %s",
            [("t" * 63) + str(entry.seq % 10), ("u" * 63) + str(entry.seq % 10), entry.pk],
        )
        cursor.execute(
            "UPDATE core_auditentry SET prev_hash = %s, entry_hash = %s WHERE id = %s",
            [prev, new_hash, entry.pk],
        )
        prev = new_hash


def test_it_confirms_a_recorded_head_that_is_still_in_the_chain():
    write_entries(3)
    recorded = head_hash()
    write_entries(2)
    code, out, _err = run_verify("--expect", recorded)
    assert code == 0
    assert f"The expected head {recorded} is entry 3 of the chain; 2 entries" in out


def test_it_catches_a_rewritten_chain_with_the_recorded_head():
    entries = write_entries(5)
    recorded = head_hash()
    with tampering() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET action = 'test.innocent' WHERE id = %s", [entries[1].pk]
        )
        rewrite_chain_from(2, cursor)
    # The rewritten chain is internally consistent...
    assert run_verify()[0] == 0
    # ...but the head recorded before the rewrite is gone from it.
    code, _out, err = run_verify("--expect", recorded)
    assert code == 1
    assert f"The expected head {recorded} is not part of the chain" in err


def test_it_catches_a_chain_cut_short_with_the_recorded_head():
    entries = write_entries(4)
    recorded = head_hash()
    with tampering() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    assert run_verify()[0] == 0
    code, _out, err = run_verify("--expect", recorded)
    assert code == 1
    assert "rewritten or cut short" in err


def test_it_refuses_an_expected_head_that_is_not_a_hash():
    with pytest.raises(CommandError, match="64 hexadecimal characters"):
        call_command("verify_audit", "--expect", "not-a-hash")

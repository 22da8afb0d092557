"""The keyed audit trail: its keys and their rotation, its anchors outside the
database, backups and restores, the upgrade of a plain trail, and the commands as an
operator runs them."""

import base64
import hashlib
import json
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import manage_env, run_manage
from vigil.backups.archive import SealedReader
from vigil.core import audit
from vigil.core.models import AuditEntry
from vigil.core.tests.audit_helpers import verify_audit

PG = "postgres://postgres@127.0.0.1:5432"


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def write_entries(n: int, action: str = "test.action") -> list[AuditEntry]:
    return [
        audit.record(actor=None, action=action, object_type="test.thing", object_id=i)
        for i in range(n)
    ]


def anchor_lines() -> list[list[str]]:
    return [line.split() for line in audit.anchor_path().read_text().splitlines()]


# --- Keys ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_verifies_an_honest_trail_and_anchors_its_head():
    entries = write_entries(5)
    code, out, _err = verify_audit()
    assert code == 0
    assert "No anchor yet" in out
    assert f"Anchored entry {entries[-1].seq} in {audit.anchor_path()}." in out
    ((_at, seq, entry_id, entry_hash, by),) = anchor_lines()
    assert (int(seq), int(entry_id), entry_hash, by) == (
        entries[-1].seq,
        entries[-1].pk,
        entries[-1].entry_hash,
        "verify_audit",
    )
    assert (audit.anchor_path().stat().st_mode & 0o777) == 0o600

    write_entries(2)
    call_command("anchor_audit", stdout=StringIO())
    code, out, _err = verify_audit()
    assert code == 0
    assert "2 anchors checked against the trail." in out
    assert len(anchor_lines()) == 3


@pytest.mark.django_db
def test_rotating_the_audit_key_keeps_old_entries_verifiable(settings):
    old, new = new_key(), new_key()
    settings.AUDIT_KEYS = [old]
    before = write_entries(3)
    call_command("anchor_audit", stdout=StringIO())
    settings.AUDIT_KEYS = [new, old]
    after = write_entries(3)
    assert before[0].key_id != after[0].key_id
    assert {e.key_id for e in before} == {audit.key_id_of(base64.urlsafe_b64decode(old))}
    assert {e.key_id for e in after} == {audit.key_id_of(base64.urlsafe_b64decode(new))}
    code, out, _err = verify_audit()
    assert code == 0
    assert "Verified 6 audit entries." in out

    # Without the old key its entries cannot be verified, and the command says why.
    settings.AUDIT_KEYS = [new]
    code, _out, err = verify_audit()
    assert code == 1
    assert "(sequence 1," in err
    assert f"names an audit key that is not configured (id {before[0].key_id})" in err


@pytest.mark.django_db
def test_an_entry_under_an_older_key_is_accepted_until_a_newer_one_is_anchored(settings):
    # While a new key reaches every server, some still write with the old one.
    old, new = new_key(), new_key()
    settings.AUDIT_KEYS = [old]
    write_entries(2)
    settings.AUDIT_KEYS = [new, old]
    write_entries(1)
    settings.AUDIT_KEYS = [old, new]  # a server not yet restarted
    write_entries(1)
    assert verify_audit()[0] == 0


@pytest.mark.django_db
def test_anchoring_an_empty_trail_anchors_nothing():
    out = StringIO()
    call_command("anchor_audit", stdout=out)
    assert "The audit trail is empty: nothing to anchor." in out.getvalue()
    assert not audit.anchor_path().exists()
    code, out, _err = verify_audit()
    assert code == 0 and "Verified 0 audit entries." in out


@pytest.mark.django_db
def test_anchor_audit_refuses_a_head_made_without_the_key(settings):
    write_entries(2)
    settings.AUDIT_KEYS = [new_key()]  # as if the entries had been made under another key
    with pytest.raises(CommandError, match="does not hold under the audit keys configured here"):
        call_command("anchor_audit", stdout=StringIO())
    assert not audit.anchor_path().exists()


@pytest.mark.django_db
def test_a_damaged_anchor_file_is_one_clear_line():
    write_entries(2)
    call_command("anchor_audit", stdout=StringIO())
    with audit.anchor_path().open("a") as anchors:
        anchors.write("2026-01-01T00:00:00Z 2 2 not-a-hash anchor_audit\n")
    code, _out, err = verify_audit()
    assert code == 1
    assert f"Line 2 of the anchor file {audit.anchor_path()} is not an anchor" in err
    assert "\n" not in err


@pytest.mark.django_db
def test_an_anchor_that_names_another_entry_is_found():
    entries = write_entries(3)
    call_command("anchor_audit", stdout=StringIO())
    line = audit.anchor_path().read_text()
    other = line.replace(entries[-1].entry_hash, entries[0].entry_hash)
    audit.anchor_path().write_text(line + other)
    code, _out, err = verify_audit()
    assert code == 1
    assert f"(sequence {entries[-1].seq}," in err
    assert "it is not the entry anchored at line 2 of the anchor file" in err


@pytest.mark.django_db
def test_a_copy_of_the_anchors_kept_elsewhere_catches_a_cut_the_local_file_forgot(tmp_path):
    write_entries(6)
    call_command("anchor_audit", stdout=StringIO())
    copy = tmp_path / "anchors-copy"
    shutil.copy(audit.anchor_path(), copy)  # the operator's copy, off the server
    # Someone with the server cuts the trail and empties the local anchor file.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
        cursor.execute("DELETE FROM core_auditentry WHERE seq > 3")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
    audit.anchor_path().write_text("")
    assert verify_audit()[0] == 0  # the local file no longer knows

    code, _out, err = verify_audit("--anchors", str(copy))
    assert code == 1
    assert "Audit trail cut short: it ends at sequence 3" in err
    code, _out, err = verify_audit("--anchors", str(tmp_path / "missing"))
    assert code == 1 and "There is no anchor file" in err


@pytest.mark.django_db
def test_a_failed_verification_writes_no_anchor():
    write_entries(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
            cursor.execute("UPDATE core_auditentry SET object_id = '9' WHERE seq = 2")
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_append_only")
            cursor.execute("UPDATE core_auditentry SET object_id = '9' WHERE seq = 2")
    code, _out, err = verify_audit()
    assert code == 1 and "does not match its hash" in err
    assert not audit.anchor_path().exists()


# --- Backups and restores --------------------------------------------------------------


def archive_header(path: Path) -> dict:
    """The header inside a sealed archive, opened with the configured keys."""
    with path.open("rb") as handle:
        reader = SealedReader(handle)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            member = next(iter(tar))
            assert member.name == "header.json"
            return json.loads(tar.extractfile(member).read())


@pytest.mark.django_db
def test_a_backup_carries_the_head_and_anchors_it(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    entries = write_entries(4)
    archive = tmp_path / "vigil.backup"
    call_command("backup", str(archive), stdout=StringIO(), stderr=StringIO())

    head = entries[-1]
    assert archive_header(archive)["audit_head"] == {
        "seq": head.seq,
        "id": head.pk,
        "hash": head.entry_hash,
    }
    assert AuditEntry.objects.order_by("seq").last().action == "core.backup_made"
    # The same head is anchored outside the database.
    ((_at, seq, entry_id, entry_hash, by),) = anchor_lines()
    assert (int(seq), int(entry_id), entry_hash, by) == (
        head.seq,
        head.pk,
        head.entry_hash,
        "backup",
    )


@pytest.mark.django_db
def test_a_restore_sets_aside_the_anchors_of_entries_the_backup_did_not_have(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    write_entries(3)
    archive = tmp_path / "vigil.backup"
    call_command("backup", str(archive), stdout=StringIO(), stderr=StringIO())
    write_entries(4, action="test.after_the_backup")
    call_command("anchor_audit", stdout=StringIO())  # anchors an entry the backup lacks

    call_command("restore", str(archive), "--replace", stdout=StringIO(), stderr=StringIO())

    assert not AuditEntry.objects.filter(action="test.after_the_backup").exists()
    assert anchor_lines()[-1][-1] == "restore"
    code, out, _err = verify_audit()
    assert code == 0
    assert "1 anchors of entries replaced by a restore were set aside." in out
    # The backup's anchor still binds the restored trail, and so does the restore's.
    assert "2 anchors checked against the trail." in out


# --- Settings and real processes --------------------------------------------------------


def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    env = manage_env(
        tmp_path,
        VIGIL_SECRET_KEY="k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
        VIGIL_ENCRYPTION_KEYS=new_key(),
        VIGIL_AUDIT_KEY="",
    )
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "VIGIL_AUDIT_KEY is empty" in result.stderr

    result = run_manage("check", env={**env, "VIGIL_AUDIT_KEY": "too-short"})
    assert result.returncode != 0
    assert "VIGIL_AUDIT_KEY holds a value that is not a key" in result.stderr


@pytest.mark.slow  # a real process
def test_debug_mode_makes_an_audit_key_file_of_its_own(tmp_path):
    env = manage_env(tmp_path, VIGIL_DEBUG="1", VIGIL_AUDIT_KEY="")
    result = run_manage("check", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    key_file = tmp_path / "development-audit.key"
    assert (key_file.stat().st_mode & 0o777) == 0o600
    assert len(base64.urlsafe_b64decode(key_file.read_text() + "=")) == 32


def shell(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


PLAIN_ENTRIES = """
import hashlib, json
from datetime import UTC, datetime, timedelta
from django.db import connection
prev = "0" * 64
start = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
with connection.cursor() as cursor:
    for seq in range(1, {n} + 1):
        at = start + timedelta(minutes=seq, microseconds=seq)
        content = {{"v": 1, "seq": seq, "at": at.isoformat(timespec="microseconds"),
            "actor_id": None, "actor": "system", "action": "test.before_the_key",
            "object_type": "test.thing", "object_id": str(seq), "fields": [], "prev": prev}}
        entry_hash = hashlib.sha256(json.dumps(content, sort_keys=True,
            separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        cursor.execute(
            "INSERT INTO core_auditentry (seq, at, actor_id, actor_name, action, object_type,"
            " object_id, fields, prev_hash, entry_hash) VALUES (%s, %s, NULL, 'system',"
            " 'test.before_the_key', 'test.thing', %s, '[]', %s, %s)",
            [seq, at, str(seq), prev, entry_hash])
        prev = entry_hash
"""

REWRITE_PLAIN_PREFIX = """
import hashlib, json
from django.db import connection
from vigil.core.models import AuditEntry
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
    else:
        cursor.execute("DROP TRIGGER core_auditentry_append_only")
    cursor.execute("DELETE FROM core_auditentry WHERE seq = 2")
    prev = AuditEntry.objects.get(seq=1).entry_hash
    plain = AuditEntry.objects.filter(key_id__isnull=True, seq__gt=2).order_by("seq")
    for seq, entry in enumerate(plain, start=2):
        content = {"v": 1, "seq": seq, "at": entry.at.isoformat(timespec="microseconds"),
            "actor_id": None, "actor": "system", "action": entry.action,
            "object_type": entry.object_type, "object_id": entry.object_id, "fields": [],
            "prev": prev}
        entry_hash = hashlib.sha256(json.dumps(content, sort_keys=True,
            separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        cursor.execute("UPDATE core_auditentry SET seq = %s, prev_hash = %s, entry_hash = %s"
            " WHERE id = %s", [seq, prev, entry_hash, entry.pk])
        prev = entry_hash
"""


@pytest.fixture
def scratch_database(tmp_path):
    """A database of its own on this run's engine: a SQLite file, or a new
    PostgreSQL database dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
        return
    name = f"vigil_audit_{secrets.token_hex(6)}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        yield f"{PG}/{name}"
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False
        )


@pytest.mark.slow  # a scratch database, migrated
def test_an_upgraded_trail_verifies_and_its_plain_entries_are_sealed(tmp_path, scratch_database):
    env = manage_env(tmp_path, VIGIL_DEBUG="1", DATABASE_URL=scratch_database)
    # An installation as it was before the key: migrated, then core taken back.
    migrated = run_manage("migrate", "--no-input", env=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    migrated = run_manage("migrate", "core", "0005_wrapped_index_key", "--no-input", env=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    shell(env, PLAIN_ENTRIES.format(n=5))  # the trail as Vigil wrote it before the key

    migrated = run_manage("migrate", "--no-input", env=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    verified = run_manage("verify_audit", env=env)
    assert verified.returncode == 0, verified.stderr
    assert "Verified 6 audit entries." in verified.stdout
    assert "5 entries from before the trail was keyed are plain SHA-256" in verified.stdout
    sealed = shell(
        env,
        "from vigil.core.models import AuditEntry; e = AuditEntry.objects.get(seq=6); "
        "print(e.action, e.key_id is not None)",
    )
    assert sealed.stdout.splitlines()[-1].split() == ["core.audit_chain_keyed", "True"]
    refused = run_manage(
        "shell",
        "-c",
        "from django.db import connection; "
        "connection.cursor().execute(\"UPDATE core_auditentry SET action = 'x' WHERE seq = 1\")",
        env=env,
    )
    assert refused.returncode != 0 and "append-only" in refused.stderr  # the trigger stayed

    # The plain entries cannot be rewritten any more: the keyed entry after them
    # cannot be renumbered or rechained without the key.
    shell(env, REWRITE_PLAIN_PREFIX)
    broken = run_manage("verify_audit", env=env)
    assert broken.returncode == 1
    assert "(sequence 6," in broken.stderr
    assert "its sequence number is 6 where 5 was expected" in broken.stderr


@pytest.mark.slow  # commands in real processes
def test_an_operator_finds_a_rewritten_trail_with_the_commands(tmp_path):
    """The whole story in real processes on the embedded database: entries, the daily
    anchor, a rewrite with the file open in sqlite3, then verify_audit."""
    env = manage_env(tmp_path, VIGIL_DEBUG="1")
    assert run_manage("migrate", "--no-input", env=env).returncode == 0
    shell(
        env,
        "from vigil.core import audit\n"
        "for i in range(6):\n"
        "    audit.record(actor=None, action='test.work', object_id=i)\n",
    )
    anchored = run_manage("anchor_audit", env=env)
    assert anchored.returncode == 0, anchored.stderr
    assert "Anchored audit entry 6 in" in anchored.stdout
    anchor_file = tmp_path / "audit-anchors" / "anchors"
    assert anchor_file.read_text().split()[1:3] == ["6", "6"]

    with sqlite3.connect(tmp_path / "vigil.sqlite3") as database:
        database.execute("DROP TRIGGER core_auditentry_append_only")
        database.execute("DELETE FROM core_auditentry WHERE seq >= 4")
        rows = database.execute(
            "SELECT id, seq, at, action, object_id, prev_hash FROM core_auditentry ORDER BY seq"
        ).fetchall()
        prev = "0" * 64
        for entry_id, seq, at, action, object_id, _prev in rows:
            content = {
                "v": 1,
                "seq": seq,
                "at": datetime.fromisoformat(at)
                .replace(tzinfo=UTC)
                .isoformat(timespec="microseconds"),
                "actor_id": None,
                "actor": "system",
                "action": action,
                "object_type": "",
                "object_id": object_id,
                "fields": [],
                "prev": prev,
            }
            entry_hash = hashlib.sha256(
                json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
            database.execute(
                "UPDATE core_auditentry SET prev_hash = ?, entry_hash = ?, key_id = NULL "
                "WHERE id = ?",
                (prev, entry_hash, entry_id),
            )
            prev = entry_hash

    verified = run_manage("verify_audit", env=env)
    assert verified.returncode == 1
    (line,) = verified.stderr.strip().splitlines()
    assert line.startswith("CommandError: Audit trail broken at entry id")
    assert "has no key" in line

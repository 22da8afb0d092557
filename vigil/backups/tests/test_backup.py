"""`backup` and `restore`.

A backup made in one installation and restored into a new database (SQLite, and
PostgreSQL), in real processes as an operator runs them, gives back every row of
every table (encrypted columns as the ciphertext stored, not the names) and every
stored file byte for byte; the audit trail still verifies; receipt codes and
searches still work; new records get new ids. An archive that was altered, cut
short or patched together, or that no configured key opens, is refused and changes
nothing.

The records are made by `make_records` and read by `state`, which run inside the
`manage.py` processes too (`manage.py shell -c`)."""

import hashlib
import json
import os
import pickle
import secrets
import shutil
import struct
import subprocess
import tarfile
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from conftest import PASSWORD, make_user, manage_env, run_manage
from vigil.backups import archive as archive_format
from vigil.backups import restore, tables
from vigil.core.models import AuditEntry
from vigil.core.vocabularies import Role
from vigil.vault import encryption, files

KEY = Fernet.generate_key().decode()  # the key of every installation here, unless said
SECRET = secrets.token_urlsafe(50)  # and their VIGIL_SECRET_KEY (receipt codes need it)
PG = "postgres://postgres@127.0.0.1:5432"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" + b" " * 64
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Derived from the case records, not carried, and made again after a restore: the
# test of --replace holds the counts to those before the backup.
SKIPPED |= {"stats.change", "stats.membership", "stats.tally", "stats.settled"}
AUDIT = {f.attname: i for i, f in enumerate(AuditEntry._meta.local_concrete_fields)}


def audit_fields(entry: tuple, *names: str) -> tuple:
    return tuple(entry[AUDIT[name]] for name in names)


# --- Run inside the manage.py processes -------------------------------------------------


def make_records(out: str) -> None:
    """Records of every kind a restore must bring back, and the awkward cases: a large
    file (the archive spans several sealed frames), an intake report with a file,
    permissions and an admin log entry referring to a content type whose id differs
    from a fresh installation's, and a deleted last row (its id must not come back)."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    from vigil.cases import services
    from vigil.cases.tests import factories as make
    from vigil.core.models import DemoDataset
    from vigil.intake import services as intake
    from vigil.intake.models import Submission

    carol = make_user("carol", Role.COORDINATOR)
    alice = make_user("alice", Role.CASE_OFFICER, ["COL"], password=PASSWORD)
    case = make.case(carol, title="River committee")
    defender = make.defender(
        carol, case=case, name="Marta Quispe Huamán", contact="+57 300 555 0101"
    )
    incident = make.incident(carol, case=case, narrative="Soldiers burned the seed archive.")
    act = make.act(carol, incident=incident, victim=defender)
    make.source(carol, incident=incident, acts=[act])
    services.evidence_add(
        actor=carol, incident=incident, content=b"photo of the archive", filename="a.jpg"
    )
    big = services.evidence_add(
        actor=carol,
        incident=incident,
        content=os.urandom(archive_format.CHUNK * 5 // 2),
        filename="video.mp4",
    )
    receipt = intake.submission_create(
        form_token=intake.new_form_token(),
        language="es",
        what_happened="Armed men came to the farm.",
        country="COL",
        urgent=True,
        when="last Tuesday",
        uploads=[intake.Upload(name="report.pdf", content=PDF)],
    )

    # A content type made again (so with an id a fresh installation gives another
    # model), and references to it and to its permissions.
    ContentType.objects.get_for_model(DemoDataset).delete()
    ContentType.objects.clear_cache()
    create_contenttypes(django_apps().get_app_config("core"), verbosity=0)
    create_permissions(django_apps().get_app_config("core"), verbosity=0)
    demo_type = ContentType.objects.get_for_model(DemoDataset)
    permission = Permission.objects.get(content_type=demo_type, codename="view_demodataset")
    alice.user_permissions.add(permission)
    readers = Group.objects.create(name="Readers")
    readers.permissions.add(permission)
    alice.groups.add(readers)
    LogEntry.objects.create(
        user=carol, content_type=demo_type, object_id="1", object_repr="demo", action_flag=ADDITION
    )
    DemoDataset.objects.create(name="gone").delete()  # id 1 used, never to come back

    Path(out).write_text(
        json.dumps(
            {
                "receipt": receipt.code,
                "submission": Submission.objects.get().pk,
                "case": case.pk,
                "big": big.pk,
                "big_sha256": big.sha256,
            }
        )
    )


def django_apps() -> Any:
    from django.apps import apps

    return apps


def state() -> dict[str, Any]:
    """Every row of every table the backup covers, in id order: encrypted columns as
    the ciphertext stored, references to content types and permissions by natural key,
    each column also as the database driver returns it; and every stored file."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from vigil.vault.fields import EncryptedTextField

    natural = {
        "contenttypes.contenttype": {
            ct.pk: ct.natural_key()
            for ct in django_apps().get_model("contenttypes.ContentType").objects.all()
        },
        "auth.permission": {
            p.pk: p.natural_key()
            for p in django_apps().get_model("auth.Permission").objects.select_related()
        },
    }
    rows, raw = {}, {}
    for model in django_apps().get_models(include_auto_created=True):
        label = model._meta.label_lower
        if not model._meta.managed or model._meta.proxy or label in SKIPPED:
            continue
        fields = model._meta.local_concrete_fields
        selected = [
            Cast(f.attname, output_field=TextField())
            if isinstance(f, EncryptedTextField)
            else f.attname
            for f in fields
        ]
        by_key = [
            natural.get(f.related_model._meta.label_lower) if f.is_relation else None
            for f in fields
        ]
        rows[label] = [
            tuple(
                keys[v] if keys and v is not None else v
                for v, keys in zip(row, by_key, strict=True)
            )
            for row in model._base_manager.order_by("pk").values_list(*selected)
        ]
        quote = connection.ops.quote_name
        columns = [quote(f.column) for f, keys in zip(fields, by_key, strict=True) if keys is None]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} "  # noqa: S608
                f"ORDER BY {quote(model._meta.pk.column)}"
            )
            raw[label] = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
    stored = {}
    for name in files.names():  # through the store's API: a folder or a bucket
        with files.open_sealed(name) as sealed:
            stored[f"{name[:2]}/{name}"] = sealed.read()
    demo = (
        django_apps()
        .get_model("contenttypes.ContentType")
        .objects.get(app_label="core", model="demodataset")
    )
    return {
        "vendor": connection.vendor,
        "rows": rows,
        "raw": raw,
        "files": stored,
        "demo_type_id": demo.pk,
    }


def dump_state(out: str) -> None:
    Path(out).write_bytes(pickle.dumps(state()))


def use_after_restore(made: str, out: str) -> None:
    """What the restored installation does with its records: a reporter's receipt
    code, a search by name, a file, and new records."""
    from vigil.accounts.models import User
    from vigil.cases import selectors, services
    from vigil.cases.models import Evidence
    from vigil.cases.tests import factories as make
    from vigil.core.models import DemoDataset
    from vigil.intake import services as intake

    made_records = json.loads(Path(made).read_text())
    carol = User.objects.get(username="carol")
    found = selectors.case_list(carol, selectors.CaseFilter(text="marta quispe huaman"))
    big = Evidence.objects.get(pk=made_records["big"])  # its SHA-256 is encrypted
    content = services.evidence_content(actor=carol, evidence=big)
    submission = intake.submission_for_code(made_records["receipt"])
    Path(out).write_text(
        json.dumps(
            {
                "found": [case.pk for case in found],
                "big_sha256": hashlib.sha256(content).hexdigest(),
                "submission": submission.pk if submission else None,
                "new_case": make.case(carol, title="After the restore").pk,
                "new_demo": DemoDataset.objects.create(name="after").pk,
            }
        )
    )


# --- Installations in processes of their own ---------------------------------------------


@dataclass
class Installation:
    folder: Path
    database_url: str

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def manage(self, *args: str, key: str = KEY) -> subprocess.CompletedProcess:
        env = manage_env(
            self.data_dir,
            VIGIL_SECRET_KEY=SECRET,
            VIGIL_ENCRYPTION_KEYS=key,
            DATABASE_URL=self.database_url,
        )
        return run_manage(*args, env=env)

    def call(self, function: str, *paths: Path) -> None:
        arguments = ", ".join(repr(str(p)) for p in paths)
        result = self.manage(
            "shell",
            "-c",
            f"from vigil.backups.tests.test_backup import {function}; {function}({arguments})",
        )
        assert result.returncode == 0, result.stderr[-3000:]

    def state(self) -> dict[str, Any]:
        out = self.folder / f"state-{secrets.token_hex(4)}.pickle"
        self.call("dump_state", out)
        return pickle.loads(out.read_bytes())  # noqa: S301 (written by our own process)


def _postgresql_reachable() -> bool:
    if not shutil.which("createdb"):
        return False
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


@pytest.fixture(scope="module")
def installations(tmp_path_factory):
    """Makes new, migrated installations: a SQLite file, or a scratch PostgreSQL
    database (dropped at the end)."""
    scratch = []

    def make(vendor: str) -> Installation:
        folder = tmp_path_factory.mktemp(f"vigil-{vendor}")
        if vendor == "sqlite":
            url = f"sqlite:///{folder / 'vigil.sqlite3'}"
        else:
            if not _postgresql_reachable():
                pytest.skip("PostgreSQL is not reachable on 127.0.0.1")
            name = f"vigil_backup_{os.getpid()}_{secrets.token_hex(4)}"
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
            scratch.append(name)
            url = f"{PG}/{name}"
        installation = Installation(folder, url)
        result = installation.manage("migrate", "--no-input")
        assert result.returncode == 0, result.stderr[-3000:]
        return installation

    yield make
    for name in scratch:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False
        )


@dataclass
class Source:
    installation: Installation
    archive: Path
    before: dict[str, Any]  # the state the archive was made of
    made: dict[str, Any]  # what make_records said
    backup_run: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def source(installations) -> Source:
    """An installation on this run's database engine, with records, and its backup."""
    installation = installations(connection.vendor)
    made = installation.folder / "made.json"
    installation.call("make_records", made)
    before = installation.state()
    archive = installation.folder / "vigil.backup"
    run = installation.manage("backup", str(archive))
    assert run.returncode == 0, run.stderr[-3000:]
    return Source(installation, archive, before, json.loads(made.read_text()), run)


def differences(before: dict[str, Any], after: dict[str, Any], part: str) -> list[str]:
    """The tables (or files) that differ, by name only: no value in the test output."""
    if set(before[part]) != set(after[part]):
        return [f"{part}: {sorted(set(before[part]) ^ set(after[part]))}"]
    return [name for name in before[part] if before[part][name] != after[part][name]]


def progress_reached(stderr: str) -> int:
    """The furthest count a progress bar on `stderr` showed."""
    counts = [
        int(word.split("/")[0])
        for line in stderr.splitlines()
        for word in line.split()
        if "/" in word and word.split("/")[0].isdigit()
    ]
    return max(counts, default=0)


# --- In real processes -------------------------------------------------------------------


@pytest.mark.slow  # installations of their own, in real processes
def test_the_backup_command_says_what_it_wrote(source):
    run = source.backup_run
    rows = sum(len(r) for r in source.before["rows"].values())
    assert f"Backed up {rows} records and 3 files to {source.archive}" in run.stdout
    assert hashlib.sha256(source.archive.read_bytes()).hexdigest() in run.stdout
    assert "100%" in run.stderr
    assert (source.archive.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in source.archive.parent.iterdir() if ".partial" in p.name] == []


@pytest.mark.parametrize("target_vendor", ["sqlite", "postgresql"])
@pytest.mark.slow  # installations of their own, in real processes
def test_a_restore_gives_back_every_row_and_file(source, installations, target_vendor):
    target = installations(target_vendor)
    fresh_demo_type = target.state()["demo_type_id"]

    run = target.manage("restore", str(source.archive))
    assert run.returncode == 0, run.stderr[-3000:]
    rows = sum(len(r) for r in source.before["rows"].values())
    assert f"Restored {rows} records and 3 files" in run.stdout
    assert "100%" in run.stderr

    after = target.state()
    before = source.before
    # The restore adds one audit entry of its own, naming the archive; the rest is the
    # backup's, row for row.
    restored_entry = after["rows"]["core.auditentry"].pop()
    assert audit_fields(restored_entry, "action", "object_type", "object_id") == (
        "core.backup_restored",
        "backup",
        hashlib.sha256(source.archive.read_bytes()).hexdigest(),
    )
    raw_entry = after["raw"]["core.auditentry"].pop()
    # A new id and sequence number after the restored ones: the counters were reset.
    assert audit_fields(raw_entry, "id", "seq") == (len(before["rows"]["core.auditentry"]) + 1,) * 2
    assert differences(before, after, "rows") == []
    assert differences(before, after, "files") == []
    if before["vendor"] == after["vendor"]:
        assert differences(before, after, "raw") == []  # stored exactly as it was

    # The names are there as the ciphertext they were stored as, under the same key.
    (defender,) = after["rows"]["cases.defender"]

    def opened(value: str) -> str | None:
        try:
            return encryption.open_with(KEY, value.encode(), where="cases_defender.name").decode()
        except encryption.DecryptionError:
            return None

    assert "Marta Quispe Huamán" in [opened(v) for v in defender if isinstance(v, str)]
    assert "Marta" not in repr(after["rows"])
    # References to a content type whose id differs here were mapped by natural key.
    assert before["demo_type_id"] != fresh_demo_type == after["demo_type_id"]
    assert len(before["rows"]["admin.logentry"]) == 1
    assert len(before["rows"]["accounts.user_user_permissions"]) == 1

    verified = target.manage("verify_audit")
    assert verified.returncode == 0, verified.stderr
    assert f"Verified {len(before['rows']['core.auditentry']) + 1} audit entries" in (
        verified.stdout
    )

    # The restored installation works: receipt codes (same VIGIL_SECRET_KEY), searches
    # (the blind-index key came back), files, and new records get new ids.
    out = target.folder / "after.json"
    target.call("use_after_restore", source.installation.folder / "made.json", out)
    used = json.loads(out.read_text())
    assert used["submission"] == source.made["submission"]
    assert used["found"] == [source.made["case"]]
    assert used["big_sha256"] == source.made["big_sha256"]
    assert used["new_case"] == max(r[0] for r in before["rows"]["cases.case"]) + 1
    assert used["new_demo"] == 2  # id 1 was used (and deleted) before the backup
    assert target.manage("verify_audit").returncode == 0


@pytest.mark.slow  # installations of their own, in real processes
def test_a_restore_that_fails_half_way_changes_nothing(source, installations, tmp_path):
    target = installations("sqlite")
    before = target.state()
    altered = tmp_path / "altered.backup"
    data = bytearray(source.archive.read_bytes())
    data[-200] ^= 0x01  # in the last sealed frame: read after every record was loaded
    altered.write_bytes(data)

    run = target.manage("restore", str(altered))
    assert run.returncode == 1
    assert "Nothing was restored. The backup was altered or damaged" in run.stderr
    # The records had been written into the database when the damage was found ...
    assert progress_reached(run.stderr) > 0
    # ... and are gone again, with every file, and nothing of the restore is left.
    after = target.state()
    assert differences(before, after, "rows") == []
    assert differences(before, after, "raw") == []
    assert after["files"] == {}
    assert [p.name for p in target.data_dir.iterdir() if p.name.startswith(".restore")] == []


@pytest.mark.slow  # installations of their own, in real processes
def test_an_archive_is_refused_by_an_installation_without_its_key(source, installations):
    target = installations("sqlite")
    before = target.state()
    other = Fernet.generate_key().decode()

    run = target.manage("restore", str(source.archive), key=other)
    assert run.returncode == 1
    assert "None of the keys in VIGIL_ENCRYPTION_KEYS opens this backup" in run.stderr
    assert differences(before, target.state(), "rows") == []


# --- In this process -------------------------------------------------------------------


@pytest.fixture
def records(carol, settings, tmp_path):
    from vigil.cases import services
    from vigil.cases.tests import factories as make

    settings.DATA_DIR = tmp_path / "data"  # a file store of this test's own
    case = make.case(carol, title="River committee")
    defender = make.defender(carol, case=case, name="Marta Quispe Huamán")
    incident = make.incident(carol, case=case, narrative="Soldiers burned the seed archive.")
    make.act(carol, incident=incident, victim=defender)
    services.evidence_add(
        actor=carol, incident=incident, content=PDF + b"photo of the archive", filename="a.pdf"
    )
    return case


def backup_here(folder: Path, name: str = "vigil.backup") -> Path:
    folder.mkdir(exist_ok=True)
    call_command("backup", str(folder / name), stdout=StringIO(), stderr=StringIO())
    return folder / name


def split(data: bytes) -> tuple[bytes, list[bytes]]:
    """An archive's marker and its sealed frames (each with its length)."""
    marker = len(archive_format.MAGIC) + 1  # and the format's number
    start, rest, frames = data[:marker], data[marker:], []
    while rest:
        (length,) = struct.unpack(">I", rest[:4])
        frames.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return start, frames


def flip(frame: bytes) -> bytes:
    changed = bytearray(frame)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


ALTERATIONS = {
    "a byte changed in the middle": lambda s, f, o: s + b"".join(f[:2] + [flip(f[2])] + f[3:]),
    "the first part changed": lambda s, f, o: s + b"".join([flip(f[0])] + f[1:]),
    "cut short": lambda s, f, o: s + b"".join(f[:-1]),
    "two parts swapped": lambda s, f, o: s + b"".join(f[:1] + [f[2], f[1]] + f[3:]),
    "a part from another backup": lambda s, f, o: s + b"".join(f[:1] + [o[1]] + f[2:]),
    "something appended": lambda s, f, o: s + b"".join(f) + f[-1],
    "not a backup": lambda s, f, o: b"PK\x03\x04" + b"".join(f),
}
MESSAGES = {
    "a byte changed in the middle": "part 3 does not open",
    "the first part changed": "None of the keys in VIGIL_ENCRYPTION_KEYS opens this backup",
    "cut short": "cut short",
    "two parts swapped": "out of order, missing, or taken from another backup",
    "a part from another backup": "out of order, missing, or taken from another backup",
    "something appended": "something follows its end",
    "not a backup": "not a Vigil backup",
}


@pytest.mark.django_db
@pytest.mark.parametrize("alteration", ALTERATIONS)
@pytest.mark.slow  # about 2 s
def test_an_altered_archive_is_refused_and_changes_nothing(
    records, tmp_path, monkeypatch, alteration
):
    monkeypatch.setattr(archive_format, "CHUNK", 4096)  # many frames from few records
    archive = backup_here(tmp_path / "out")
    other = backup_here(tmp_path / "out", "other.backup")
    start, frames = split(archive.read_bytes())
    assert len(frames) > 4
    altered = tmp_path / "altered.backup"
    altered.write_bytes(ALTERATIONS[alteration](start, frames, split(other.read_bytes())[1]))
    before = state()

    # Even told to replace everything (so every table is emptied first), a refused
    # restore leaves the database and the file store as they were.
    with pytest.raises(archive_format.BackupError, match=MESSAGES[alteration]):
        restore.restore(altered, replace=True)
    after = state()
    assert differences(before, after, "rows") == []
    assert differences(before, after, "files") == []
    assert not [p for p in Path(django_settings.DATA_DIR).iterdir() if "restore" in p.name]


@pytest.mark.django_db
def test_an_archive_that_does_not_match_its_manifest_is_refused(records, tmp_path):
    archive = backup_here(tmp_path / "out")
    with archive.open("rb") as handle:  # open it as a restore does, with the key
        plain = archive_format.SealedReader(handle).read()
    rewritten = BytesIO()
    with (
        tarfile.open(fileobj=BytesIO(plain), mode="r:") as original,
        tarfile.open(fileobj=rewritten, mode="w:", format=tarfile.PAX_FORMAT) as changed,
    ):
        for member in original:
            content = original.extractfile(member).read()
            if member.name.startswith("files/"):
                name = member.name.rsplit("/", 1)[-1]  # sealed for its place, but not the one
                content = encryption.encrypt_bytes(b"another file", where=f"file {name}")
                member.size = len(content)
            changed.addfile(member, BytesIO(content))
    resealed = tmp_path / "resealed.backup"
    with resealed.open("wb") as out:
        writer = archive_format.SealedWriter(out)
        writer.write(rewritten.getvalue())
        writer.finish()
    before = state()

    with pytest.raises(archive_format.ArchiveDamaged, match="does not match its manifest"):
        restore.restore(resealed, replace=True)
    assert differences(before, state(), "rows") == []


@pytest.mark.django_db
def test_an_archive_opens_only_with_its_key_among_those_configured(
    records, tmp_path, settings_keys
):
    archive = backup_here(tmp_path / "out")
    old, new = django_settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings_keys([new])
    before = state()
    with pytest.raises(archive_format.ArchiveUnreadable, match="None of the keys"):
        restore.restore(archive, replace=True)
    assert differences(before, state(), "rows") == []

    settings_keys([new, old])  # rotated since: the old key still opens old backups
    restored = restore.restore(archive, replace=True)
    assert restored.unreadable == []
    assert restored.files == 1


@pytest.mark.django_db
def test_a_restore_refuses_an_installation_that_holds_anything(carol, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    archive = backup_here(tmp_path / "out")
    with pytest.raises(restore.RestoreRefused, match=r"accounts\.user \(1\).*--replace"):
        restore.restore(archive)

    settings.DATA_DIR = tmp_path / "empty"  # an empty store, but records in the database
    settings.DATA_DIR.mkdir()
    from vigil.accounts.models import User

    users = User.objects.count()
    with pytest.raises(CommandError, match="Nothing was restored. This installation is not"):
        call_command("restore", str(archive), stdout=StringIO(), stderr=StringIO())
    assert User.objects.count() == users


@pytest.mark.django_db
def test_a_restore_refuses_a_store_that_holds_files(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    archive = backup_here(tmp_path / "out")  # of an empty installation
    files.save(b"left over")
    with pytest.raises(CommandError, match="Nothing was restored.*1 stored files"):
        call_command("restore", str(archive), stdout=StringIO(), stderr=StringIO())
    assert len(files.names()) == 1


@pytest.mark.django_db
def test_replace_puts_the_backup_in_place_of_everything(records, carol, tmp_path):
    from vigil.cases.tests import factories as make
    from vigil.stats import tally

    before, counted = state(), tally.counts()
    archive = backup_here(tmp_path / "out")
    make.case(carol, title="Made after the backup")
    later = make.incident(carol, title="Recorded after the backup", country="KEN")
    make.act(carol, incident=later, victim=make.defender(carol, name="Later", country="KEN"))
    assert tally.counts() != counted
    extra = files.save(b"a file made after the backup")

    out = StringIO()
    call_command("restore", str(archive), "--replace", stdout=out, stderr=StringIO())
    after = state()
    entries = after["rows"]["core.auditentry"]
    assert audit_fields(entries[-1], "action") == ("core.backup_restored",)
    # Everything is as it was at the backup (its audit trail, then the restore's entry).
    assert after["rows"]["core.auditentry"][:-1] == before["rows"]["core.auditentry"]
    del after["rows"]["core.auditentry"], before["rows"]["core.auditentry"]
    assert differences(before, after, "rows") == []
    assert differences(before, after, "files") == []
    assert tally.counts() == counted
    # The store that was here was moved aside, not deleted.
    (aside,) = Path(django_settings.DATA_DIR).glob("files-replaced-*")
    assert (aside / extra.name[:2] / extra.name).exists()
    assert str(aside) in out.getvalue()


@pytest.mark.django_db
def test_a_restore_refuses_a_database_at_other_migrations(records, tmp_path):
    archive = backup_here(tmp_path / "out")
    recorder = MigrationRecorder(connection)
    recorder.record_applied("cases", "9999_from_the_future")
    with pytest.raises(
        restore.RestoreRefused, match="applied here, not in the backup: cases.9999_from_the_future"
    ):
        restore.restore(archive, replace=True)

    recorder.record_unapplied("cases", "9999_from_the_future")
    recorder.record_unapplied("core", "0005_wrapped_index_key")
    with pytest.raises(
        restore.RestoreRefused, match="applied in the backup, not here: core.0005_wrapped_index_key"
    ):
        restore.restore(archive, replace=True)


@pytest.mark.django_db
def test_the_backup_is_private_and_audited_without_values(records, tmp_path):
    from vigil.core.models import AuditEntry

    out, err = StringIO(), StringIO()
    destination = tmp_path / "out"
    destination.mkdir()
    call_command("backup", str(destination), stdout=out, stderr=err)
    (archive,) = destination.iterdir()  # a name of its own in the folder given
    assert archive.name.startswith("vigil-") and archive.suffix == ".backup"
    assert (archive.stat().st_mode & 0o777) == 0o600
    data = archive.read_bytes()
    for plain in (b"Marta", "Huamán".encode(), b"seed archive", b"%PDF", b"core.auditentry"):
        assert plain not in data
    assert "100%" in err.getvalue()

    entry = AuditEntry.objects.order_by("seq").last()
    assert entry.action == "core.backup_made"
    assert entry.object_id == hashlib.sha256(data).hexdigest()
    assert entry.fields == [] and entry.actor_name == "system"

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(archive), stdout=StringIO(), stderr=StringIO())
    assert archive.read_bytes() == data


def test_tables_come_after_the_tables_they_refer_to():
    from django.apps import apps

    ordered = tables.backed_up_models()
    labels = [m._meta.label_lower for m in ordered]
    expected = {
        m._meta.label_lower
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    assert set(labels) == expected - SKIPPED
    for position, model in enumerate(ordered):
        for field in model._meta.local_concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target is not model and target in ordered:
                assert ordered.index(target) < position, (model, target)

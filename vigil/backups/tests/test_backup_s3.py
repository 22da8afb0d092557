"""Backup and restore with the file store on an S3 bucket (a real SeaweedFS the suite
starts, conftest.py).

A restore stages the archive's files on local disk, checking each against the keys,
and touches the bucket only after the database restore has committed: then the
objects already there are copied aside, the staged ones uploaded, and those the
archive did not hold deleted. So a restore that fails leaves the bucket as it was."""

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from conftest import S3_BUCKET, s3_client
from vigil.backups.tests.test_backup import PDF, backup_here, differences, state
from vigil.settings import file_store
from vigil.vault import files

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # a few seconds each


@pytest.fixture
def records(carol, settings, tmp_path, store_on_s3):
    from vigil.cases import services
    from vigil.cases.tests import factories as make

    settings.DATA_DIR = tmp_path / "data"
    case = make.case(carol, title="River committee")
    defender = make.defender(carol, case=case, name="Marta Quispe Huamán")
    incident = make.incident(carol, case=case, narrative="Soldiers burned the seed archive.")
    make.act(carol, incident=incident, victim=defender)
    services.evidence_add(
        actor=carol, incident=incident, content=PDF + b"photo of the archive", filename="a.pdf"
    )
    services.evidence_add(
        actor=carol, incident=incident, content=PDF + b"the burned shelves", filename="b.pdf"
    )
    return store_on_s3


def keys_under(seaweedfs: str, prefix: str) -> list[str]:
    listed = s3_client(seaweedfs).list_objects_v2(Bucket=S3_BUCKET, Prefix=prefix)
    return sorted(entry["Key"] for entry in listed.get("Contents", ()))


def use_prefix(settings, options: dict, prefix: str) -> None:
    url = (
        f"s3://{S3_BUCKET}/{prefix}?endpoint={options['endpoint_url']}"
        f"&region=us-east-1&addressing=path"
    )
    settings.STORAGES = {**settings.STORAGES, "vault": file_store(url)}


def test_a_backup_of_the_bucket_restores_into_an_empty_bucket(
    records, settings, tmp_path, seaweedfs
):
    before = state()
    assert len(before["files"]) == 2
    archive = backup_here(tmp_path / "out")

    # Another (empty) place in the bucket, as a new installation would have.
    use_prefix(settings, records, records["location"] + "-new")
    assert files.names() == []
    out = StringIO()
    call_command("restore", str(archive), "--replace", stdout=out, stderr=StringIO())
    after = state()
    del after["rows"]["core.auditentry"], before["rows"]["core.auditentry"]
    assert differences(before, after, "rows") == []
    assert after["files"] == before["files"]  # the very same sealed bytes
    assert keys_under(seaweedfs, records["location"] + "-new/") == sorted(
        f"{records['location']}-new/{key}" for key in before["files"]
    )
    assert "moved aside" not in out.getvalue() and "now s3://" not in out.getvalue()
    # Nothing of the staging is left on local disk.
    assert not [p for p in django_settings.DATA_DIR.iterdir() if "restore" in p.name]


def test_replace_moves_the_objects_that_were_there_aside(
    records, carol, settings, tmp_path, seaweedfs
):
    before = state()
    archive = backup_here(tmp_path / "out")
    extra = files.save(b"a file made after the backup")

    out = StringIO()
    call_command("restore", str(archive), "--replace", stdout=out, stderr=StringIO())
    after = state()
    assert after["files"] == before["files"]
    assert extra.name not in files.names()
    # Copied aside under a prefix of its own, with everything that was there.
    (aside,) = {
        key.split("/")[0] for key in keys_under(seaweedfs, records["location"] + "-replaced-")
    }
    moved = keys_under(seaweedfs, aside + "/")
    assert f"{aside}/{extra.name[:2]}/{extra.name}" in moved
    assert len(moved) == len(before["files"]) + 1
    assert f"s3://{S3_BUCKET}/{aside}/" in out.getvalue()


def test_a_restore_that_fails_leaves_the_bucket_as_it_was(records, tmp_path, seaweedfs):
    archive = backup_here(tmp_path / "out")
    extra = files.save(b"a file made after the backup")
    held = state()["files"]
    altered = tmp_path / "altered.backup"
    data = bytearray(archive.read_bytes())
    data[-200] ^= 0x01  # in the last sealed frame: read after every file was staged
    altered.write_bytes(data)

    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(altered), "--replace", stdout=StringIO(), stderr=StringIO())
    assert state()["files"] == held
    assert extra.name in files.names()
    assert keys_under(seaweedfs, records["location"] + "-replaced-") == []
    assert not [p for p in django_settings.DATA_DIR.iterdir() if "restore" in p.name]


def test_a_restore_refuses_a_bucket_that_holds_files(settings, tmp_path, store_on_s3):
    settings.DATA_DIR = tmp_path / "data"
    archive = backup_here(tmp_path / "out")  # of an empty installation
    files.save(b"left over")
    with pytest.raises(CommandError, match="Nothing was restored.*1 stored files"):
        call_command("restore", str(archive), stdout=StringIO(), stderr=StringIO())
    assert len(files.names()) == 1


def test_an_upload_refused_after_the_commit_keeps_the_staged_files(
    records, settings, tmp_path, seaweedfs, monkeypatch
):
    from conftest import S3_READER_KEY

    before = state()
    archive = backup_here(tmp_path / "out")
    # An empty prefix, and credentials that may list it but not write to it: the
    # checks pass, the database commits, then the bucket refuses the first upload.
    use_prefix(settings, records, records["location"] + "-readonly")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", S3_READER_KEY)

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--replace", stdout=StringIO(), stderr=StringIO())
    message = str(refused.value)
    assert "The records were restored, but the files could not be moved" in message
    assert f"s3://{S3_BUCKET}/{records['location']}-readonly/" in message
    (staging,) = [p for p in django_settings.DATA_DIR.iterdir() if "restore" in p.name]
    assert str(staging) in message
    staged = {str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file()}
    assert staged == set(before["files"])  # every file, ready to be uploaded by hand
    assert keys_under(seaweedfs, records["location"] + "-readonly/") == []


def test_an_object_copied_under_another_folder_is_no_stored_file_and_backups_still_restore(
    carol, settings, tmp_path, store_on_s3, seaweedfs
):
    """Someone able to write to the bucket copies an object under another two-letter
    folder: listed, the name would go twice into every backup, and no restore of
    those backups would then succeed."""
    settings.DATA_DIR = tmp_path / "data"
    stored = files.save(b"evidence")
    location = store_on_s3["location"]
    s3_client(seaweedfs).copy_object(
        Bucket=S3_BUCKET,
        CopySource={"Bucket": S3_BUCKET, "Key": f"{location}/{stored.name[:2]}/{stored.name}"},
        Key=f"{location}/zz/{stored.name}",
    )
    assert files.names() == [stored.name]
    archive = backup_here(tmp_path / "out")
    use_prefix(settings, store_on_s3, location + "-new")
    call_command("restore", str(archive), "--replace", stdout=StringIO(), stderr=StringIO())
    assert files.names() == [stored.name]

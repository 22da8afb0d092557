"""Evidence files: encrypted on disk, hashed, downloaded only by those who may."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vigil.cases.models import Evidence
from vigil.cases.tests import factories as make
from vigil.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 statement of Ana Example about the raid\n" * 50


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def incident(alice):
    return make.incident(alice, case=make.case(alice))


def upload(client, incident, content=CONTENT, name="statement.pdf"):
    return client.post(
        reverse("cases:evidence_add", args=[incident.pk]),
        {"file": SimpleUploadedFile(name, content), "description": "Signed statement"},
    )


def test_an_uploaded_file_is_stored_encrypted_with_its_hash(client, alice, incident, data_dir):
    client.force_login(alice)
    assert upload(client, incident).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (evidence.filename, evidence.size) == ("statement.pdf", len(CONTENT))
    stored = list((data_dir / "files").rglob("*"))
    files = [path for path in stored if path.is_file()]
    assert len(files) == 1
    on_disk = files[0].read_bytes()
    assert b"Ana Example" not in on_disk and b"%PDF" not in on_disk
    assert "statement" not in files[0].name
    assert AuditEntry.objects.filter(action="cases.evidence_added").exists()


def test_the_download_is_the_same_file_as_an_attachment(client, alice, incident, either_store):
    # Uploaded and downloaded through the views, from the folder and from an S3 bucket.
    client.force_login(alice)
    upload(client, incident, name="../../etc/passwd évidence.pdf")
    evidence = Evidence.objects.get()
    assert evidence.filename == "passwd évidence.pdf"  # no path survives
    response = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="cases.evidence_downloaded").exists()


def test_a_file_changed_on_disk_is_refused(client, alice, incident, data_dir):
    client.force_login(alice)
    upload(client, incident)
    evidence = Evidence.objects.get()
    upload(client, incident, content=b"something else entirely")
    second = Evidence.objects.exclude(pk=evidence.pk).get()
    # Put the second file's (validly encrypted) content under the first one's name.
    first_path = next(p for p in (data_dir / "files").rglob(evidence.stored_name))
    second_path = next(p for p in (data_dir / "files").rglob(second.stored_name))
    first_path.write_bytes(Path(second_path).read_bytes())
    # Refused twice over: the seal is bound to the file's own name, and the content is
    # checked against its SHA-256.
    with pytest.raises(Exception, match="cannot be decrypted|does not match its SHA-256"):
        client.get(reverse("cases:evidence_download", args=[evidence.pk]))


def test_an_empty_file_is_refused_and_nothing_is_stored(client, alice, incident, data_dir):
    client.force_login(alice)
    response = upload(client, incident, content=b"")
    assert response.status_code == 200
    assert not Evidence.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_limit_named(
    client, alice, incident, data_dir, settings
):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(alice)
    response = upload(client, incident, content=b"x" * 2048)
    assert response.status_code == 200
    assert b"The file is larger than 1.0\xc2\xa0KB." in response.content
    assert not Evidence.objects.exists()
    assert not [p for p in (data_dir / "files").rglob("*") if p.is_file()]


def test_others_cannot_upload_or_download(client, alice, bob, dave, incident, data_dir):
    client.force_login(alice)
    upload(client, incident)
    evidence = Evidence.objects.get()
    for person in (bob, dave):
        client.force_login(person)
        assert client.get(reverse("cases:evidence_download", args=[evidence.pk])).status_code == 404
        assert upload(client, incident).status_code == 404


def test_an_object_swapped_in_the_bucket_is_refused(client, alice, incident, either_store):
    from vigil.vault import files

    client.force_login(alice)
    upload(client, incident)
    evidence = Evidence.objects.get()
    upload(client, incident, content=b"something else entirely")
    second = Evidence.objects.exclude(pk=evidence.pk).get()
    # Whoever can write to the store puts the second file's sealed bytes under the
    # first one's name: the seal is bound to the name, so the download is refused.
    with files.open_sealed(second.stored_name) as sealed:
        token = sealed.read()
    files._store().save(f"{evidence.stored_name[:2]}/{evidence.stored_name}", ContentFile(token))
    with pytest.raises(Exception, match="cannot be decrypted|does not match its SHA-256"):
        client.get(reverse("cases:evidence_download", args=[evidence.pk]))

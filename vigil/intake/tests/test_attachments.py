"""Files sent with a report: checked by content, encrypted on disk, never inline."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vigil.cases.models import Evidence
from vigil.core.models import AuditEntry
from vigil.core.uploads import UploadRefused, check, safe_name
from vigil.intake.models import Submission, SubmissionFile

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" + b" " * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def send(client, *files, **fields):
    page = client.get(reverse("submission:submit")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {
        "form_token": token,
        "what_happened": "Photos of the burned office.",
        "country": "COL",
        "where": "Calle 5",
        "files": list(files),
        **fields,
    }
    return client.post(reverse("submission:submit"), data)


def test_a_photo_and_a_pdf_are_stored_encrypted(client, data_dir):
    response = send(
        client, SimpleUploadedFile("office.png", PNG), SimpleUploadedFile("letter.pdf", PDF)
    )
    assert response.status_code == 200 and b"receipt-code" in response.content
    stored = SubmissionFile.objects.order_by("pk")
    assert [(f.filename, f.content_type) for f in stored] == [
        ("office.png", "image/png"),
        ("letter.pdf", "application/pdf"),
    ]
    on_disk = [p.read_bytes() for p in (data_dir / "files").rglob("*") if p.is_file()]
    assert len(on_disk) == 2
    assert all(b"PNG" not in blob and b"%PDF" not in blob for blob in on_disk)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tool.exe", EXE, "files of this type are not accepted"),
        ("photo.jpg", EXE, "its content is not an image, PDF, audio, video or office document"),
        ("report.pdf", PNG, "its name says .pdf but its content is .png"),
        ("empty.pdf", b"", "the file is empty"),
    ],
)
def test_a_refused_file_is_named_with_the_reason_and_the_text_is_kept(
    client, name, content, reason
):
    response = send(client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    page = response.content.decode()
    assert name in page and reason in page
    assert "Photos of the burned office." in page and 'value="Calle 5"' in page
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()


def test_too_many_or_too_large_files_are_refused(client, settings):
    settings.INTAKE_MAX_FILES = 1
    response = send(client, SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", PNG))
    assert b"Attach at most 1 files." in response.content
    settings.INTAKE_MAX_FILES = 5
    settings.INTAKE_MAX_FILE_BYTES = 10
    response = send(client, SimpleUploadedFile("big.pdf", PDF))
    assert b"big.pdf is larger than 10\xc2\xa0bytes." in response.content
    assert not Submission.objects.exists()


def test_names_are_reduced_to_a_safe_base_name():
    assert safe_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_name("C:\\Users\\ana\\foto.jpg") == "foto.jpg"
    assert safe_name("bad\x00name\u202e.pdf") == "badname.pdf"
    assert safe_name("...") == "file"
    assert len(safe_name("x" * 300 + ".pdf")) <= 120
    with pytest.raises(UploadRefused):
        check("script.html", b"<script>alert(1)</script>")


def test_the_desk_downloads_a_file_as_an_attachment_and_a_case_gets_it_as_evidence(client, alice):
    send(client, SimpleUploadedFile("office.png", PNG))
    submission = Submission.objects.get()
    attachment = submission.files.get()
    client.force_login(alice)
    response = client.get(reverse("intake:file_download", args=[attachment.pk]))
    assert response.content == PNG
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    client.post(
        reverse("intake:detail", args=[submission.pk]),
        {"action": "take_up", "take_up-title": "Office burned"},
    )
    evidence = Evidence.objects.get()
    assert (evidence.filename, evidence.sha256) == ("office.png", attachment.sha256)


def test_others_cannot_download_a_reporters_file(client, bob):
    send(client, SimpleUploadedFile("office.png", PNG))
    client.force_login(bob)
    attachment = SubmissionFile.objects.get()
    assert client.get(reverse("intake:file_download", args=[attachment.pk])).status_code == 404


def test_the_reporter_adds_files_later(client):
    response = send(client)
    code = " ".join(re.findall(r"<span>([a-z-]+)</span>", response.content.decode()))
    client.post(reverse("submission:follow_up"), {"code": code})
    client.post(
        reverse("submission:report"), {"text": "", "files": [SimpleUploadedFile("more.pdf", PDF)]}
    )
    assert SubmissionFile.objects.get().filename == "more.pdf"
    assert "more.pdf" in client.get(reverse("submission:report")).content.decode()


def test_a_report_closed_without_a_case_is_deleted_with_its_files_after_the_retention(
    client, alice, monkeypatch, settings, either_store
):
    # On the folder and on a real S3 bucket: purge_expired deletes the objects too.
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from vigil.intake import services
    from vigil.intake.models import Submission, SubmissionMessage
    from vigil.vault import files

    send(client, SimpleUploadedFile("office.png", PNG))
    send(client, SimpleUploadedFile("letter.pdf", PDF), what_happened="Kept: it became a case.")
    closed, kept = Submission.objects.order_by("pk")
    services.desk_message(actor=alice, submission=closed, text="We cannot take this up.")
    services.submission_close(actor=alice, submission=closed, reason="Outside the mandate.")
    services.submission_close(actor=alice, submission=kept, reason="Duplicate, but kept.")
    kept.case = make_case(alice)
    kept.save()
    stored = [f.stored_name for f in closed.files.all()]
    assert stored and all(files.exists(name) for name in stored)

    settings.INTAKE_RETENTION_DAYS = 90
    real_localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda *a, **k: real_localdate(*a, **k) + timedelta(days=90)
    )
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    # not yet: 90 days, not more; one line, the form a cron job's watcher reads
    assert out.getvalue() == (
        "0 files no record names deleted, 0 closed reports deleted, 0 report files deleted\n"
    )
    monkeypatch.setattr(
        timezone, "localdate", lambda *a, **k: real_localdate(*a, **k) + timedelta(days=91)
    )
    call_command("purge_expired", stdout=out)
    assert "1 closed reports deleted" in out.getvalue()
    assert list(Submission.objects.all()) == [kept]
    assert not SubmissionMessage.objects.filter(submission_id=closed.pk).exists()
    assert not any(files.exists(name) for name in stored)
    assert kept.files.count() == 1 and files.exists(kept.files.get().stored_name)
    assert AuditEntry.objects.filter(action="intake.submission_purged").count() == 1


def make_case(actor):
    from vigil.cases.tests import factories

    return factories.case(actor)


def test_a_file_no_record_names_is_deleted_a_day_after_it_was_written(
    client, monkeypatch, either_store
):
    """A deletion that failed after its record's transaction committed (the object
    store out of reach during a purge) leaves a file no record names: purge_expired
    deletes it, a day after it was written, and never a file a record names."""
    from datetime import timedelta

    from vigil.intake.models import Submission
    from vigil.vault import files, retention

    send(client, SimpleUploadedFile("office.png", PNG))
    (named,) = [f.stored_name for f in Submission.objects.get().files.all()]
    orphan = files.save(b"a report whose row is gone").name
    assert retention.purge() == "0 files no record names deleted"  # written just now
    monkeypatch.setattr(retention, "GRACE", timedelta(seconds=-60))  # a day later
    assert retention.purge() == "1 files no record names deleted"
    assert not files.exists(orphan) and files.exists(named)

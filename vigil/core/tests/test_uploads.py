"""Office documents that would unpack to far more than their size (ZIP bombs) are
refused, even when the sizes they declare lie; real documents pass."""

import io
import struct
import zipfile

import docx
import pytest

from vigil.core import uploads

MB = 1024 * 1024


def real_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Statement of the witness, page one. " * 200)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bomb(unpacked: int) -> bytes:
    """A .docx-shaped ZIP whose document part is `unpacked` bytes of zeros."""
    source = zipfile.ZipFile(io.BytesIO(real_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        with archive.open("word/padding.xml", "w", force_zip64=True) as part:
            for _ in range(unpacked // MB):
                part.write(bytes(MB))
    return out.getvalue()


def lying(content: bytes) -> bytes:
    """The same archive, with every part declaring 100 bytes unpacked."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + offset : start + offset + 4] != b"\xff\xff\xff\xff":
                struct.pack_into("<I", data, start + offset, 100)
            start += 4
    return bytes(data)


def test_a_real_document_is_accepted():
    assert uploads.check("statement.docx", real_docx()).endswith("wordprocessingml.document")


def test_a_document_that_unpacks_a_thousand_times_its_size_is_refused():
    content = bomb(30 * MB)
    assert len(content) < 200_000  # 30 MB of zeros packs into a few kilobytes
    with pytest.raises(uploads.UploadRefused, match="unpacks to far more than its size"):
        uploads.check("statement.docx", content)


def test_a_bomb_that_declares_small_sizes_is_caught_while_unpacking():
    content = lying(bomb(30 * MB))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sum(p.file_size for p in archive.infolist()) < 1_000_000  # it lies
    with pytest.raises(uploads.UploadRefused):
        uploads.check("statement.docx", content)


def test_a_damaged_document_is_refused_with_a_reason():
    damaged = real_docx()[:-100]  # cut short: its table of contents is gone
    with pytest.raises(uploads.UploadRefused, match="damaged or protected"):
        uploads.check("statement.docx", damaged)


@pytest.mark.django_db
def test_a_request_larger_than_any_form_takes_is_refused_before_it_is_read(client, settings):
    settings.REQUEST_MAX_BYTES = 1024
    body = b"x" * 2048
    response = client.generic(
        "POST", "/submit/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert b"Nothing was saved" in response.content
    assert response["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in response
    assert response["Referrer-Policy"] == "no-referrer"  # an intake page
    api = client.generic("POST", "/api/v1/defenders", body, content_type="application/json")
    assert api.status_code == 413 and "Nothing was saved" in api.json()["detail"]
    assert client.post("/submit/", {"what_happened": "short"}).status_code != 413

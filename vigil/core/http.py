from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(content: bytes, filename: str) -> HttpResponse:
    """A file from outside, as a download that the browser never renders: it
    must not run as a page of ours. The person sees their own file name."""
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def document(content: bytes, filename: str) -> HttpResponse:
    """A document Vigil made (a letter, a record, a report), as a download. The file
    name must hold no name of a person: it ends up in download folders and logs."""
    extension = filename.rsplit(".", 1)[-1]
    response = HttpResponse(content, content_type=DOCUMENT_TYPES[extension])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response

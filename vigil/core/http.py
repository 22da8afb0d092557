from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(content: bytes, filename: str) -> HttpResponse:
    """A file from outside, as a download that the browser never renders: it
    must not run as a page of ours. The person sees their own file name."""
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response

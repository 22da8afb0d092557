"""PDF documents rendered from templates with WeasyPrint, offline.

A case record holds names; so the renderer may read nothing but our own
stylesheets: every other URL (http, https, file outside static/) is refused, so a
template can never make the server fetch something, nor leak a name in a request.
"""

import re
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy


class RefusedResource(Exception):
    pass


class DocumentsUnavailable(Exception):
    """WeasyPrint cannot run here: the Pango library is missing on the server."""


# What a person is told when a PDF cannot be made.
UNAVAILABLE = gettext_lazy("PDF files cannot be made on this server: it lacks the Pango library.")


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict:
    raise RefusedResource(f"documents may not load {url.split(':', 1)[0]} resources")


def render_pdf(template: str, context: dict[str, Any], *, stylesheet: str) -> bytes:
    """Render `template` to PDF with the static `stylesheet` (a path under static/)."""
    # Imported here: WeasyPrint loads Pango when imported, and only PDF pages need it.
    try:
        from weasyprint import CSS, HTML
    except OSError as error:
        raise DocumentsUnavailable(str(error)) from error

    css_path = finders.find(stylesheet)
    if css_path is None:
        raise FileNotFoundError(stylesheet)
    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_no_fetching, base_url=None).write_pdf(
        stylesheets=[CSS(string=Path(css_path).read_text(), url_fetcher=_no_fetching)]
    )


def standalone_style() -> str:
    """The style of an HTML report downloaded as a file: it must travel inside the
    file, which is opened on its own. Our own stylesheet, never input."""
    from django.utils.safestring import mark_safe

    css_path = finders.find("css/report-screen.css")
    return mark_safe(Path(css_path).read_text())  # noqa: S308


# Characters XML 1.0 does not allow, which Word documents cannot hold; text pasted
# from elsewhere brings them (Word's own line break is \x0b).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_IN_XML.sub(" ", text)


def paragraph(document: Any, text: str, style: str | None = None) -> Any:
    """A paragraph of a python-docx document, with text it can hold."""
    return document.add_paragraph(xml_safe(text), style=style)


def heading(document: Any, text: str, level: int) -> Any:
    return document.add_heading(xml_safe(text), level=level)

"""The one way a report becomes a file: composed once as sections of text, lists,
tables and charts (`Composed`), then rendered as HTML, PDF (WeasyPrint, from the
same HTML, fetching nothing: see core/documents.py) or Word (python-docx).

Every report kind builds a `Composed` from the records and nothing else; so a
heading, a table or a withheld name is written in one place and reads the same in
the three formats, and no kind has a template or a Word writer of its own.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from vigil.core import documents
from vigil.stats.charts import Chart

FORMATS = ("pdf", "docx", "html")


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str  # its extension is the format


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]
    caption: str = ""
    kind: str = "table"


@dataclass
class Text:
    text: str
    emphasis: bool = False
    meta: bool = False  # a line about what follows (addressees, dates), set smaller
    kind: str = "text"


@dataclass
class List:
    entries: list[str]
    numbered: bool = False
    kind: str = "list"


@dataclass
class Figure:
    chart: Chart
    kind: str = "chart"

    def svg(self) -> str:
        return mark_safe(self.chart.svg())  # noqa: S308 - drawn by matplotlib, which escapes text


@dataclass
class Section:
    heading: str  # none: the items follow the title (a chart above the tables)
    items: list[Table | Text | List | Figure] = field(default_factory=list)
    level: int = 2  # 2 a part of the report, 3 and 4 the parts within it
    together: bool = False  # one entry (a letter, an activity): kept on one page

    def text(self, text: str, *, emphasis: bool = False, meta: bool = False) -> None:
        if text:
            self.items.append(Text(text, emphasis, meta))

    def points(self, entries: list[str], *, numbered: bool = False) -> None:
        if entries:
            self.items.append(List(list(entries), numbered))

    def table(self, header: list[str], rows: list[list[Any]], caption: str = "") -> None:
        if rows:  # the text says when there is nothing to show
            self.items.append(Table(header, rows, caption))

    def chart(self, chart: Chart) -> None:
        if any(chart.values):  # an empty chart says nothing the table does not
            self.items.append(Figure(chart))


@dataclass
class Composed:
    title: str
    generated_at: datetime
    reference: str = ""  # the running head of each PDF page
    meta: list[str] = field(default_factory=list)  # said beside the build time
    notice: str = ""
    introduction: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section(self, heading: str, *, level: int = 2, together: bool = False) -> Section:
        section = Section(heading, level=level, together=together)
        self.sections.append(section)
        return section


TEMPLATE = "reports/composed.html"

# compose(start=, end=, progress=, **options) -> Composed
Composer = Callable[..., Composed]


def build(
    name: str, compose: Composer, *, start: date, end: date, fmt: str, progress: Any = None,
    language: str | None = None, **options: Any,
) -> Built:  # fmt: skip
    """Compose the report `name` for the period in `language` (the current one by
    default) and render it as `fmt`."""
    with translation.override(language or translation.get_language()):
        report = compose(start=start, end=end, progress=progress, **options)
        content = render(report, fmt)
    return Built(content=content, filename=f"{name}-{start.isoformat()}-{end.isoformat()}.{fmt}")


def render(report: Composed, fmt: str) -> bytes:
    if fmt == "pdf":
        return documents.render_pdf(TEMPLATE, {"report": report}, stylesheet="css/record.css")
    if fmt == "docx":
        return _docx(report)
    context = {"report": report, "inline_css": documents.standalone_style()}
    return render_to_string(TEMPLATE, context).encode()


def _docx(report: Composed) -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    documents.heading(document, report.title, level=0)
    if report.notice:
        documents.paragraph(document, report.notice).runs[0].bold = True
    for text in report.introduction:
        documents.paragraph(document, text)
    for section in report.sections:
        if section.heading:
            documents.heading(document, section.heading, level=section.level - 1)
        for item in section.items:
            if isinstance(item, Text):
                paragraph = documents.paragraph(document, item.text)
                if item.emphasis and paragraph.runs:
                    paragraph.runs[0].italic = True
            elif isinstance(item, List):
                style = "List Number" if item.numbered else "List Bullet"
                for entry in item.entries:
                    documents.paragraph(document, entry, style=style)
            elif isinstance(item, Figure):
                document.add_picture(io.BytesIO(item.chart.png()), width=Cm(16))
            else:
                if item.caption:
                    documents.paragraph(document, item.caption).runs[0].bold = True
                grid = document.add_table(rows=1, cols=len(item.header))
                grid.style = "Table Grid"
                for cell, text in zip(grid.rows[0].cells, item.header, strict=True):
                    cell.text = documents.xml_safe(str(text))
                for row in item.rows:
                    for cell, value in zip(grid.add_row().cells, row, strict=True):
                        cell.text = documents.xml_safe(str(value))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()

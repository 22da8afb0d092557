"""A report made of sections of text, tables and charts, written once and rendered
as HTML, PDF (WeasyPrint, from the same HTML) or Word (python-docx).

The annual, assessment and reprisals reports are composed this way; each builds a
`Composed` from the records and calls `render`.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from vigil.core import documents
from vigil.core.charts import Chart


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
    kind: str = "text"


@dataclass
class Figure:
    chart: Chart
    kind: str = "chart"

    def svg(self) -> str:
        return mark_safe(self.chart.svg())  # noqa: S308 - drawn by matplotlib, which escapes text


@dataclass
class Section:
    heading: str
    items: list[Table | Text | Figure] = field(default_factory=list)

    def text(self, text: str, *, emphasis: bool = False) -> None:
        if text:
            self.items.append(Text(text, emphasis))

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
    notice: str = ""
    introduction: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section(self, heading: str) -> Section:
        section = Section(heading)
        self.sections.append(section)
        return section


TEMPLATE = "reports/composed.html"


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
        documents.heading(document, section.heading, level=1)
        for item in section.items:
            if isinstance(item, Text):
                paragraph = documents.paragraph(document, item.text)
                if item.emphasis and paragraph.runs:
                    paragraph.runs[0].italic = True
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

"""`build_report sdg16101`: the SDG 16.10.1 table for a period, with its counting
rules, as PDF, DOCX or HTML. From every country and without a name: the counts
only (the statistics desk shows the same table within a reader's scope)."""

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vigil.core import documents
from vigil.core.charts import Chart
from vigil.core.reports import Built
from vigil.stats.sdg16101 import counting


def _groups(table: counting.Table) -> list[tuple[str, list[counting.Column]]]:
    titles = {
        "victim": _("Victim category"), "sex": _("Sex and gender"),
        "perpetrator": _("Perpetrator"), "region": _("UN regional group"),
    }  # fmt: skip
    groups = []
    for key, title in titles.items():
        groups.append((title, [c for c in table.columns if c.group in ("", key)]))
    return groups


def title(start: date, end: date) -> str:
    return _("SDG indicator 16.10.1: verified cases from %(start)s to %(end)s") % {
        "start": date_format(start, "DATE_FORMAT"),
        "end": date_format(end, "DATE_FORMAT"),
    }


def build_report(
    *, start: date, end: date, fmt: str, progress: Any = None, **options: Any
) -> Built:
    """The `build_report sdg16101` entry (see core/reports.py)."""
    language = options.get("language") or translation.get_language()
    with translation.override(language):
        bar = progress(1) if progress else None
        table = counting.table(start, end)
        categories = table.rows[:-1]
        chart = Chart(
            _("Verified cases by category"),
            [row.label for row in categories],
            [row.get("total") for row in categories],
        )
        context = {
            "chart": chart,
            "title": title(start, end),
            "table": table,
            "groups": _groups(table),
            "rules": counting.rules(),
            "generated_at": timezone.now(),
        }
        if fmt == "pdf":
            content = documents.render_pdf(
                "stats/sdg16101_report.html", context, stylesheet="css/record.css"
            )
        elif fmt == "docx":
            content = _docx(context)
        else:
            context["inline_css"] = documents.standalone_style()
            content = render_to_string("stats/sdg16101_report.html", context).encode()
        if bar:
            bar.finish()
    return Built(content=content, filename=f"sdg16101-{start.isoformat()}-{end.isoformat()}.{fmt}")


def _docx(context: dict[str, Any]) -> bytes:
    import io

    from docx import Document
    from docx.shared import Cm

    document = Document()
    documents.heading(document, context["title"], level=0)
    document.add_picture(io.BytesIO(context["chart"].png()), width=Cm(16))
    table = context["table"]
    for group_title, columns in context["groups"]:
        documents.heading(document, group_title, level=1)
        grid = document.add_table(rows=1, cols=len(columns) + 1)
        grid.style = "Table Grid"
        grid.rows[0].cells[0].text = _("Category")
        for index, column in enumerate(columns, start=1):
            grid.rows[0].cells[index].text = documents.xml_safe(column.label)
        for row in table.rows:
            cells = grid.add_row().cells
            cells[0].text = row.label
            for index, column in enumerate(columns, start=1):
                cells[index].text = str(row.get(column.key))
    documents.heading(document, _("How these cases are counted"), level=1)
    for rule in context["rules"]:
        documents.paragraph(document, rule, style="List Number")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()

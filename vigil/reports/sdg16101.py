"""The SDG 16.10.1 report for a period: the table of verified cases by category,
victim, sex, perpetrator and region (`stats.sdg16101.counting`), with its chart and
the counting rules as `counting.rules()` writes them. From every country and without
a name: the counts only (the statistics desk shows the same table within a
reader's scope)."""

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vigil.reports import pipeline
from vigil.stats.charts import Chart
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


def compose(*, start: date, end: date, progress: Any = None, **options: Any) -> pipeline.Composed:
    """The table of the period, one part per group of columns, then the rules."""
    bar = progress(1) if progress else None
    table = counting.table(start, end)
    report = pipeline.Composed(
        title=title(start, end),
        generated_at=timezone.now(),
        reference=_("SDG indicator 16.10.1"),
    )
    categories = table.rows[:-1]
    report.section("").chart(
        Chart(
            _("Verified cases by category"),
            [row.label for row in categories],
            [row.get("total") for row in categories],
        )
    )
    for group_title, columns in _groups(table):
        report.section(group_title).table(
            [_("Category"), *[column.label for column in columns]],
            [[row.label, *[row.get(column.key) for column in columns]] for row in table.rows],
        )
    report.section(_("How these cases are counted")).points(counting.rules(), numbered=True)
    if bar:
        bar.finish()
    return report

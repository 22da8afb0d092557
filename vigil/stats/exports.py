"""What the statistics export, and Vigil's one writer of CSV and XLSX files.

The writer (`csv_bytes`, `xlsx_bytes`) turns a table, a header and rows, into the
bytes of a file that is safe to open: every cell goes through core/spreadsheets.py,
so that no text someone else typed (a defender's name, a company's) runs as a
formula in the reader's spreadsheet, while numbers stay numbers. The statistics
views, the records exporter (exchange/exporter.py) and the importer's file of
rejected rows all write through it.

The tables are those of the statistics desk (`table`), the public page's
(`public_table`, with the same cells hidden as on the page) and the de-identified
records behind a number (`RECORD_HEADER`, `record_rows`): no name, narrative or
place.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.activities.models import Level
from vigil.cases.selectors import CaseFilter
from vigil.communications.models import AddresseeKind
from vigil.communications.selectors import reply_rates
from vigil.core import spreadsheets
from vigil.measures.models import Effect
from vigil.stats import counting, freshness

if TYPE_CHECKING:  # suppression.py loads its auditor (numpy, SciPy) with it
    from vigil.stats.suppression import Grid

# --- The writer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A sheet of an XLSX file: its tab's title, its header and its rows."""

    title: str
    header: list[str]
    rows: Iterable[Iterable[Any]]


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file in UTF-8, every cell neutralised (a text a spreadsheet would run as
    a formula is quoted)."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(spreadsheets.cells(header))
    writer.writerows(spreadsheets.cells(row) for row in rows)
    return ("\ufeff" + output.getvalue()).encode()  # a BOM: spreadsheets then read UTF-8


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX workbook of `sheets`, every cell neutralised and every text written as
    text, never as a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        page = workbook.create_sheet(sheet.title[:31])  # the longest title Excel takes
        spreadsheets.append(page, sheet.header)
        for row in sheet.rows:
            spreadsheets.append(page, row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def file_bytes(fmt: str, header: list[Any], rows: list[list[Any]], title: str) -> bytes:
    """One table as a CSV file or an XLSX file of one sheet named `title`."""
    if fmt == "csv":
        return csv_bytes(header, rows)
    return xlsx_bytes([Sheet(title, header, rows)])


# --- The statistics desk's tables ------------------------------------------------------

FORMATS = {"csv", "xlsx"}

TABLES = [
    "sdg16101", "year", "sdg_category", "violation", "region", "country", "victim_category",
    "sex", "focus_group", "perpetrator", "flags", "replies_states", "replies_companies",
    "measures_by_year", "measures_by_theme", "activities",
]  # fmt: skip


def table(
    user: Any, name: str, filters: CaseFilter, year: int
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of the desk's table `name` (one of TABLES), within the
    reader's scope and filters; the 16.10.1 table for `year`. Always exact."""
    if name == "sdg16101":
        found = freshness.sdg_table(user, filters, year)
        header = [_("Category"), *(c.label for c in found.columns)]
        return header, [[row.label, *(row.get(c.key) for c in found.columns)] for row in found.rows]
    if name in {"replies_states", "replies_companies"}:
        kind = AddresseeKind.STATE if name == "replies_states" else AddresseeKind.BUSINESS
        header = [_("Addressee"), _("Sent"), _("Replied"), _("Replied in time"), _("Median days")]
        return header, [
            [r.label, r.sent, r.replied, r.replied_in_time, r.median_days]
            for r in reply_rates(kind=kind)
        ]
    if name in {"measures_by_year", "measures_by_theme"}:
        rows = (
            counting.measures_by_effect_and_year()
            if name == "measures_by_year"
            else counting.measures_by_theme()
        )
        first = _("Year") if name == "measures_by_year" else _("Theme")
        header = [first, *(str(label) for _value, label in Effect.choices)]
        return header, [
            [key, *(counts.get(v, 0) for v, _l in Effect.choices)] for key, counts in rows
        ]
    if name == "activities":
        header = [_("Stakeholder"), *(str(label) for _value, label in Level.choices)]
        return header, [
            [kind, *(counts.get(v, 0) for v, _l in Level.choices)]
            for kind, counts in counting.activities_by_level_and_stakeholder()
        ]
    breakdown = freshness.breakdown(user, filters, name)
    header = [_("Group"), _("Acts"), _("Victims"), _("Cases")]
    return header, [[b.label, b.acts, b.victims, b.cases] for b in breakdown.buckets]


# --- The public page's tables ----------------------------------------------------------

PUBLIC_TABLES = ["sdg_by_sex", "acts_by_year_and_region"]


def public_table(grid: "Grid") -> tuple[list[str], list[list[Any]]]:
    """A public table as the page shows it: every hidden cell hidden."""
    header = ["", *(str(label) for label in grid.column_labels), _("Total")]
    rows = [[str(label) or _("Total"), *cells, total] for label, cells, total in grid.public_rows()]
    return header, rows


# --- The records behind a number -------------------------------------------------------

RECORD_HEADER = [
    gettext_lazy("Act"), gettext_lazy("Date"), gettext_lazy("Country"),
    gettext_lazy("Violation"), gettext_lazy("SDG 16.10.1 category"),
    gettext_lazy("Victim categories"), gettext_lazy("Victim"), gettext_lazy("Sex and gender"),
    gettext_lazy("Perpetrators"), gettext_lazy("Reprisal"), gettext_lazy("Verification"),
]  # fmt: skip


def record_rows(acts: Any) -> list[list[Any]]:
    """The acts de-identified: date, country, violation, category, victim categories,
    kind, sex, perpetrators, reprisal, verification; no name, no narrative, no place."""
    rows = []
    for act in acts:
        victim = act.victim
        rows.append(
            [
                act.pk,
                act.incident.start_date.isoformat(),
                act.incident.get_country_display(),
                act.get_violation_display(),
                str(act.sdg_category.label),
                ", ".join(str(c.label) for c in victim.victim_categories),
                victim.get_kind_display(),
                victim.get_sex_gender_display(),
                ", ".join(p.get_category_display() for p in act.perpetrators.all()),
                _("yes") if act.reprisal else "",
                act.get_verification_display(),
            ]
        )
    return rows

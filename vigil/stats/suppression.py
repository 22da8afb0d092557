"""Small numbers on public pages: hidden, and not recoverable from the rest.

A public table is a grid of counts with its row totals, column totals and grand
total. A count from 1 to the threshold minus one (settings.STATS_SMALL_COUNT, 5 by
default) is shown as "<5" (primary suppression): a small number can point at a
person. Then every row and every column, read as an equation (the cells add up to
the total), must hold either no hidden value or at least two; where one is alone,
the smallest other value of that line is hidden too (secondary suppression), and
this repeats until no line has a single unknown. Secondary cells are shown as "–".

Zeros are shown: they point at no one. Hiding them would hide nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass
class Grid:
    """Counts with margins. `hidden` maps a position to why it is hidden.

    Positions: (i, j) for a cell, (i, "total") for a row total, ("total", j) for a
    column total, ("total", "total") for the grand total.
    """

    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    hidden: dict[tuple, str] = field(default_factory=dict)

    @property
    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.cells]

    @property
    def column_totals(self) -> list[int]:
        return [sum(row[j] for row in self.cells) for j in range(len(self.column_labels))]

    @property
    def grand_total(self) -> int:
        return sum(self.row_totals)

    def value(self, position: tuple) -> int:
        i, j = position
        if i == "total" and j == "total":
            return self.grand_total
        if j == "total":
            return self.row_totals[i]
        if i == "total":
            return self.column_totals[j]
        return self.cells[i][j]

    def lines(self) -> Iterable[tuple[list[tuple], tuple]]:
        """Every equation the table states: (the parts, their total)."""
        rows, columns = range(len(self.row_labels)), range(len(self.column_labels))
        for i in rows:
            yield [(i, j) for j in columns], (i, "total")
        for j in columns:
            yield [(i, j) for i in rows], ("total", j)
        yield [(i, "total") for i in rows], ("total", "total")
        yield [("total", j) for j in columns], ("total", "total")

    def shown(self, position: tuple) -> str:
        """What the public sees at `position`."""
        reason = self.hidden.get(position)
        if reason == PRIMARY:
            return f"<{threshold()}"
        if reason == SECONDARY:
            return "–"
        return str(self.value(position))

    def public_rows(self) -> list[tuple[str, list[str], str]]:
        """(label, shown cells, shown total) per row, then the totals row."""
        rows = [
            (label, [self.shown((i, j)) for j in range(len(self.column_labels))],
             self.shown((i, "total")))
            for i, label in enumerate(self.row_labels)
        ]  # fmt: skip
        totals = [self.shown(("total", j)) for j in range(len(self.column_labels))]
        return [*rows, ("", totals, self.shown(("total", "total")))]


def threshold() -> int:
    return settings.STATS_SMALL_COUNT


def suppress(grid: Grid) -> Grid:
    """Hide the small counts, then enough others that none can be worked out."""
    limit = threshold()
    positions = [position for parts, total in grid.lines() for position in [*parts, total]]
    for position in dict.fromkeys(positions):
        if 0 < grid.value(position) < limit:
            grid.hidden[position] = PRIMARY
    changed = True
    while changed:
        changed = False
        for parts, total in grid.lines():
            line = [*parts, total]
            unknown = [p for p in line if p in grid.hidden]
            if len(unknown) != 1:
                continue
            # Hide the smallest other non-zero value of the line: a zero added to
            # the unknowns would not hide anything.
            candidates = sorted(
                (p for p in line if p not in grid.hidden and grid.value(p) > 0),
                key=lambda p: (grid.value(p), p == total),
            )
            if candidates:
                grid.hidden[candidates[0]] = SECONDARY
                changed = True
    return grid


def recoverable(grid: Grid) -> dict[tuple, int]:
    """What an attacker works out from the public table by elimination: each line
    with one unknown gives it away, which may free another line. Returns the hidden
    positions so recovered (empty when the suppression holds)."""
    known = {
        position: grid.value(position)
        for parts, total in grid.lines()
        for position in [*parts, total]
        if position not in grid.hidden
    }
    recovered: dict[tuple, int] = {}
    progress = True
    while progress:
        progress = False
        for parts, total in grid.lines():
            unknown = [p for p in [*parts, total] if p not in known]
            if len(unknown) != 1:
                continue
            (missing,) = unknown
            if missing == total:
                value = sum(known[p] for p in parts)
            else:
                value = known[total] - sum(known[p] for p in parts if p != missing)
            known[missing] = recovered[missing] = value
            progress = True
    return recovered

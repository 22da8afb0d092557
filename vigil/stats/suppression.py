"""Small numbers on public pages: hidden, and not recoverable from everything else
that is published.

A public table is a grid of counts with its row totals, column totals and grand
total. A count from 1 to the threshold minus one (settings.STATS_SMALL_COUNT, 5 by
default) could point at a person: it is hidden (primary suppression). Other counts
are then hidden too (secondary suppression) until the attacker of stats/audit.py,
who reads every published number (every table, the map's bands, the links between
them) and solves for the hidden ones by linear programming, cannot narrow any small
count to fewer than `threshold` possible values.

Every hidden count is shown the same way ("–"), whether small or hidden to protect
a small one: a "<5" would tell the attacker an upper bound, and a mark of its own
for the others a lower one. Zeros are shown (they point at no one) and never hidden,
so the attacker knows a hidden count is at least 1; the audit assumes so.

Which counts to hide next is a choice, not a proof: the audit is the proof. The
choice is deterministic (the same records always give the same tables): the
smallest count sharing an equation with the small count being protected, then with
the hidden counts around it, then anywhere in its table.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from django.conf import settings

from vigil.stats import audit

PRIMARY = "primary"
SECONDARY = "secondary"
HIDDEN = "–"


class Unprotectable(Exception):
    """The published numbers give a small count away whatever else is hidden."""


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

    def positions(self) -> list[tuple]:
        rows, columns = range(len(self.row_labels)), range(len(self.column_labels))
        return [
            *((i, j) for i in rows for j in columns),
            *((i, "total") for i in rows),
            *(("total", j) for j in columns),
            ("total", "total"),
        ]

    def shown(self, position: tuple) -> str:
        """What the public sees at `position`."""
        return HIDDEN if position in self.hidden else str(self.value(position))

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


@dataclass
class Band:
    """A count published only as a range (a country on the public map)."""

    value: int
    shown: str  # "0–4", "5–19", "50+"


@dataclass
class Release:
    """Everything published together, as the suppression and the audit see it.

    Keys: (grid name, *position) for a grid's numbers, any other hashable for a band
    or an unknown that the links imply (a country not on the map). `sums` and
    `at_most` are the links between them that the public can know."""

    grids: dict[str, Grid] = field(default_factory=dict)
    bands: dict[Hashable, Band] = field(default_factory=dict)
    sums: list[tuple[list[Hashable], Hashable]] = field(default_factory=list)
    at_most: list[tuple[list[Hashable], Hashable]] = field(default_factory=list)

    def statement(self) -> audit.Statement:
        """What an outsider reads: the shown text of every number, and every link."""
        statement = audit.Statement()
        for name, grid in self.grids.items():
            rows = grid.public_rows()
            statement.add_table(
                name,
                [cells for _label, cells, _total in rows[:-1]],
                [total for _label, _cells, total in rows[:-1]],
                rows[-1][1],
                rows[-1][2],
            )
        for key, band in self.bands.items():
            statement.shown[key] = band.shown
        for parts, total in self.sums:
            statement.add_sum(parts, total)
        for parts, bound in self.at_most:
            statement.add_at_most(parts, bound)
        return statement

    def truth(self) -> dict[Hashable, int]:
        found: dict[Hashable, int] = {}
        for name, grid in self.grids.items():
            for position in grid.positions():
                found[(name, *position)] = grid.value(position)
        found.update({key: band.value for key, band in self.bands.items()})
        return found

    def equations(self) -> list[list[Hashable]]:
        """Every relation, as the list of keys it holds."""
        found = [[*parts, total] for parts, total in [*self.sums, *self.at_most]]
        for name, grid in self.grids.items():
            rows, columns = range(len(grid.row_labels)), range(len(grid.column_labels))
            for i in rows:
                found.append([(name, i, j) for j in columns] + [(name, i, "total")])
            for j in columns:
                found.append([(name, i, j) for i in rows] + [(name, "total", j)])
            found.append([(name, i, "total") for i in rows] + [(name, "total", "total")])
            found.append([(name, "total", j) for j in columns] + [(name, "total", "total")])
        return found


def suppress(grid: Grid) -> Grid:
    """Hide the small counts of one table, then enough others that the table alone
    gives none of them away."""
    protect(Release(grids={"table": grid}))
    return grid


def protect(release: Release) -> Release:
    """Hide every small count of every grid, then others, until the audit finds no
    small count (in a grid or a band) that everything published narrows to fewer than
    `threshold` values. Raises `Unprotectable` if hiding everything would not do."""
    limit = threshold()
    truth = release.truth()
    for grid in release.grids.values():
        for position in grid.positions():
            if 0 < grid.value(position) < limit:
                grid.hidden[position] = PRIMARY
    equations = release.equations()
    small = [key for key, value in truth.items() if 0 < value < limit]
    for key in small:
        while audit.audit(release.statement(), {key: truth[key]}, limit, hidden_min=1):
            candidate = _next_to_hide(release, key, truth, equations)
            if candidate is None:
                raise Unprotectable(str(key))
            name, *position = candidate
            release.grids[name].hidden[tuple(position)] = SECONDARY
    return release


def _next_to_hide(
    release: Release, key: Hashable, truth: dict[Hashable, int], equations: list[list[Hashable]]
) -> Hashable | None:
    """The shown count to hide next for `key`: the smallest that shares an equation
    with it, else with the unknowns joined to it, else the smallest of its grid."""

    def unknown(k: Hashable) -> bool:
        if k in release.bands or k not in truth:
            return True
        name, *position = k
        return tuple(position) in release.grids[name].hidden

    def hideable(k: Hashable) -> bool:
        return k in truth and k not in release.bands and not unknown(k) and truth[k] > 0

    def smallest(keys: Iterable[Hashable]) -> Hashable | None:
        found = sorted(dict.fromkeys(k for k in keys if hideable(k)), key=lambda k: truth[k])
        return found[0] if found else None

    touching = [keys for keys in equations if key in keys]
    if first := smallest(k for keys in touching for k in keys):
        return first
    joined, frontier = {key}, [key]
    while frontier:
        current = frontier.pop()
        for keys in equations:
            if current in keys:
                for k in keys:
                    if k not in joined and unknown(k):
                        joined.add(k)
                        frontier.append(k)
    if near := smallest(k for keys in equations if joined & set(keys) for k in keys):
        return near
    grids = [key[0]] if isinstance(key, tuple) and key[0] in release.grids else release.grids
    return smallest((name, *p) for name in grids for p in release.grids[name].positions())

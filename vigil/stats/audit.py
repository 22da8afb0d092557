"""The attacker of the public statistics, by linear programming.

This module knows nothing of how Vigil hides numbers (stats/suppression.py): it
reads what was published, as text, the way an outsider would, and works out for
every number it cannot read the smallest and the largest value consistent with
everything published. It is the audit the suppression must pass, and what tests
play against any published output (the page, the CSV and XLSX exports, the map).

What the attacker is given (a `Statement`):

- every published number, as shown: "12" is exact; "5–19" or "50+" is a range (the
  map's bands); "<5" is between `hidden_min` and 4 (the old way of showing small
  counts); any other mark ("–") is a hidden count of at least `hidden_min`;
- every equation the publication states: the cells of a row add up to its total,
  the regional groups' countries add up to the group's column, and so on;
- every inequality it implies (the 16.10.1 cases of a year are at most the verified
  acts of that year: each case has an act of its own).

`hidden_min` is what the attacker knows of a hidden count's least value: 1 when
zeros are always shown (so anything hidden is not zero), as Vigil publishes them.

The protection rule (`audit`): for every count from 1 to the threshold minus one,
the values the attacker cannot rule out must be at least `threshold` whole numbers
(for 5: at least five possible values, such as 1 to 5 or 0 to 4). A count shown
outright is, of course, a failure.

Solved with SciPy's `linprog` (HiGHS), two problems per hidden number. For a table
with its margins, and for such tables joined by group totals, the constraint matrix
is totally unimodular, so the linear bounds are the integer ones: an attacker with
an integer solver learns no more. Beyond those shapes the linear bounds may be wider
than the integer ones (see docs/statistics.md).
"""

import math
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

INFINITY = math.inf
_RANGE = re.compile(r"^\s*(\d+)\s*[–-]\s*(\d+)\s*$")
_AT_LEAST = re.compile(r"^\s*(\d+)\s*\+\s*$")
_BELOW = re.compile(r"^\s*<\s*(\d+)\s*$")
_NUMBER = re.compile(r"^\s*\d+\s*$")


def bounds_of(shown: str, *, hidden_min: int) -> tuple[float, float]:
    """What the text of one published number tells: its least and greatest value."""
    text = str(shown)
    if _NUMBER.match(text):
        return float(text), float(text)
    if match := _RANGE.match(text):
        return float(match.group(1)), float(match.group(2))
    if match := _AT_LEAST.match(text):
        return float(match.group(1)), INFINITY
    if match := _BELOW.match(text):
        return float(hidden_min), float(match.group(1)) - 1
    return float(hidden_min), INFINITY


@dataclass
class Statement:
    """Everything published, as an attacker's linear system.

    `shown` maps a key (anything hashable: ("table", row, column)) to the text the
    public reads there. A key that is never shown but appears in an equation is an
    unknown the publication implies (a country off the map): at least zero."""

    shown: dict[Hashable, str] = field(default_factory=dict)
    sums: list[tuple[list[Hashable], Hashable]] = field(default_factory=list)
    at_most: list[tuple[list[Hashable], Hashable]] = field(default_factory=list)

    def add_sum(self, parts: Iterable[Hashable], total: Hashable) -> None:
        """The parts add up to the total."""
        self.sums.append((list(parts), total))

    def add_at_most(self, parts: Iterable[Hashable], bound: Hashable) -> None:
        """The parts add up to at most the bound."""
        self.at_most.append((list(parts), bound))

    def add_table(
        self,
        name: Hashable,
        cells: list[list[str]],
        row_totals: list[str] | None = None,
        column_totals: list[str] | None = None,
        total: str | None = None,
    ) -> None:
        """A table as printed: cells, then (when printed) the totals of its rows and
        columns and its grand total, each an equation."""
        rows, columns = range(len(cells)), range(len(cells[0]) if cells else 0)
        for i in rows:
            for j in columns:
                self.shown[(name, i, j)] = cells[i][j]
        if row_totals is not None:
            for i in rows:
                self.shown[(name, i, "total")] = row_totals[i]
                self.add_sum([(name, i, j) for j in columns], (name, i, "total"))
        if column_totals is not None:
            for j in columns:
                self.shown[(name, "total", j)] = column_totals[j]
                self.add_sum([(name, i, j) for i in rows], (name, "total", j))
        if total is not None:
            self.shown[(name, "total", "total")] = total
            if row_totals is not None:
                self.add_sum([(name, i, "total") for i in rows], (name, "total", "total"))
            if column_totals is not None:
                self.add_sum([(name, "total", j) for j in columns], (name, "total", "total"))
            if row_totals is None and column_totals is None:
                self.add_sum(
                    [(name, i, j) for i in rows for j in columns], (name, "total", "total")
                )


@dataclass(frozen=True)
class Failure:
    """A small count the attacker can place too closely."""

    key: Hashable
    low: float
    high: float


class _System:
    """The linear system of a statement, split into independent parts: numbers
    shown exactly are constants, and only the unknowns joined to a number through
    some relation take part in its problem (a small problem solves fast)."""

    def __init__(self, statement: Statement, hidden_min: int) -> None:
        keys: list[Hashable] = list(statement.shown)
        for parts, total in [*statement.sums, *statement.at_most]:
            keys += [k for k in [*parts, total] if k not in statement.shown]
        self.keys = list(dict.fromkeys(keys))
        self.index = {key: n for n, key in enumerate(self.keys)}
        self.bounds = [
            bounds_of(statement.shown[k], hidden_min=hidden_min)
            if k in statement.shown
            else (0.0, INFINITY)
            for k in self.keys
        ]
        self.relations = [(parts, total, 0) for parts, total in statement.sums] + [
            (parts, total, 1) for parts, total in statement.at_most
        ]
        parent = list(range(len(self.keys)))

        def root(n: int) -> int:
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        for parts, total, _kind in self.relations:
            unknown = [self.index[k] for k in [*parts, total] if not self.exact(k)]
            for other in unknown[1:]:
                parent[root(other)] = root(unknown[0])
        self.root = [root(n) for n in range(len(self.keys))]
        self.problems: dict[int, tuple] = {}

    def exact(self, key: Hashable) -> bool:
        low, high = self.bounds[self.index[key]]
        return low == high

    def _problem(self, component: int) -> tuple:
        if component in self.problems:
            return self.problems[component]
        members = [n for n in range(len(self.keys)) if self.root[n] == component]
        column = {n: c for c, n in enumerate(members)}
        rows: dict[int, list] = {0: [], 1: []}
        for parts, total, kind in self.relations:
            coefficients = [(self.index[k], 1) for k in parts] + [(self.index[total], -1)]
            if not any(n in column for n, _c in coefficients):
                continue
            row, constant = np.zeros(len(members)), 0.0
            for n, c in coefficients:
                if n in column:
                    row[column[n]] += c
                else:
                    constant += c * self.bounds[n][0]
            rows[kind].append((row, -constant))

        def stack(found: list) -> tuple:
            if not found:
                return None, None
            return np.array([r for r, _b in found]), np.array([b for _r, b in found])

        bounds = [
            (self.bounds[n][0], None if self.bounds[n][1] == INFINITY else self.bounds[n][1])
            for n in members
        ]
        self.problems[component] = (column, *stack(rows[0]), *stack(rows[1]), bounds)
        return self.problems[component]

    def extreme(self, key: Hashable, sign: int) -> float:
        """The least (sign 1) or greatest (sign -1) value of `key`."""
        n = self.index[key]
        if self.exact(key):
            return self.bounds[n][0]
        column, a_eq, b_eq, a_ub, b_ub, bounds = self._problem(self.root[n])
        objective = np.zeros(len(column))
        objective[column[n]] = sign
        result = linprog(
            objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
        )
        if result.status == 3:  # unbounded
            return -sign * INFINITY
        if result.status != 0:
            raise ValueError("The published numbers contradict each other.")
        return sign * result.fun


def intervals(
    statement: Statement, keys: Iterable[Hashable] | None = None, *, hidden_min: int = 1
) -> dict[Hashable, tuple[float, float]]:
    """The least and greatest value of each key (by default every number not shown
    exactly) consistent with everything in `statement`; whole numbers."""
    system = _System(statement, hidden_min)
    if keys is None:
        keys = [k for k, (low, high) in zip(system.keys, system.bounds, strict=True) if low != high]
    found = {}
    for key in keys:
        low, high = system.extreme(key, 1), system.extreme(key, -1)
        found[key] = (
            math.ceil(low - 1e-6),
            high if high == INFINITY else math.floor(high + 1e-6),
        )
    return found


def audit(
    statement: Statement,
    truth: Mapping[Hashable, int],
    threshold: int,
    *,
    hidden_min: int = 1,
    first_only: bool = False,
) -> list[Failure]:
    """The small counts of `truth` (1 to threshold - 1) that the attacker can narrow
    to fewer than `threshold` possible values. Empty when the publication holds."""
    small = [key for key, value in truth.items() if 0 < value < threshold]
    system = _System(statement, hidden_min)
    failures = []
    for key in small:
        if key not in system.index:
            continue  # not published in any form
        low, high = system.bounds[system.index[key]]
        if high - low + 1 >= threshold:
            low, high = system.extreme(key, 1), system.extreme(key, -1)
        if high != INFINITY and math.floor(high + 1e-6) - math.ceil(low - 1e-6) + 1 < threshold:
            failures.append(Failure(key, low, high))
            if first_only:
                break
    return failures

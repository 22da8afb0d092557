"""Small numbers: hidden, and not recoverable from anything published with them.

The attacker here is stats/audit.py fed with the tables as the public reads them
(their text), built by the test itself: it knows nothing of the suppression."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vigil.stats.audit import Statement, audit, intervals
from vigil.stats.suppression import HIDDEN, PRIMARY, SECONDARY, Grid, Release, protect, suppress


def grid(cells: list[list[int]]) -> Grid:
    return Grid(
        [f"r{i}" for i in range(len(cells))], [f"c{j}" for j in range(len(cells[0]))], cells
    )


def read(statement: Statement, name: str, table: Grid) -> dict:
    """Add `table` as printed to `statement`; return the truth of its keys."""
    rows = table.public_rows()
    statement.add_table(
        name,
        [cells for _label, cells, _total in rows[:-1]],
        [total for _label, _cells, total in rows[:-1]],
        rows[-1][1],
        rows[-1][2],
    )
    truth = {}
    for position in table.positions():
        truth[(name, *position)] = table.value(position)
    return truth


def exposed(statement: Statement, truth: dict, threshold: int = 5) -> list:
    return [f.key for f in audit(statement, truth, threshold, hidden_min=1)]


def test_it_hides_small_counts_and_enough_others_that_none_can_be_narrowed():
    table = suppress(grid([[3, 12, 40], [20, 8, 9], [0, 30, 11]]))
    assert table.hidden[(0, 0)] == PRIMARY
    assert SECONDARY in table.hidden.values()
    assert table.shown((2, 0)) == "0"  # zeros are shown
    assert {table.shown(p) for p in table.hidden} == {HIDDEN}  # one mark for all
    statement = Statement()
    truth = read(statement, "t", table)
    assert exposed(statement, truth) == []
    low, high = intervals(statement, [("t", 0, 0)])[("t", 0, 0)]
    assert high - low + 1 >= 5


def test_it_protects_what_row_sums_and_the_lower_bound_give_away():
    # [[1, 1, 10], [6, 7, 8]] with the 1s hidden alone: they add up to 2, each at
    # least 1, so both are 1. The suppression hides more until that no longer holds.
    naive = grid([[1, 1, 10], [6, 7, 8]])
    naive.hidden = {(0, 0): PRIMARY, (0, 1): PRIMARY, (1, 0): SECONDARY, (1, 1): SECONDARY}
    statement = Statement()
    truth = read(statement, "t", naive)
    assert set(exposed(statement, truth)) == {("t", 0, 0), ("t", 0, 1)}
    assert intervals(statement, [("t", 0, 0)]) == {("t", 0, 0): (1, 1)}
    table = suppress(grid([[1, 1, 10], [6, 7, 8]]))
    statement = Statement()
    truth = read(statement, "t", table)
    assert exposed(statement, truth) == []


def test_the_threshold_is_a_setting(settings):
    settings.STATS_SMALL_COUNT = 10
    table = suppress(grid([[7, 12], [20, 30]]))
    assert table.hidden[(0, 0)] == PRIMARY and table.shown((0, 0)) == HIDDEN
    statement = Statement()
    truth = read(statement, "t", table)
    assert exposed(statement, truth, threshold=10) == []


def test_it_is_deterministic():
    cells = [[1, 6, 0, 14], [9, 2, 30, 5], [4, 8, 7, 21]]
    assert suppress(grid(cells)).hidden == suppress(grid(cells)).hidden


def test_a_band_is_protected_together_with_the_total_it_adds_up_to():
    # A group of two countries, published as bands, and its column in a table: a
    # country's 2 acts (band 0–4) would be told apart by 7 - (5 to 19) otherwise.
    from vigil.stats.suppression import Band

    table = grid([[7, 20], [0, 9]])
    release = Release(grids={"t": table})
    release.bands = {"a": Band(2, "0–4"), "b": Band(5, "5–19")}
    release.sums = [(["a", "b"], ("t", "total", 0))]
    protect(release)
    statement = release.statement()
    truth = {**release.truth()}
    assert exposed(statement, truth) == []
    assert ("total", 0) in table.hidden


small_counts = st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 35])


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 5).flatmap(
        lambda columns: st.lists(
            st.lists(small_counts, min_size=columns, max_size=columns), min_size=1, max_size=5
        )
    )
)
@pytest.mark.slow  # about 7 s
def test_no_small_count_of_any_table_can_be_narrowed_below_the_threshold(cells):
    table = suppress(grid(cells))
    for position in table.positions():
        if 0 < table.value(position) < 5:
            assert table.hidden.get(position) == PRIMARY
        if table.value(position) == 0:
            assert position not in table.hidden
    statement = Statement()
    truth = read(statement, "t", table)
    assert exposed(statement, truth) == []


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.tuples(st.integers(2, 4), st.integers(1, 3), st.integers(1, 3)).flatmap(
        lambda shape: st.lists(
            st.lists(
                st.lists(small_counts, min_size=shape[2], max_size=shape[2]),
                min_size=shape[1],
                max_size=shape[1],
            ),
            min_size=shape[0],
            max_size=shape[0],
        )
    )
)
@pytest.mark.slow  # about 5 s
def test_no_small_count_of_yearly_tables_and_their_whole_period_table_can_be_narrowed(years):
    rows, columns = len(years[0]), len(years[0][0])
    whole = [[sum(year[i][j] for year in years) for j in range(columns)] for i in range(rows)]
    release = Release(grids={f"y{n}": grid(year) for n, year in enumerate(years)})
    release.grids["all"] = grid(whole)
    for i in range(rows):
        for j in range(columns):
            release.sums.append(([(f"y{n}", i, j) for n in range(len(years))], ("all", i, j)))
    protect(release)
    # The attacker reads every table as printed, and knows the whole period's cells
    # add up the years'.
    statement, truth = Statement(), {}
    for name, table in release.grids.items():
        truth |= read(statement, name, table)
    for i in range(rows):
        for j in range(columns):
            statement.add_sum([(f"y{n}", i, j) for n in range(len(years))], ("all", i, j))
    assert exposed(statement, truth) == []


@pytest.mark.parametrize("shown", ["12", "5–19", "50+", "<5", HIDDEN])
def test_the_attacker_reads_each_way_a_number_is_shown(shown):
    from vigil.stats.audit import bounds_of

    expected = {
        "12": (12, 12), "5–19": (5, 19), "50+": (50, float("inf")), "<5": (1, 4),
        HIDDEN: (1, float("inf")),
    }  # fmt: skip
    assert bounds_of(shown, hidden_min=1) == expected[shown]

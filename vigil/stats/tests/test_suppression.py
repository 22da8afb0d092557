"""Small numbers: hidden, and not recoverable from the rest of the public table."""

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.stats.suppression import PRIMARY, SECONDARY, Grid, recoverable, suppress


def grid(cells):
    rows, columns = len(cells), len(cells[0])
    return Grid([f"r{i}" for i in range(rows)], [f"c{j}" for j in range(columns)], cells)


def test_a_small_count_is_shown_as_less_than_five_and_its_row_and_column_are_protected():
    table = suppress(grid([[3, 12, 40], [20, 8, 9], [0, 30, 11]]))
    assert table.hidden[(0, 0)] == PRIMARY
    assert table.shown((0, 0)) == "<5"
    # Row 0 and column 0 each lost a second value, so subtraction gives nothing.
    assert any(table.hidden.get((0, j)) == SECONDARY for j in (1, 2)) or (
        table.hidden.get((0, "total")) == SECONDARY
    )
    assert table.shown((2, 0)) == "0"  # a zero points at no one
    assert recoverable(table) == {}
    # Without the secondary suppression, the attack would succeed.
    naive = grid([[3, 12, 40], [20, 8, 9], [0, 30, 11]])
    naive.hidden[(0, 0)] = PRIMARY
    assert recoverable(naive) == {(0, 0): 3}


def test_the_threshold_is_a_setting(settings):
    settings.STATS_SMALL_COUNT = 10
    table = suppress(grid([[7, 12], [20, 30]]))
    assert table.shown((0, 0)) == "<10"


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 30), min_size=columns, max_size=columns),
            min_size=1,
            max_size=6,
        )
    )
)
def test_no_hidden_count_can_be_worked_out_from_any_table(cells):
    table = suppress(grid(cells))
    assert set(table.hidden.values()) <= {PRIMARY, SECONDARY}
    for parts, total in table.lines():
        for position in [*parts, total]:
            if 0 < table.value(position) < 5:
                assert table.hidden.get(position) == PRIMARY
    assert recoverable(table) == {}

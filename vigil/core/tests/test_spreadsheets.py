"""core/spreadsheets.py: no cell starts a formula, and Vigil reads its cells back."""

import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from vigil.core.spreadsheets import TRIGGERS, append, neutralise, restore


def test_it_quotes_every_trigger_and_nothing_else():
    for trigger in TRIGGERS:
        assert neutralise(f"{trigger}1+1") == f"'{trigger}1+1"
    assert neutralise("Bogotá") == "Bogotá"
    assert neutralise("'plain") == "'plain"
    assert neutralise("") == ""


def test_it_leaves_numbers_as_numbers():
    assert neutralise(-5) == -5
    assert neutralise(-2.5) == -2.5
    assert neutralise(None) is None


@given(st.text())
def test_what_it_writes_reads_back_as_it_was(value):
    written = neutralise(value)
    assert not written.startswith(TRIGGERS)
    assert restore(written) == value


def test_an_xlsx_cell_is_text_never_a_formula_and_a_number_stays_a_number():
    workbook = Workbook()
    append(workbook.active, ["=1+1", -3, "-3", "@x"])
    output = io.BytesIO()
    workbook.save(output)
    cells = next(load_workbook(output).active.iter_rows())
    assert [c.data_type for c in cells] == ["s", "n", "s", "s"]
    assert [c.value for c in cells] == ["'=1+1", -3, "'-3", "'@x"]

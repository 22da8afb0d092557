from datetime import date

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from vigil.core.dates import describe, truncate
from vigil.core.vocabularies import DatePrecision

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
precisions = st.sampled_from(list(DatePrecision))


@given(dates, precisions)
def test_truncating_keeps_what_is_known_and_only_that(value, precision):
    kept = truncate(value, precision)
    assert kept <= value
    assert kept.year == value.year
    assert truncate(kept, precision) == kept  # idempotent
    if precision in (DatePrecision.DAY, DatePrecision.ESTIMATED):
        assert kept == value
    if precision == DatePrecision.MONTH:
        assert (kept.month, kept.day) == (value.month, 1)
    if precision == DatePrecision.YEAR:
        assert (kept.month, kept.day) == (1, 1)


@given(dates, precisions)
def test_a_described_date_is_never_more_precise_than_known(value, precision):
    with translation.override("en"):
        text = describe(truncate(value, precision), precision)
    assert str(value.year) in text
    if precision == DatePrecision.YEAR:
        assert text == str(value.year)
    if precision == DatePrecision.MONTH:
        assert str(value.day) not in text.replace(str(value.year), "") or value.day == 1
        assert value.strftime("%B") in text


def test_descriptions_follow_the_language():
    with translation.override("en"):
        assert describe(date(2025, 3, 14), DatePrecision.ESTIMATED) == "about March 14, 2025"
        assert describe(date(2025, 3, 1), DatePrecision.MONTH) == "March 2025"
    with translation.override("nl"):
        assert describe(date(2025, 3, 14), DatePrecision.DAY) == "14 maart 2025"
        assert describe(date(2025, 3, 1), DatePrecision.MONTH) == "maart 2025"
    assert describe(None, DatePrecision.DAY) == ""

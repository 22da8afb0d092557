"""Dates known only to the month or year, as human rights records often are."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vigil.core.vocabularies import DatePrecision


def truncate(value: date, precision: str) -> date:
    """The date as far as it is known: the 1st of the month, or 1 January.

    Stored this way, "March 2025" sorts and filters with the dates of March 2025
    and is never taken for the 1st of a month someone wrote down by mistake.
    """
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    return value


def describe(value: date | None, precision: str) -> str:
    """The date as a reader should see it, in their language, no more precise than known."""
    if value is None:
        return ""
    if precision == DatePrecision.MONTH:
        return date_format(value, "YEAR_MONTH_FORMAT")
    if precision == DatePrecision.YEAR:
        return str(value.year)
    text = date_format(value, "DATE_FORMAT")
    if precision == DatePrecision.ESTIMATED:
        return _("about %(date)s") % {"date": text}
    return text

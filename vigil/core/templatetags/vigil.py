from datetime import date

from django import template

from vigil.core import dates

register = template.Library()


@register.simple_tag
def precise_date(value: date | None, precision: str) -> str:
    return dates.describe(value, precision)


@register.filter
def language_name(code: str) -> str:
    """A language's name in the reader's language ("nl" reads "Dutch" or "Nederlands")."""
    from babel import Locale, UnknownLocaleError
    from django.utils import translation

    reader = (translation.get_language() or "en").replace("-", "_")
    try:
        return Locale.parse(code).get_display_name(Locale.parse(reader)) or code
    except (UnknownLocaleError, ValueError):
        return code


@register.filter
def cell(row: object, key: str) -> int:
    """A count by its column from a table row or a dict, 0 when there is none:
    `{{ row|cell:column.key }}`."""
    return row.get(key) or 0  # type: ignore[attr-defined]

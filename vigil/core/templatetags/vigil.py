from datetime import date

from django import template

from vigil.core import dates

register = template.Library()


@register.simple_tag
def precise_date(value: date | None, precision: str) -> str:
    return dates.describe(value, precision)

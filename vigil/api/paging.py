"""Cursor pagination: a page of rows and an opaque cursor for the next one.

The cursor holds the ordering value and id of the last row (keyset pagination), so
a page never skips or repeats rows when others are added meanwhile, and costs the
same however deep the reader goes.
"""

import base64
import json
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja.errors import HttpError

ORDERINGS = ["-updated_at", "updated_at", "-id", "id"]
MAX_LIMIT = 200


def _encode(value: Any, pk: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, field: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if field == "updated_at":
            value = datetime.fromisoformat(value)
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HttpError(400, _("The cursor is not one this API gave out.")) from error


def page(
    rows: QuerySet, *, ordering: str, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    if ordering not in ORDERINGS:
        raise HttpError(
            400, _("Order by one of: %(orderings)s") % {"orderings": ", ".join(ORDERINGS)}
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, _("The limit is from 1 to %(most)s.") % {"most": MAX_LIMIT})
    descending = ordering.startswith("-")
    field = ordering.lstrip("-")
    sign = "-" if descending else ""
    rows = (
        rows.order_by(f"{sign}{field}", f"{sign}pk")
        if field != "id"
        else rows.order_by(f"{sign}pk")
    )
    if cursor:
        value, pk = _decode(cursor, field)
        op = "lt" if descending else "gt"
        if field == "id":
            rows = rows.filter(**{f"pk__{op}": pk})
        else:
            rows = rows.filter(
                Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk})
            )
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], _encode(last.pk if field == "id" else getattr(last, field), last.pk)

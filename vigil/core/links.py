"""Links between records, within need-to-know.

A record may link to records of countries its reader does not cover: a Colombian
measure to a letter to Hungary, a case to an incident in Venezuela. Whoever reads
the record sees only the links to records they may open themselves (the access
functions of each app say which), and whoever saves it keeps the links they
cannot see: they neither learn of them nor remove them by saving what they see.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet


def visible(linked: QuerySet, reachable: QuerySet) -> QuerySet:
    """The records of `linked` that are also in `reachable` (what the reader may open)."""
    return linked.filter(pk__in=reachable.values("pk"))


def hidden(linked: QuerySet, reachable: QuerySet) -> QuerySet:
    """The records of `linked` the reader may not open."""
    return linked.exclude(pk__in=reachable.values("pk"))


def keeping_hidden(linked: QuerySet, reachable: QuerySet, chosen: Iterable[Any]) -> list[Any]:
    """What to link after an editor chose `chosen` among the records they may open:
    their choice, and every record already linked that they may not open.

    Threat: an editor who sees a filtered list and saves it would otherwise unlink,
    unknowingly or on purpose, records of countries they do not cover."""
    chosen = list(chosen)
    picked = {record.pk for record in chosen}
    return chosen + [record for record in hidden(linked, reachable) if record.pk not in picked]

"""Reads of State measures, for the desk and (later) the statistics."""

from typing import Any

from django.core.paginator import Paginator

from vigil.measures.access import measures_for_user

PAGE_SIZE = 50


def desk_list(user: Any, filters: dict[str, Any], page: Any) -> Any:
    measures = measures_for_user(user)
    for name in ("country", "kind", "effect", "status", "review"):
        if filters.get(name):
            measures = measures.filter(**{name: filters[name]})
    if filters.get("theme"):
        measures = measures.filter(theme_rows__theme=filters["theme"])
    measures = measures.prefetch_related("theme_rows").order_by("country", "-updated_at", "pk")
    return Paginator(measures, PAGE_SIZE).get_page(page)

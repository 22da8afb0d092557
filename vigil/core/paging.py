"""A list's pages when the list may be very long: the paginator counts the rows no
further than it needs to say "more than N" (`CappedPaginator`)."""

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

# A list counts its rows up to this many; past it, it says "more than 10,000" and
# offers the pages up to there: a filter finds the rest. Counting every case of a
# desk of a million took most of the list's time.
COUNT_UP_TO = 10_000


class CappedPaginator(Paginator):
    """Django's paginator, counting at most `cap` + 1 rows (one query that stops
    there); `capped` says whether there are more than `cap`."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_UP_TO if cap is None else cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

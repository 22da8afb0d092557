"""The statistics room's tasks: a recount asked for by a reader who was shown the
previous counts (freshness.py), and, every minute, the tallies settled (tally.py) and
a recount of what was read lately when the records have changed; run by a worker,
whose counts every web process then reads from the shared statistics cache."""

from typing import Any

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vigil.core import queue
from vigil.stats import freshness, tally, triggers


@db_task(
    retries=queue.RETRIES, retry_delay=queue.RETRY_DELAY, retry_backoff=queue.RETRY_BACKOFF,
    name="stats.recount",
)  # fmt: skip
def recount(user_pk: Any, criteria: dict[str, Any], names: list[str], digest: str) -> None:
    freshness.recount(user_pk, criteria, names, digest)


@db_periodic_task(crontab(minute="*"), name="stats.refresh")
def refresh() -> None:
    """Every minute, on the scheduling host: the tallies settled (so the first read
    after a large import finds little left to do), and exact counts of what was read
    lately ready before they are read again. Not retried: the next minute is the
    retry. First, any trigger gone missing is put back (triggers.py)."""
    triggers.ensure(connection)
    tally.settle()
    freshness.refresh()

"""The exchange room's tasks: an import from the desk (jobs.run), and the minute's
sweep that queues again the imports no worker holds any more (core/jobs.py)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vigil.core import queue
from vigil.exchange import jobs
from vigil.stats import tally

logger = logging.getLogger(__name__)


@db_task(
    retries=queue.RETRIES, retry_delay=queue.RETRY_DELAY, retry_backoff=queue.RETRY_BACKOFF,
    name="exchange.import",
)  # fmt: skip
def import_records(pk: str) -> None:
    jobs.run(pk)
    # The imported records counted into the statistics' tallies now, while nobody
    # waits, rather than left to the minute's settling (stats/tally.py).
    try:
        tally.settle()
    except Exception as error:  # the minute's settling will do it
        logger.error("settling after import %s failed: %s", pk, type(error).__name__)


@db_periodic_task(crontab(minute="*"), name="exchange.requeue_stalled")
def requeue_stalled_imports() -> None:
    jobs.requeue_stalled()

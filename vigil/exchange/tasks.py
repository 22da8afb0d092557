"""The exchange room's tasks: an import from the desk (jobs.run), and the minute's
sweep that queues again the imports no worker holds any more (core/jobs.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vigil.core import queue
from vigil.exchange import jobs


@db_task(
    retries=queue.RETRIES, retry_delay=queue.RETRY_DELAY, retry_backoff=queue.RETRY_BACKOFF,
    name="exchange.import",
)  # fmt: skip
def import_records(pk: str) -> None:
    jobs.run(pk)


@db_periodic_task(crontab(minute="*"), name="exchange.requeue_stalled")
def requeue_stalled_imports() -> None:
    jobs.requeue_stalled()

"""The reports room's tasks: a build (builds.run), and the minute's sweep that queues
again the builds no worker holds any more (core/jobs.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vigil.core import queue
from vigil.reports import builds


@db_task(
    retries=queue.RETRIES, retry_delay=queue.RETRY_DELAY, retry_backoff=queue.RETRY_BACKOFF,
    name="reports.build",
)  # fmt: skip
def build_report(pk: str) -> None:
    builds.run(pk)


@db_periodic_task(crontab(minute="*"), name="reports.requeue_stalled")
def requeue_stalled_builds() -> None:
    builds.requeue_stalled()

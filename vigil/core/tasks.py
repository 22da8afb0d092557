"""The schedule: what runs by itself, on the one host whose worker schedules
(`run_huey` without --no-periodic; see deploy/ and docs/architecture.md). Each
task is safe to run twice: deleting what is past its time and anchoring the audit
trail's head change nothing the second time."""

import io
import logging

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vigil.core import audit, queue

logger = logging.getLogger(__name__)


@db_periodic_task(
    crontab(minute="15", hour="3"), retries=queue.RETRIES, retry_delay=queue.RETRY_DELAY,
    retry_backoff=queue.RETRY_BACKOFF, name="core.purge_expired",
)  # fmt: skip
def purge_expired() -> None:
    """Daily: what Vigil keeps only for a while (the `purge_expired` command)."""
    said = io.StringIO()
    call_command("purge_expired", stdout=said)
    logger.info("purge_expired: %s", said.getvalue().strip())  # counts only


@db_periodic_task(
    crontab(minute="45", hour="3"), retries=queue.RETRIES, retry_delay=queue.RETRY_DELAY,
    retry_backoff=queue.RETRY_BACKOFF, name="core.anchor_audit",
)  # fmt: skip
def anchor_audit() -> None:
    """Daily: the audit trail's head, anchored outside the database."""
    try:
        audit.anchor_head(by="schedule")
    except audit.AnchorError:
        # A head that does not hold under the keys is never anchored: said loudly,
        # for verify_audit to explain.
        logger.error("the audit trail's head was not anchored: run verify_audit")

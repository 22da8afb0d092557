"""Reports built in the background from the desk, with their progress in the
database so that the page can poll it.

This is the one place where a report's background work starts: `request_build`
records the build and, once the request's transaction has committed, queues the
task `reports.tasks.build_report`, which a worker runs (`run`). The build's row is
the source of truth (core/jobs.py): a build whose worker died is queued again by the
scheduler, and a build is stored once however many workers tried it.
"""

import logging
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from vigil.core import audit, documents, jobs, queue, reading
from vigil.reports import registry
from vigil.reports.models import ReportBuild
from vigil.vault import files

logger = logging.getLogger(__name__)

STALLED_AFTER = jobs.STALLED_AFTER


def request_build(
    *, actor: Any, report: str, fmt: str, start: date, end: date, language: str
) -> ReportBuild:
    """Record the request and queue the build once the request's transaction has
    committed (the worker reads the row with its own connection)."""
    if report not in {kind.name for kind in registry.allowed(actor)}:
        raise PermissionError(report)
    build = ReportBuild.objects.create(
        report=report, fmt=fmt, starts_on=start, ends_on=end, language=language,
        requested_by=actor,
    )  # fmt: skip
    audit.record(
        actor=actor, action="reports.requested", obj=build,
        fields=[report, fmt, start.isoformat(), end.isoformat()],
    )  # fmt: skip
    transaction.on_commit(lambda: enqueue(build.pk))
    return build


def enqueue(pk: Any) -> None:
    from vigil.reports.tasks import build_report

    build_report(str(pk))


def run(pk: Any) -> None:
    """Build the report and store it, or record why not. Raises only what the queue
    should retry (a transient error); logs name the build, never its content."""
    with jobs.running(ReportBuild, pk) as held:
        if held is None:
            return  # built, failed, or in another worker's hands
        try:
            build = ReportBuild.objects.get(pk=pk)
            # The replica, once it holds every record committed before the build
            # began (the request's included); the row's progress goes to the primary.
            with translation.override(build.language), reading.from_replica():
                built = registry.build(
                    build.report, start=build.starts_on, end=build.ends_on, fmt=build.fmt,
                    progress=held.progress, language=build.language,
                )  # fmt: skip
            stored = files.save(built.content)
        except documents.DocumentsUnavailable:
            held.finish(state=ReportBuild.State.FAILED, failure="unavailable",
                        finished_at=timezone.now())  # fmt: skip
            return
        except Exception as error:
            if queue.transient(error):
                raise
            logger.error("report build %s failed: %s", pk, type(error).__name__)
            held.finish(state=ReportBuild.State.FAILED, failure="error", finished_at=timezone.now())
            return
        if not held.finish(
            state=ReportBuild.State.DONE, stored_name=stored.name, filename=built.filename,
            size=stored.size, finished_at=timezone.now(), done=held.total, total=held.total,
        ):  # fmt: skip
            files.delete(stored.name)  # another worker's copy is the one kept


def requeue_stalled() -> int:
    return jobs.requeue_stalled(ReportBuild, enqueue, {"failure": "error"})


RETENTION = timedelta(days=7)


def purge_expired(now: Any = None) -> int:
    """Delete the files of builds older than `RETENTION`: a report may name people,
    and a copy kept forever would outlive a withdrawn consent. The row stays, with
    no file, so the list still shows what was built."""
    cutoff = (now or timezone.now()) - RETENTION
    expired = ReportBuild.objects.filter(created_at__lt=cutoff).exclude(stored_name="")
    count = 0
    for build in expired:
        files.delete(build.stored_name)
        ReportBuild.objects.filter(pk=build.pk).update(
            stored_name="", state=ReportBuild.State.FAILED, failure="expired"
        )
        count += 1
    return count


def stalled(build: ReportBuild) -> bool:
    """Started (or waiting) but without progress for too long: its process stopped."""
    finished = build.state in {ReportBuild.State.DONE, ReportBuild.State.FAILED}
    return jobs.stalled(build, finished=finished)

"""Reports built in the background from the desk, with their progress in the
database so that the page can poll it.

This is the one place where a report's background work starts (`start_thread`):
today a thread of the web process that received the request, with its own
database connection (core/jobs.py); the task queue of the scale-out issue (16)
replaces that one function, and nothing else changes. Should the process stop
midway, the build stops being updated; after `STALLED_AFTER` without progress the
page says so, and the person can ask again.
"""

import logging
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from vigil.core import audit, documents, jobs
from vigil.reports import registry
from vigil.reports.models import ReportBuild
from vigil.vault import files

logger = logging.getLogger(__name__)

STALLED_AFTER = jobs.STALLED_AFTER


def request_build(
    *, actor: Any, report: str, fmt: str, start: date, end: date, language: str
) -> ReportBuild:
    """Record the request and start the build once the request's transaction has
    committed (the thread reads the row with its own connection)."""
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
    transaction.on_commit(lambda: start_thread(build.pk))
    return build


def start_thread(pk: Any) -> Any:
    return jobs.start_thread(run, pk, "report")


def run(pk: Any) -> None:
    """Build the report and store it, or record why not. Never raises: it is the end
    of a thread. Logs name the build, never its content."""
    try:
        jobs.retrying(
            lambda: ReportBuild.objects.filter(pk=pk).update(
                state=ReportBuild.State.RUNNING, updated_at=timezone.now()
            )
        )
        build = ReportBuild.objects.get(pk=pk)
        with translation.override(build.language):
            built = registry.build(
                build.report, start=build.starts_on, end=build.ends_on, fmt=build.fmt,
                progress=lambda total: jobs.Progress(ReportBuild, pk, total),
                language=build.language,
            )  # fmt: skip
        stored = files.save(built.content)
        jobs.retrying(
            lambda: ReportBuild.objects.filter(pk=pk).update(
                state=ReportBuild.State.DONE, stored_name=stored.name, filename=built.filename,
                size=stored.size, finished_at=timezone.now(),
            )
        )  # fmt: skip
    except documents.DocumentsUnavailable:
        _failed(pk, "unavailable")
    except Exception as error:  # noqa: BLE001 - the thread's last stand
        logger.error("report build %s failed: %s", pk, type(error).__name__)
        _failed(pk, "error")


def _failed(pk: Any, reason: str) -> None:
    jobs.retrying(
        lambda: ReportBuild.objects.filter(pk=pk).update(
            state=ReportBuild.State.FAILED, failure=reason, finished_at=timezone.now()
        )
    )


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

"""Imports from the desk, run by a worker of the task queue (exchange/tasks.py) so
that a large file does not hold a web request for minutes; the page polls the
progress. The job's row is the source of truth (core/jobs.py): the import and the
record of its outcome commit together, so an import whose worker died midway left
nothing and runs again, and one that finished is never imported twice."""

import json
import logging
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from vigil.core import audit, jobs, queue
from vigil.exchange import importer
from vigil.exchange.models import ImportJob
from vigil.vault import files

logger = logging.getLogger(__name__)

READERS = {"csv": importer.read_csv, "json": importer.read_json, "xlsx": importer.read_xlsx}


def request_import(
    *, actor: Any, content: bytes, suffix: str, skip_invalid: bool, language: str
) -> ImportJob:
    stored = files.save(content)
    job = ImportJob.objects.create(
        requested_by=actor, filename=f"upload.{suffix}", stored_name=stored.name,
        skip_invalid=skip_invalid, language=language,
    )  # fmt: skip
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(pk: Any) -> None:
    from vigil.exchange.tasks import import_records

    import_records(str(pk))


def _stopped() -> str:
    return _("The import stopped on an error; nothing was imported. Tell an administrator.")


def run(pk: Any) -> None:
    """Check and import the stored file, record the outcome, delete the file. Raises
    only what the queue should retry; logs name the job and the kind of error only."""
    with jobs.running(ImportJob, pk) as held:
        if held is None:
            return  # finished, or in another worker's hands
        job = ImportJob.objects.select_related("requested_by").get(pk=pk)
        outcome: dict[str, Any] = {"state": ImportJob.State.DONE, "stored_name": ""}
        try:
            with translation.override(job.language), transaction.atomic():
                # The problems in the reader's language; the records, their audit
                # entries and the outcome all commit, or none does.
                raw = READERS[job.filename.rsplit(".", 1)[1]](files.read(job.stored_name))
                report = importer.run(
                    job.requested_by, raw, skip_invalid=job.skip_invalid,
                    progress=held.progress,
                )  # fmt: skip
                outcome.update(
                    imported=report.imported, created=report.created, updated=report.updated,
                    unchanged=report.unchanged, rows=report.total, rejected=len(report.rejected),
                    problems=json.dumps(
                        [[p.label, p.row, p.column, p.reason] for p in report.problems]
                    ),
                    done=held.total, total=held.total,
                )  # fmt: skip
                if report.imported:
                    audit.record(
                        actor=job.requested_by, action="exchange.imported", obj=job,
                        fields=[f"created:{report.created}", f"updated:{report.updated}",
                                f"rejected:{len(report.rejected)}"],
                    )  # fmt: skip
                if not held.finish(**outcome):
                    raise jobs.ClaimLost
        except importer.FileError as error:
            outcome.update(state=ImportJob.State.FAILED, failure=str(error)[:300])
            held.finish(**outcome)
        except jobs.ClaimLost:
            raise
        except Exception as error:
            if queue.transient(error):
                raise
            logger.error("import %s failed: %s", pk, type(error).__name__)
            outcome.update(state=ImportJob.State.FAILED, failure=_stopped())
            held.finish(**outcome)
    # Finished here or elsewhere: the upload is kept no longer than its import.
    if ImportJob.objects.filter(pk=pk, stored_name="").exists():
        files.delete(job.stored_name)


def requeue_stalled() -> int:
    return jobs.requeue_stalled(ImportJob, enqueue, {"failure": _stopped()})

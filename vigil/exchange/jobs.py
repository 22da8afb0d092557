"""Imports from the desk, run in the background (core/jobs.py) so that a large file
does not hold a web request for minutes; the page polls the progress."""

import json
import logging
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from vigil.core import audit, jobs
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
    transaction.on_commit(lambda: jobs.start_thread(run, job.pk, "import"))
    return job


def run(pk: Any) -> None:
    """Check and import the stored file, record the outcome, delete the file. Never
    raises; logs name the job and the kind of error only."""
    job = ImportJob.objects.select_related("requested_by").get(pk=pk)
    jobs.retrying(lambda: ImportJob.objects.filter(pk=pk).update(state=ImportJob.State.RUNNING))
    outcome: dict[str, Any] = {"state": ImportJob.State.DONE}
    try:
        with translation.override(job.language):  # the problems in the reader's language
            raw = READERS[job.filename.rsplit(".", 1)[1]](files.read(job.stored_name))
            report = importer.run(
                job.requested_by, raw, skip_invalid=job.skip_invalid,
                progress=lambda total: jobs.Progress(ImportJob, pk, total),
            )  # fmt: skip
        outcome.update(
            imported=report.imported, created=report.created, updated=report.updated,
            unchanged=report.unchanged, rows=report.total, rejected=len(report.rejected),
            problems=json.dumps([[p.label, p.row, p.column, p.reason] for p in report.problems]),
        )  # fmt: skip
        if report.imported:
            audit.record(
                actor=job.requested_by, action="exchange.imported", obj=job,
                fields=[f"created:{report.created}", f"updated:{report.updated}",
                        f"rejected:{len(report.rejected)}"],
            )  # fmt: skip
    except importer.FileError as error:
        outcome.update(state=ImportJob.State.FAILED, failure=str(error)[:300])
    except Exception as error:  # noqa: BLE001 - the thread's last stand
        logger.error("import %s failed: %s", pk, type(error).__name__)
        outcome.update(
            state=ImportJob.State.FAILED,
            failure=_(
                "The import stopped on an error; nothing was imported. Tell an administrator."
            ),
        )
    finally:
        files.delete(job.stored_name)
    jobs.retrying(lambda: ImportJob.objects.filter(pk=pk).update(stored_name="", **outcome))

"""Submitting and reviewing activity reports; every step audited."""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vigil.activities.models import (
    LEVEL_FIELDS,
    ActivityCountry,
    ActivityFile,
    ActivityReport,
    ReviewState,
)
from vigil.cases.services import StaleRecord
from vigil.core import audit
from vigil.core import uploads as upload_policy
from vigil.core.permissions import Perm, has_perm
from vigil.vault import files

Upload = upload_policy.Upload
MAX_FILES = 10
# Who may change a report in each state: the stakeholder while it is theirs to fix.
EDITABLE = frozenset({ReviewState.SUBMITTED, ReviewState.RETURNED})


def _store(report: ActivityReport, uploads: list[Upload]) -> list[str]:
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            {"files": _("Attach at most %(count)s files.") % {"count": MAX_FILES}}
        )

    def record(name: str, _content_type: str, stored: Any) -> None:
        ActivityFile.objects.create(
            report=report, stored_name=stored.name, filename=name, size=stored.size,
            sha256=stored.sha256,
        )  # fmt: skip

    return upload_policy.store_all(uploads, max_bytes=settings.EVIDENCE_MAX_BYTES, record=record)


def _check_levels(report: ActivityReport) -> None:
    if not any(getattr(report, field) for field in LEVEL_FIELDS.values()):
        raise ValidationError({"levels": _("Choose at least one level.")})


def _set(report: ActivityReport, countries: Iterable[str] | None, paragraphs: Any) -> None:
    if countries is not None:
        report.country_rows.all().delete()
        ActivityCountry.objects.bulk_create(
            ActivityCountry(report=report, country=c) for c in dict.fromkeys(countries)
        )
    if paragraphs is not None:
        report.paragraphs.set(list(paragraphs))


@transaction.atomic
def report_submit(
    *, actor: Any, countries: Iterable[str], paragraphs: Any = (), uploads: list[Upload] = (),
    **fields: Any,
) -> ActivityReport:  # fmt: skip
    """A stakeholder reports an activity; it waits for the desk's review."""
    if not has_perm(actor, Perm.SUBMIT_ACTIVITY_REPORTS):
        raise PermissionDenied(_("Only stakeholder accounts submit activity reports."))
    countries = list(countries)
    if not countries:
        raise ValidationError({"countries": _("Name at least one country.")})
    report = ActivityReport(created_by=actor, submitted_by=actor, **fields)
    _check_levels(report)
    report.full_clean()
    report.save()
    _set(report, countries, paragraphs)
    written = _store(report, list(uploads))
    try:
        audit.record(
            actor=actor, action="activities.submitted", obj=report,
            fields=[*fields, "countries", "paragraphs", *(["files"] if written else [])],
        )  # fmt: skip
    except Exception:
        for name in written:
            files.delete(name)
        raise
    return report


@transaction.atomic
def report_update(
    *, actor: Any, report: ActivityReport, version: int, countries: Iterable[str] | None = None,
    paragraphs: Any = None, uploads: list[Upload] = (), **changes: Any,
) -> ActivityReport:  # fmt: skip
    """The stakeholder changes their report while it is waiting or returned; a
    returned report goes back for review."""
    current = ActivityReport.objects.select_for_update().get(pk=report.pk)
    if current.version != version:
        raise StaleRecord(current)
    if current.submitted_by_id != actor.pk:
        raise PermissionDenied(_("Only the stakeholder who submitted it changes a report."))
    if current.state not in EDITABLE:
        raise ValidationError(_("An accepted or rejected report can no longer be changed."))
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, changes[name])
    if current.state == ReviewState.RETURNED:
        current.state = ReviewState.SUBMITTED
        changed.append("state")
    if countries is not None and not list(countries):
        raise ValidationError({"countries": _("Name at least one country.")})
    _check_levels(current)
    current.full_clean()
    current.version += 1
    current.save()
    _set(current, countries, paragraphs)
    written = _store(current, list(uploads))
    try:
        audit.record(
            actor=actor, action="activities.changed", obj=current,
            fields=[*changed, *(["files"] if written else [])],
        )  # fmt: skip
    except Exception:
        for name in written:
            files.delete(name)
        raise
    return current


@transaction.atomic
def report_review(
    *, actor: Any, report: ActivityReport, version: int, decision: str, comment: str = ""
) -> ActivityReport:
    """Accept a report, return it with a comment for the stakeholder to fix, or reject it."""
    if not has_perm(actor, Perm.REVIEW_ACTIVITY_REPORTS):
        raise PermissionDenied(_("Only the desk reviews activity reports."))
    current = ActivityReport.objects.select_for_update().get(pk=report.pk)
    if current.version != version:
        raise StaleRecord(current)
    if current.state != ReviewState.SUBMITTED:
        raise ValidationError(_("Only a report waiting for review can be reviewed."))
    if decision not in {ReviewState.ACCEPTED, ReviewState.RETURNED, ReviewState.REJECTED}:
        raise ValidationError(_("Accept, return or reject the report."))
    if decision != ReviewState.ACCEPTED and not comment.strip():
        raise ValidationError({"comment": _("Tell the stakeholder why.")})
    current.state, current.review_comment, current.reviewed_by = decision, comment, actor
    current.version += 1
    current.save()
    audit.record(actor=actor, action=f"activities.{decision}", obj=current, fields=["state"])
    return current


def file_content(*, actor: Any, activity_file: ActivityFile) -> bytes:
    content = files.read(activity_file.stored_name)
    if hashlib.sha256(content).hexdigest() != activity_file.sha256:
        raise files.StoreError(f"activity file {activity_file.pk} does not match its SHA-256")
    audit.record(
        actor=actor, action="activities.file_downloaded", obj=activity_file.report,
        fields=["file"],
    )  # fmt: skip
    return content

"""What happens to a report: sent, read, answered, taken up or closed.

Reporter-side actions keep no trace of who or where the reporter is: the audit
entries they cause carry the day, not the time, and name the actor "anonymous".
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases import services as cases
from vigil.core import audit
from vigil.core import uploads as uploads_policy
from vigil.core.vocabularies import DatePrecision
from vigil.intake import passphrases
from vigil.intake.models import Submission, SubmissionFile, SubmissionMessage, SubmissionStatus
from vigil.vault import files


class _Reporter:
    """The actor of what a reporter does: recorded as "anonymous"."""

    is_authenticated = False


def _anonymous() -> Any:
    return _Reporter()


def new_form_token() -> str:
    """A one-time token for one copy of the form."""
    return secrets.token_urlsafe(32)


def _token_digest(form_token: str) -> str:
    # Only a hash of the token is stored: the token itself stays in the reporter's
    # page, and with it the way to recompute their receipt code.
    return hashlib.sha256(form_token.encode()).hexdigest()


def receipt_code_for(form_token: str) -> str:
    """The receipt code that belongs to a form token (the same every time).

    Derived, not stored: if the form is sent twice and only the second answer
    reaches the reporter, it shows the same code as the first.
    """
    words = passphrases.word_list()
    stream = b""
    counter = 0
    chosen: list[str] = []
    while len(chosen) < passphrases.WORDS:
        if len(stream) < 2:
            stream += hmac.new(
                settings.SECRET_KEY.encode(),
                f"receipt\x00{counter}\x00{form_token}".encode(),
                hashlib.sha256,
            ).digest()
            counter += 1
        value, stream = int.from_bytes(stream[:2], "big"), stream[2:]
        if value < len(words) * (65536 // len(words)):  # no bias towards early words
            chosen.append(words[value % len(words)])
    return " ".join(chosen)


Upload = uploads_policy.Upload


def _store_files(submission: Submission, uploads: list[Upload]) -> list[str]:
    """Check, encrypt and durably write the files, and record them. Returns the
    stored names, so that the caller can remove them if the transaction fails."""
    if len(uploads) > settings.INTAKE_MAX_FILES:
        raise ValidationError(
            {"files": _("Attach at most %(count)s files.") % {"count": settings.INTAKE_MAX_FILES}}
        )

    def record(name: str, content_type: str, stored: Any) -> None:
        SubmissionFile.objects.create(
            submission=submission,
            stored_name=stored.name,
            filename=name,
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
            received_on=timezone.localdate(),
        )

    return uploads_policy.store_all(
        uploads, max_bytes=settings.INTAKE_MAX_FILE_BYTES, record=record
    )


@dataclass(frozen=True)
class Receipt:
    submission: Submission
    code: str
    repeated: bool  # the form had already been sent


def submission_create(
    *,
    form_token: str,
    language: str,
    uploads: list[Upload] = (),
    held_as_flood: bool = False,
    **fields: Any,
) -> Receipt:
    """Store a report (and its files) and return its receipt code.

    The files are flushed to disk and the report committed before this returns,
    so a receipt shown to the reporter always opens a report that exists, with
    its files. Sending the same form again returns the same receipt and stores
    nothing new. `held_as_flood` keeps a report sent over its client's limit out of
    the triage queue, so that a flood of junk does not bury genuine reports (and is
    not refused either, since a genuine reporter may share the flooder's address).
    """
    if len(form_token) < 32:
        raise ValidationError(_("This form has expired. Please fill it in again."))
    token_digest = _token_digest(form_token)
    code = receipt_code_for(form_token)
    existing = Submission.objects.filter(form_token=token_digest).first()
    if existing is not None:
        return Receipt(submission=existing, code=code, repeated=True)
    submission = Submission(
        form_token=token_digest,
        receipt_digest=passphrases.digest(code),
        language=language,
        received_on=timezone.localdate(),
        held_as_flood=held_as_flood,
        **fields,
    )
    submission.full_clean(exclude=["form_token", "receipt_digest"])
    written: list[str] = []
    try:
        with transaction.atomic():
            submission.save()
            written = _store_files(submission, list(uploads))
            audit.record(
                actor=_anonymous(),
                action="intake.submission_received",
                obj=submission,
                fields=[name for name, value in fields.items() if value],
                day_only=True,
            )
    except IntegrityError:
        # The same form, sent twice at the same moment: the other one won.
        for stored_name in written:
            files.delete(stored_name)
        existing = Submission.objects.get(form_token=token_digest)
        return Receipt(submission=existing, code=code, repeated=True)
    return Receipt(submission=submission, code=code, repeated=False)


def attachment_content(*, actor: Any, attachment: SubmissionFile) -> bytes:
    """A reporter's file, for the desk; the reading is audited."""
    content = files.read(attachment.stored_name)
    audit.record(actor=actor, action="intake.file_downloaded", obj=attachment, fields=["file"])
    return content


def submission_for_code(code: str) -> Submission | None:
    """The report a receipt code opens, or None (the caller says nothing more)."""
    if not passphrases.normalise(code):
        return None
    return Submission.objects.filter(receipt_digest=passphrases.digest(code)).first()


def reporter_reply(
    *, submission: Submission, text: str, uploads: list[Upload] = ()
) -> SubmissionMessage | None:
    """A message and/or more files from the reporter."""
    if not text.strip() and not uploads:
        raise ValidationError({"text": _("The message is empty.")})
    written: list[str] = []
    try:
        with transaction.atomic():
            written = _store_files(submission, list(uploads))
            message = None
            if text.strip():
                message = SubmissionMessage.objects.create(
                    submission=submission, from_desk=False, text=text, sent_on=timezone.localdate()
                )
            audit.record(
                actor=_anonymous(),
                action="intake.reporter_replied",
                obj=submission,
                fields=["messages"] * bool(message) + ["files"] * bool(uploads),
                day_only=True,
            )
    except Exception:
        for stored_name in written:
            files.delete(stored_name)
        raise
    return message


# --- The desk's side ------------------------------------------------------------------


@transaction.atomic
def submission_read(*, actor: Any, submission: Submission) -> None:
    """Opening a report is audited; the first opening puts it under review."""
    audit.record(actor=actor, action="intake.submission_viewed", obj=submission)
    if submission.status == SubmissionStatus.RECEIVED:
        submission.status = SubmissionStatus.UNDER_REVIEW
        submission.save(update_fields=["status"])


@transaction.atomic
def desk_message(*, actor: Any, submission: Submission, text: str) -> SubmissionMessage:
    """Write to the reporter; they read it on their follow-up page."""
    if not text.strip():
        raise ValidationError({"text": _("The message is empty.")})
    message = SubmissionMessage.objects.create(
        submission=submission, from_desk=True, author=actor, text=text, sent_on=timezone.localdate()
    )
    audit.record(actor=actor, action="intake.desk_messaged", obj=submission, fields=["messages"])
    return message


@transaction.atomic
def submission_close(*, actor: Any, submission: Submission, reason: str) -> Submission:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is closed.")})
    submission.status = SubmissionStatus.CLOSED
    submission.closed_reason = reason
    submission.closed_on = timezone.localdate()
    submission.save(update_fields=["status", "closed_reason", "closed_on"])
    audit.record(actor=actor, action="intake.submission_closed", obj=submission, fields=["status"])
    return submission


@transaction.atomic
def held_close_all(*, actor: Any, submissions: Any) -> int:
    """Close, as a flood, every open report of `submissions` (the held reports the
    actor may triage), each audited as any closure: a flood of junk is cleared in one
    step instead of one report at a time. Returns how many were closed."""
    reason = _("Closed with the other reports held apart as a suspected flood.")
    closed = 0
    for submission in submissions.filter(held_as_flood=True).exclude(
        status__in=[SubmissionStatus.CLOSED, SubmissionStatus.TAKEN_UP]
    ):
        submission_close(actor=actor, submission=submission, reason=reason)
        closed += 1
    return closed


@transaction.atomic
def submission_to_case(*, actor: Any, submission: Submission, title: str, case: Any = None) -> Any:
    """Open a case from a report (or add it to `case`), carrying over what the
    reporter said.

    The report's text becomes the narrative of an incident, dated the day it
    arrived as an estimate (the reporter's own words about when are kept in the
    narrative); its files become that incident's evidence. The officer corrects
    the details as they document the case.
    """
    if submission.case_id:
        raise ValidationError(_("This report has already been taken up."))
    if case is None:
        case = cases.case_create(actor=actor, title=title, country=submission.country)
    narrative_parts = [submission.what_happened]
    for label, value in (
        (_("Who was targeted"), submission.targeted),
        (_("When"), submission.when),
        (_("Who did it"), submission.perpetrators),
    ):
        if value:
            narrative_parts.append(f"{label}: {value}")
    incident = cases.incident_create(
        actor=actor,
        case=case,
        title=title,
        narrative="\n\n".join(narrative_parts),
        start_date=submission.received_on,
        start_precision=DatePrecision.ESTIMATED,
        country=submission.country,
        place=submission.where,
    )
    for attachment in submission.files.all():
        cases.evidence_add(
            actor=actor,
            incident=incident,
            content=files.read(attachment.stored_name),
            filename=attachment.filename,
            description=_("Sent with the report"),
        )
    submission.case = case
    submission.status = SubmissionStatus.TAKEN_UP
    submission.save(update_fields=["case", "status"])
    audit.record(
        actor=actor, action="intake.submission_taken_up", obj=submission, fields=["case", "status"]
    )
    return case


def purge_expired(*, today: Any = None) -> int:
    """Delete the reports closed without becoming a case more than
    `INTAKE_RETENTION_DAYS` ago, with their messages and files (from the store too).
    What the desk kept of them is gone; the audit trail keeps only that one was
    deleted, by number."""
    from datetime import timedelta

    from django.conf import settings

    from vigil.vault import files

    cutoff = (today or timezone.localdate()) - timedelta(days=settings.INTAKE_RETENTION_DAYS)
    expired = Submission.objects.filter(
        status=SubmissionStatus.CLOSED, case__isnull=True, closed_on__lt=cutoff
    )
    count = 0
    for submission in expired.prefetch_related("files"):
        names = [f.stored_name for f in submission.files.all()]
        with transaction.atomic():
            audit.record(actor=None, action="intake.submission_purged", obj=submission)
            submission.delete()
        for name in names:  # after the commit: a rolled-back delete keeps its files
            files.delete(name)
        count += 1
    return count

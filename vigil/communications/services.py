"""The communication workflow: every step checked, refused when it makes no sense,
and audited."""

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.services import StaleRecord
from vigil.communications import letters
from vigil.communications.models import (
    Addressee,
    AddresseeKind,
    Communication,
    CommunicationTheme,
    CountryVisit,
    ReferenceCounter,
    Reply,
    ReplyFile,
    Status,
)
from vigil.core import audit
from vigil.core import uploads as upload_policy
from vigil.core.permissions import Perm, has_perm
from vigil.vault import files, search

REPLY_DAYS = 60  # the usual time a State or company is given to reply
CONFIDENTIAL_DAYS = 60  # a communication stays confidential this long after sending

# Which step may follow which. Anything else is refused.
NEXT: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.APPROVED, Status.DRAFT}),  # approved, or sent back
    Status.APPROVED: frozenset({Status.SENT, Status.DRAFT}),
    Status.SENT: frozenset({Status.REPLIED, Status.NO_REPLY}),
    Status.REPLIED: frozenset({Status.FOLLOW_UP, Status.CLOSED}),
    Status.NO_REPLY: frozenset({Status.REPLIED, Status.FOLLOW_UP, Status.CLOSED}),
    Status.FOLLOW_UP: frozenset({Status.REPLIED, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# Steps that need a coordinator, not merely someone who drafts.
NEEDS_APPROVER = frozenset({Status.APPROVED, Status.SENT})
# A letter that was sent (whatever happened next) may be published and followed up.
WAS_SENT = frozenset(
    {Status.SENT, Status.REPLIED, Status.NO_REPLY, Status.FOLLOW_UP, Status.CLOSED}
)
SEARCH_KIND = "communications.published"  # the public search index (published text only)


def _set_addressees(communication: Communication, addressees: list[dict[str, Any]]) -> None:
    if not addressees:
        raise ValidationError({"addressees": _("Name at least one addressee.")})
    communication.addressees.all().delete()
    for position, fields in enumerate(addressees):
        addressee = Addressee(communication=communication, position=position, **fields)
        addressee.full_clean()
        if addressee.kind == AddresseeKind.STATE and not addressee.country:
            raise ValidationError({"addressees": _("A State addressee needs its country.")})
        if addressee.kind != AddresseeKind.STATE and not addressee.name:
            raise ValidationError({"addressees": _("Name the company or other actor.")})
        addressee.save()


def _set_themes(communication: Communication, themes: Iterable[str]) -> None:
    communication.theme_rows.all().delete()
    CommunicationTheme.objects.bulk_create(
        CommunicationTheme(communication=communication, theme=theme)
        for theme in dict.fromkeys(themes)
    )


@transaction.atomic
def communication_create(
    *, actor: Any, kind: str, summary: str, addressees: list[dict[str, Any]], cases: Any = (),
    body: str = "", joint: bool = False, other_mandates: str = "", questions: str = "",
    themes: Iterable[str] = (), follow_up_to: Communication | None = None,
    paragraphs: Any = (),
) -> Communication:  # fmt: skip
    """Draft a communication to one or more addressees (the first gives the reference)."""
    if not addressees:
        raise ValidationError({"addressees": _("Name at least one addressee.")})
    communication = Communication(
        created_by=actor, kind=kind, summary=summary, body=body, joint=joint,
        other_mandates=other_mandates, questions=questions, follow_up_to=follow_up_to,
    )  # fmt: skip
    communication.full_clean()
    communication.save()
    _set_addressees(communication, addressees)
    _set_themes(communication, themes)
    communication.cases.set(list(cases))
    communication.paragraphs.set(list(paragraphs))
    audit.record(
        actor=actor,
        action="communications.drafted",
        obj=communication,
        fields=[
            "kind", "summary", "body", "questions", "addressees", "cases", "themes", "paragraphs",
        ],
    )  # fmt: skip
    return communication


EDITABLE = frozenset({Status.DRAFT})


@transaction.atomic
def communication_update(
    *, actor: Any, communication: Communication, version: int,
    addressees: list[dict[str, Any]] | None = None, cases: Any = None,
    themes: Iterable[str] | None = None, paragraphs: Any = None, **changes: Any,
) -> Communication:  # fmt: skip
    """Change a draft. Once submitted, a letter changes only by being sent back."""
    current = Communication.objects.select_for_update().get(pk=communication.pk)
    if current.version != version:
        raise StaleRecord(current)
    if current.status not in EDITABLE:
        raise ValidationError(_("Only a draft can be changed. Send it back to draft first."))
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, changes[name])
    current.full_clean()
    current.version += 1
    current.save()
    if addressees is not None:
        _set_addressees(current, addressees)
        changed.append("addressees")
    if themes is not None:
        _set_themes(current, themes)
        changed.append("themes")
    if cases is not None:
        current.cases.set(list(cases))
        changed.append("cases")
    if paragraphs is not None:
        current.paragraphs.set(list(paragraphs))
        changed.append("paragraphs")
    audit.record(actor=actor, action="communications.changed", obj=current, fields=changed)
    return current


def _reference(communication: Communication, year: int) -> str:
    first = communication.addressees.order_by("position", "pk").first()
    country = first.country if first and first.country else "OTH"
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        country=country, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{communication.kind} {country} {counter.last}/{year}"


@transaction.atomic
def communication_move(
    *, actor: Any, communication: Communication, to: str, version: int, on: date | None = None
) -> Communication:
    """Take the communication to its next step, if that step may follow this one.

    Sending gives it its reference, its reply deadline and its confidentiality
    date (both 60 days by default).
    """
    current = Communication.objects.select_for_update().get(pk=communication.pk)
    if current.version != version:
        raise StaleRecord(current)
    target = Status(to)
    if target not in NEXT[Status(current.status)]:
        raise ValidationError(
            _("A communication that is %(now)s cannot become %(next)s.")
            % {"now": current.get_status_display(), "next": target.label}
        )
    if target in NEEDS_APPROVER and not has_perm(actor, Perm.APPROVE_COMMUNICATIONS):
        raise PermissionDenied(_("Only a coordinator approves and sends communications."))
    today = on or timezone.localdate()
    if target == Status.NO_REPLY and current.reply_due and today <= current.reply_due:
        raise ValidationError(
            _("The reply is not yet overdue: the deadline is %(due)s.")
            % {"due": current.reply_due.isoformat()}
        )
    fields = ["status"]
    if target == Status.SENT:
        sent = on or timezone.localdate()
        current.sent_on = sent
        current.reply_due = sent + timedelta(days=REPLY_DAYS)
        current.confidential_until = sent + timedelta(days=CONFIDENTIAL_DAYS)
        current.reference = _reference(current, sent.year)
        fields += ["sent_on", "reply_due", "confidential_until", "reference"]
    current.status = target
    current.version += 1
    current.save()
    audit.record(actor=actor, action=f"communications.{target.value}", obj=current, fields=fields)
    original = current.follow_up_to
    if target == Status.SENT and original and Status.FOLLOW_UP in NEXT[Status(original.status)]:
        communication_move(
            actor=actor, communication=original, to=Status.FOLLOW_UP, version=original.version
        )
    return current


@transaction.atomic
def follow_up_draft(*, actor: Any, communication: Communication) -> Communication:
    """Draft a follow-up letter to a letter that was sent: same addressees, cases and
    themes. Sending it puts the first letter in "follow-up"."""
    if communication.status not in WAS_SENT or communication.status == Status.CLOSED:
        raise ValidationError(
            _("Only a letter that was sent, and is not closed, can be followed up.")
        )
    return communication_create(
        actor=actor,
        kind=communication.kind,
        summary=_("Follow-up to %(ref)s: %(summary)s")
        % {"ref": communication.reference, "summary": communication.summary},
        addressees=list(communication.addressees.values("kind", "country", "name", "sector")),
        cases=list(communication.cases.all()),
        themes=[row.theme for row in communication.theme_rows.all()],
        paragraphs=list(communication.paragraphs.all()),
        joint=communication.joint,
        other_mandates=communication.other_mandates,
        follow_up_to=communication,
    )


def may_publish(communication: Communication, on: date | None = None) -> bool:
    today = on or timezone.localdate()
    return (
        communication.status in WAS_SENT
        and communication.published_on is None
        and communication.confidential_until is not None
        and today > communication.confidential_until
    )


@transaction.atomic
def communication_publish(
    *, actor: Any, communication: Communication, version: int, on: date | None = None
) -> Communication:
    """Publish a sent letter once its confidentiality has lapsed, with its replies or
    the fact that none came. Only the public text is indexed for the public search."""
    if not has_perm(actor, Perm.PUBLISH):
        raise PermissionDenied(_("Only a coordinator publishes communications."))
    current = Communication.objects.select_for_update().get(pk=communication.pk)
    if current.version != version:
        raise StaleRecord(current)
    today = on or timezone.localdate()
    if current.published_on is not None:
        raise ValidationError(_("This communication is already published."))
    if current.status not in WAS_SENT:
        raise ValidationError(_("Only a communication that was sent can be published."))
    if current.confidential_until and today <= current.confidential_until:
        raise ValidationError(
            _("This communication stays confidential until %(date)s.")
            % {"date": current.confidential_until.isoformat()}
        )
    current.published_on = today
    current.version += 1
    current.save()
    index_published(current)
    audit.record(
        actor=actor, action="communications.published", obj=current, fields=["published_on"]
    )
    return current


def reindex_for_defender(defender: Any) -> None:
    """A defender's name, other names or consent changed: rebuild the public search
    entries of the published letters that may mention them, so that a name whose
    consent was withdrawn stops finding the letter."""
    from django.db.models import Q

    affected = Communication.objects.filter(published_on__isnull=False).filter(
        Q(cases__defenders=defender)
        | Q(cases__defenders__relations__relative=defender)
        | Q(cases__incidents__acts__victim=defender)
    )
    for communication in affected.distinct():
        index_published(communication)


def rebuild_index() -> None:
    """Every published letter indexed again (`vault.index.rebuild`)."""
    letters_published = Communication.objects.filter(published_on__isnull=False)
    search.replace_all(
        kind=SEARCH_KIND,
        entries=((c.pk, _published_texts(c)) for c in letters_published),
    )


def _published_texts(communication: Communication) -> list[str]:
    letter = letters.build(communication, public=True, language="en")
    return [
        communication.reference,
        letters.public_summary(communication),
        letter.text(),
        *(a.name for a in communication.addressees.all()),
    ]


def index_published(communication: Communication) -> None:
    """Index the words of what the public may read, never of the confidential text."""
    search.index(
        kind=SEARCH_KIND, object_id=communication.pk, texts=_published_texts(communication)
    )


Upload = upload_policy.Upload


def _store_reply_files(reply: Reply, uploads: list[Upload]) -> list[str]:
    """A reply comes from outside: each file is checked by its content."""

    def record(name: str, _content_type: str, stored: Any) -> None:
        ReplyFile.objects.create(
            reply=reply, stored_name=stored.name, filename=name, size=stored.size,
            sha256=stored.sha256,
        )  # fmt: skip

    return upload_policy.store_all(uploads, max_bytes=settings.EVIDENCE_MAX_BYTES, record=record)


def reply_file_content(*, actor: Any, reply_file: ReplyFile) -> bytes:
    """The file's content, checked against its SHA-256; the reading is audited."""
    content = files.read(reply_file.stored_name)
    if hashlib.sha256(content).hexdigest() != reply_file.sha256:
        raise files.StoreError(f"reply file {reply_file.pk} does not match its SHA-256")
    audit.record(
        actor=actor, action="communications.reply_file_downloaded", obj=reply_file, fields=["file"]
    )
    return content


@transaction.atomic
def reply_log(
    *, actor: Any, communication: Communication, received_on: date, sender: str, kind: str,
    assessment: str = "", uploads: list[Upload] = (),  # type: ignore[assignment]
) -> Reply:  # fmt: skip
    """Log a reply with its files; the communication becomes "reply received"."""
    if communication.sent_on is None:
        raise ValidationError(_("A reply can only come to a communication that was sent."))
    if received_on < communication.sent_on:
        raise ValidationError({"received_on": _("The reply cannot come before the letter.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("This date is in the future.")})
    reply = Reply(
        created_by=actor, communication=communication, received_on=received_on, sender=sender,
        kind=kind, assessment=assessment,
    )  # fmt: skip
    reply.full_clean()
    reply.save()
    written = _store_reply_files(reply, list(uploads))
    try:
        audit.record(
            actor=actor, action="communications.reply_logged", obj=reply,
            fields=["kind", "sender", "assessment", *(["files"] if written else [])],
        )  # fmt: skip
        if communication.status in {Status.SENT, Status.NO_REPLY, Status.FOLLOW_UP}:
            communication_move(
                actor=actor, communication=communication, to=Status.REPLIED,
                version=Communication.objects.get(pk=communication.pk).version,
            )  # fmt: skip
    except Exception:
        for stored_name in written:
            files.delete(stored_name)
        raise
    return reply


@transaction.atomic
def visit_record(
    *, actor: Any, visit: CountryVisit | None = None, version: int | None = None, **fields: Any
) -> CountryVisit:
    """Record a country visit, or change one (its request, status, dates, report)
    from the `version` the person opened."""
    if visit is None:
        visit = CountryVisit(created_by=actor, **fields)
        action, changed = "communications.visit_recorded", list(fields)
    else:
        visit = CountryVisit.objects.select_for_update().get(pk=visit.pk)
        if version is not None and visit.version != version:
            raise StaleRecord(visit)
        changed = [name for name, value in fields.items() if getattr(visit, name) != value]
        for name in changed:
            setattr(visit, name, fields[name])
        visit.version += 1
        action = "communications.visit_changed"
    visit.full_clean()
    visit.save()
    audit.record(actor=actor, action=action, obj=visit, fields=changed)
    return visit

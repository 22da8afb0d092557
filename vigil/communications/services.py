"""The communication workflow: every step checked, refused when it makes no sense,
and audited."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.services import StaleRecord
from vigil.communications.models import (
    Addressee,
    AddresseeKind,
    Communication,
    CountryVisit,
    ReferenceCounter,
    Reply,
    Status,
)
from vigil.core import audit
from vigil.core.permissions import Perm, has_perm

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


@transaction.atomic
def communication_create(
    *, actor: Any, kind: str, summary: str, addressees: list[dict[str, Any]], cases: Any = (),
    body: str = "", joint: bool = False, other_mandates: str = "",
) -> Communication:  # fmt: skip
    """Draft a communication to one or more addressees (the first gives the reference)."""
    if not addressees:
        raise ValidationError({"addressees": _("Name at least one addressee.")})
    communication = Communication(
        created_by=actor, kind=kind, summary=summary, body=body, joint=joint,
        other_mandates=other_mandates,
    )  # fmt: skip
    communication.full_clean()
    communication.save()
    for position, fields in enumerate(addressees):
        addressee = Addressee(communication=communication, position=position, **fields)
        addressee.full_clean()
        if addressee.kind == AddresseeKind.STATE and not addressee.country:
            raise ValidationError({"addressees": _("A State addressee needs its country.")})
        if addressee.kind != AddresseeKind.STATE and not addressee.name:
            raise ValidationError({"addressees": _("Name the company or other actor.")})
        addressee.save()
    communication.cases.set(list(cases))
    audit.record(
        actor=actor,
        action="communications.drafted",
        obj=communication,
        fields=["kind", "summary", "body", "addressees", "cases"],
    )
    return communication


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
    return current


@transaction.atomic
def reply_log(
    *, actor: Any, communication: Communication, received_on: date, sender: str, kind: str,
    assessment: str = "",
) -> Reply:  # fmt: skip
    """Log a reply; the communication becomes "reply received"."""
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
    audit.record(actor=actor, action="communications.reply_logged", obj=reply, fields=["kind"])
    if communication.status in {Status.SENT, Status.NO_REPLY, Status.FOLLOW_UP}:
        communication_move(
            actor=actor, communication=communication, to=Status.REPLIED,
            version=Communication.objects.get(pk=communication.pk).version,
        )  # fmt: skip
    return reply


@transaction.atomic
def visit_record(*, actor: Any, visit: CountryVisit | None = None, **fields: Any) -> CountryVisit:
    """Record a country visit, or change one (its request, status, dates, report)."""
    if visit is None:
        visit = CountryVisit(created_by=actor, **fields)
        action, changed = "communications.visit_recorded", list(fields)
    else:
        changed = [name for name, value in fields.items() if getattr(visit, name) != value]
        for name in changed:
            setattr(visit, name, fields[name])
        visit.version += 1
        action = "communications.visit_changed"
    visit.full_clean()
    visit.save()
    audit.record(actor=actor, action=action, obj=visit, fields=changed)
    return visit

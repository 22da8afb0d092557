"""The communications report for a period, like the one presented to each session
of the Human Rights Council: the letters sent between two dates, the replies
received between two dates, and the totals.

The report may be made public, so it is written for the public: names follow the
consent to publish (`consent.PUBLIC`), whether or not a letter is published yet.
Letters still confidential on the day the report is built are counted on its
first page, with the date before which the report must not be made public.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vigil.communications import letters
from vigil.communications.models import AddresseeKind, Communication, CommunicationType, Reply
from vigil.core.vocabularies import country_name
from vigil.reports import pipeline
from vigil.stats.charts import Chart


def _date(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


@dataclass
class ReplyLine:
    reference: str
    received_on: date
    sender: str
    kind: str
    in_time: bool

    def text(self) -> str:
        text = _("%(kind)s reply from %(sender)s, received %(date)s") % {
            "kind": self.kind,
            "sender": self.sender,
            "date": _date(self.received_on),
        }
        return text if self.in_time else text + " " + _("(after the deadline)")


@dataclass
class LetterLine:
    reference: str
    kind: str
    sent_on: date
    addressees: list[str]
    summary: str
    mandates: list[str]
    replies: list[ReplyLine] = field(default_factory=list)


@dataclass
class Report:
    sent_from: date
    sent_to: date
    replies_from: date
    replies_to: date
    generated_at: datetime
    letters: list[LetterLine]
    replies: list[ReplyLine]
    by_kind: list[tuple[str, int]]
    by_addressee: list[tuple[str, int]]
    answered: int
    confidential: int
    confidential_until: date | None

    @property
    def notice(self) -> str:
        """Said on the first page when some letters are still confidential."""
        if not self.confidential or self.confidential_until is None:
            return ""
        return _(
            "%(count)s of these letters are still confidential: do not make this report "
            "public before %(date)s."
        ) % {"count": self.confidential, "date": _date(self.confidential_until)}

    @property
    def chart(self) -> Chart:
        labels, values = zip(*self.by_kind, strict=True) if self.by_kind else ((), ())
        return Chart(_("Letters by type"), list(labels), list(values))

    @property
    def title(self) -> str:
        return _("Communications report: letters sent from %(start)s to %(end)s") % {
            "start": date_format(self.sent_from, "DATE_FORMAT"),
            "end": date_format(self.sent_to, "DATE_FORMAT"),
        }


def _addressee_label(addressee: Any) -> str:
    if addressee.kind == AddresseeKind.STATE:
        return country_name(addressee.country)
    if addressee.country:
        return f"{addressee.name} ({country_name(addressee.country)})"
    return addressee.name


def _reply_line(reply: Reply, reference: str, withhold: Any) -> ReplyLine:
    return ReplyLine(
        reference=reference,
        received_on=reply.received_on,
        sender=withhold(reply.sender),
        kind=str(reply.get_kind_display()),
        in_time=reply.within_deadline,
    )


def build(
    *, sent_from: date, sent_to: date, replies_from: date | None = None,
    replies_to: date | None = None, progress: Any = None,
) -> Report:  # fmt: skip
    replies_from = replies_from or sent_from
    replies_to = replies_to or sent_to
    sent = list(
        Communication.objects.filter(sent_on__gte=sent_from, sent_on__lte=sent_to)
        .prefetch_related("addressees", "replies")
        .order_by("sent_on", "reference")
    )
    bar = progress(len(sent)) if progress else None
    lines = []
    today = timezone.localdate()
    still_confidential = [c for c in sent if c.confidential_until and c.confidential_until >= today]
    for communication in sent:
        withhold = letters.public_withholder(communication)
        lines.append(
            LetterLine(
                reference=communication.reference,
                kind=str(communication.get_kind_display()),
                sent_on=communication.sent_on,
                addressees=[_addressee_label(a) for a in communication.addressees.all()],
                summary=withhold(communication.summary),
                mandates=[withhold(m) for m in letters.mandates(communication)],
                replies=[
                    _reply_line(r, communication.reference, withhold)
                    for r in communication.replies.all()
                ],
            )
        )
        if bar:
            bar.advance()
    replies = [
        _reply_line(
            reply, reply.communication.reference, letters.public_withholder(reply.communication)
        )
        for reply in Reply.objects.filter(
            received_on__gte=replies_from, received_on__lte=replies_to
        )
        .select_related("communication")
        .order_by("received_on", "pk")
    ]
    kinds = Counter(c.kind for c in sent)
    addressed = Counter(a.kind for c in sent for a in c.addressees.all())
    if bar:
        bar.finish()
    return Report(
        sent_from=sent_from,
        sent_to=sent_to,
        replies_from=replies_from,
        replies_to=replies_to,
        generated_at=timezone.now(),
        letters=lines,
        replies=replies,
        by_kind=[(str(t.label), kinds.get(t.value, 0)) for t in CommunicationType],
        by_addressee=[(str(k.label), addressed.get(k.value, 0)) for k in AddresseeKind],
        answered=sum(1 for c in sent if c.replies.all()),
        confidential=len(still_confidential),
        confidential_until=max((c.confidential_until for c in still_confidential), default=None),
    )


def as_composed(report: Report) -> pipeline.Composed:
    """The report as the pipeline renders it: the summary, each letter with its
    replies, then the replies received in their own period."""
    replies_period = {"start": _date(report.replies_from), "end": _date(report.replies_to)}
    composed = pipeline.Composed(
        title=report.title,
        generated_at=report.generated_at,
        reference=_("Communications report"),
        meta=[_("Replies received from %(start)s to %(end)s.") % replies_period],
        notice=report.notice,
    )
    summary = composed.section(_("Summary"))
    summary.chart(report.chart)
    summary.table(
        [_("Letters"), _("Number")],
        [[label, count] for label, count in [*report.by_kind, *report.by_addressee]]
        + [[_("Letters answered"), report.answered]],
    )
    sent = composed.section(_("Communications sent"))
    if not report.letters:
        sent.text(_("No communication was sent in this period."))
    for line in report.letters:
        letter = composed.section(
            f"{line.reference} · {line.kind} · {_date(line.sent_on)}", level=3, together=True
        )
        letter.text(_("Addressed to: %(to)s") % {"to": "; ".join(line.addressees)}, meta=True)
        if line.mandates:
            letter.text(_("Jointly with: %(who)s") % {"who": "; ".join(line.mandates)}, meta=True)
        letter.text(line.summary)
        letter.points([reply.text() for reply in line.replies])
        if not line.replies:
            letter.text(_("No reply received."))
    received = composed.section(_("Replies received from %(start)s to %(end)s") % replies_period)
    received.points([f"{reply.reference}: {reply.text()}" for reply in report.replies])
    if not report.replies:
        received.text(_("None."))
    return composed


def compose(
    *, start: date, end: date, progress: Any = None, replies_from: date | None = None,
    replies_to: date | None = None, **options: Any,
) -> pipeline.Composed:  # fmt: skip
    """The letters sent in the period and the replies received in theirs (by
    default the same period)."""
    return as_composed(
        build(
            sent_from=start,
            sent_to=end,
            replies_from=replies_from,
            replies_to=replies_to,
            progress=progress,
        )  # fmt: skip
    )

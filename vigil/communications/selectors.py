"""Reads of communications, for the desk and for the statistics."""

import statistics
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Min, QuerySet
from django.utils import timezone

from vigil.communications.models import AddresseeKind, Communication, Status
from vigil.core.vocabularies import country_name


def overdue(on: date | None = None) -> QuerySet[Communication]:
    """Sent communications past their reply deadline with no reply, oldest first."""
    today = on or timezone.localdate()
    return (
        Communication.objects.filter(
            sent_on__isnull=False, reply_due__lt=today, replies__isnull=True
        )
        .exclude(status=Status.CLOSED)
        .order_by("reply_due", "pk")
    )


@dataclass(frozen=True)
class ReplyRate:
    addressee: str  # a country code, or a company's name
    label: str
    sent: int
    replied: int
    replied_in_time: int
    median_days: float | None  # from sending to the first reply

    @property
    def rate(self) -> float:
        return self.replied / self.sent if self.sent else 0.0


def reply_rates(
    *, kind: str = AddresseeKind.STATE, sent_from: date | None = None, sent_to: date | None = None
) -> list[ReplyRate]:
    """How often, and how fast, each State (or company) replied to what it was sent.

    Each communication counts once for each addressee of that kind; a reply counts
    if it is the first one received, whenever it came.
    """
    letters: Any = Communication.objects.filter(sent_on__isnull=False).annotate(
        first_reply=Min("replies__received_on")
    )
    if sent_from:
        letters = letters.filter(sent_on__gte=sent_from)
    if sent_to:
        letters = letters.filter(sent_on__lte=sent_to)
    rows: dict[str, list[tuple[date, date | None, date | None]]] = {}
    labels: dict[str, str] = {}
    for letter in letters.prefetch_related("addressees"):
        for addressee in letter.addressees.all():
            if addressee.kind != kind:
                continue
            key = addressee.country if kind == AddresseeKind.STATE else addressee.name
            labels[key] = country_name(key) if kind == AddresseeKind.STATE else addressee.name
            rows.setdefault(key, []).append((letter.sent_on, letter.first_reply, letter.reply_due))
    rates = []
    for key, sent in rows.items():
        delays = [(reply - sent_on).days for sent_on, reply, _due in sent if reply]
        rates.append(
            ReplyRate(
                addressee=key,
                label=labels[key],
                sent=len(sent),
                replied=len(delays),
                replied_in_time=sum(1 for _s, reply, due in sent if reply and due and reply <= due),
                median_days=statistics.median(delays) if delays else None,
            )
        )
    return sorted(rates, key=lambda r: (-r.sent, r.label))

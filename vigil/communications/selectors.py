"""Reads of communications, for the desk and for the statistics."""

import statistics
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


def no_longer_confidential() -> Q:
    """Letters whose confidentiality has ended (or never began) today."""
    return Q(confidential_until__isnull=True) | Q(confidential_until__lt=timezone.localdate())


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
    *, kind: str = AddresseeKind.STATE, sent_from: date | None = None, sent_to: date | None = None,
    published_only: bool = False, public_only: bool = False,
) -> list[ReplyRate]:  # fmt: skip
    """How often, and how fast, each State (or company) replied to what it was sent.

    Each communication counts once for each addressee of that kind; a reply counts
    if it is the first one received, whenever it came. `published_only` counts the
    published letters; `public_only` those whose confidentiality has ended.
    """
    letters: Any = Communication.objects.filter(sent_on__isnull=False).annotate(
        first_reply=Min("replies__received_on")
    )
    if published_only:
        letters = letters.filter(published_on__isnull=False)
    if public_only:
        letters = letters.filter(no_longer_confidential())
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


# --- The desk --------------------------------------------------------------------------

DESK_PAGE_SIZE = 50


def desk_list(user: Any, filters: dict[str, Any], page: Any) -> Any:
    """A page of the communications `user` may see, newest first, filtered."""
    from django.core.paginator import Paginator

    from vigil.communications.access import communications_for_user

    letters = communications_for_user(user)
    if filters.get("status"):
        letters = letters.filter(status=filters["status"])
    if filters.get("kind"):
        letters = letters.filter(kind=filters["kind"])
    if filters.get("country"):
        letters = letters.filter(addressees__country=filters["country"]).distinct()
    if filters.get("overdue"):
        letters = letters.filter(pk__in=overdue().values("pk"))
    letters = letters.prefetch_related("addressees").order_by("-created_at", "-pk")
    return Paginator(letters, DESK_PAGE_SIZE).get_page(page)


def overdue_for(user: Any, *, limit: int = 10) -> list[Communication]:
    """The dashboard's list: letters in `user`'s scope past their deadline, unanswered."""
    from vigil.communications.access import communications_for_user

    reachable = communications_for_user(user).values("pk")
    return list(overdue().filter(pk__in=reachable).prefetch_related("addressees")[:limit])


def dashboard_figures(user: Any) -> list[Any]:
    from vigil.communications.access import communications_for_user
    from vigil.core.permissions import Perm, has_perm
    from vigil.core.selectors import Figure

    if not has_perm(user, Perm.DRAFT_COMMUNICATIONS):
        return []
    mine = communications_for_user(user)
    figures = [
        Figure(
            label=str(_("Communications past their deadline without a reply")),
            value=overdue().filter(pk__in=mine.values("pk")).count(),
        )
    ]
    if has_perm(user, Perm.APPROVE_COMMUNICATIONS):
        figures.append(
            Figure(
                label=str(_("Communications waiting for approval")),
                value=mine.filter(status=Status.SUBMITTED).count(),
            )
        )
    return figures


# --- The public record -------------------------------------------------------------------


def published() -> QuerySet[Communication]:
    """Everything the public may see: published letters, and nothing else."""
    return Communication.objects.filter(published_on__isnull=False)


def public_search(filters: dict[str, Any]) -> QuerySet[Communication]:
    from vigil.communications.services import SEARCH_KIND
    from vigil.vault import search

    letters = published()
    if filters.get("country"):
        letters = letters.filter(addressees__country=filters["country"])
    if filters.get("addressee"):
        letters = letters.filter(addressees__kind=filters["addressee"])
    if filters.get("kind"):
        letters = letters.filter(kind=filters["kind"])
    if filters.get("year"):
        letters = letters.filter(sent_on__year=int(filters["year"]))
    if filters.get("theme"):
        letters = letters.filter(theme_rows__theme=filters["theme"])
    if filters.get("text"):
        ids = search.matching_ids(kind=SEARCH_KIND, query=filters["text"])
        if ids is not None:
            letters = letters.filter(pk__in=ids)
    return (
        Communication.objects.filter(pk__in=letters.values("pk"))
        .prefetch_related("addressees", "replies", "theme_rows")
        .order_by("-sent_on", "-pk")
    )


def dashboard_panel(user: Any) -> Any:
    """The dashboard's list of letters past their deadline with no reply."""
    from vigil.core.permissions import Perm, has_perm
    from vigil.core.selectors import Panel

    if not has_perm(user, Perm.DRAFT_COMMUNICATIONS):
        return None
    return Panel(
        template="communications/includes/overdue_panel.html",
        context={"overdue": overdue_for(user), "today": timezone.localdate()},
    )

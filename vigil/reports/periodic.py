"""What the three reports the resolution asks for each period share: the annual
annex (annual.py), the assessment (assessment.py) and reprisals (reprisals.py).

Every one of them may be made public, so none carries a narrative from a case
record, a place, or the name of a person who did not consent to publication. Counts
come from every country (the reports are built by coordinators and analysts, who
see all countries), through the statistics' own counters.
"""

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.cases.models import Act
from vigil.cases.selectors import CaseFilter
from vigil.reports import pipeline
from vigil.stats import counting
from vigil.stats.charts import Chart

CONFIDENTIAL_LEFT_OUT = gettext_lazy(
    "Letters still confidential on the day this report was built are not counted in it."
)


def day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def month(value: date) -> str:
    return date_format(value, "YEAR_MONTH_FORMAT")


def period(start: date, end: date) -> dict[str, str]:
    return {"start": day(start), "end": day(end)}


def acts(start: date, end: date, **criteria: Any) -> Any:
    """Acts whose incident began in the period (and meet `criteria`), all countries."""
    chosen = CaseFilter(date_from=start, date_to=end, **criteria).acts()
    return Act.objects.filter(pk__in=chosen.values("pk"))


def breakdown(name: str, acts: Any) -> counting.Breakdown:
    return counting.labelled(name, counting.COUNTERS[name](acts))


def rows(breakdown: counting.Breakdown, *, skip_empty: bool = True) -> list[list[Any]]:
    return [
        [b.label, b.acts, b.victims, b.cases] for b in breakdown.buckets if b.acts or not skip_empty
    ]


def counts_header(first: str) -> list[str]:
    return [first, _("Acts"), _("Victims"), _("Cases")]


def counts(breakdown: counting.Breakdown, key: str = "all") -> list[int]:
    bucket = next(b for b in breakdown.buckets if b.key == key)
    return [bucket.acts, bucket.victims, bucket.cases]


def chart(title: str, breakdown: counting.Breakdown, *, columns: bool = False) -> Chart:
    shown = [b for b in breakdown.buckets if b.acts or columns]
    return Chart(title, [b.label for b in shown], [b.acts for b in shown], columns=columns)


def rates(section: pipeline.Section, start: date, end: date) -> None:
    """Each State's and company's replies to the letters sent in the period."""
    from vigil.communications.models import AddresseeKind
    from vigil.communications.selectors import reply_rates

    for kind, caption in (
        (AddresseeKind.STATE, _("Replies by State")),
        (AddresseeKind.BUSINESS, _("Replies by business enterprise")),
    ):
        found = reply_rates(kind=kind, sent_from=start, sent_to=end, public_only=True)
        if found:
            section.table(
                [_("Addressee"), _("Letters"), _("Replied"), _("By the deadline"),
                 _("Median days")],
                [
                    [r.label, r.sent, r.replied, r.replied_in_time,
                     "" if r.median_days is None else f"{r.median_days:g}"]
                    for r in found
                ],
                caption=caption,
            )  # fmt: skip

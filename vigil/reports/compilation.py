"""The compilation of activity reports (resolution para 15): the accepted reports
of activities that began in a period, grouped by type of stakeholder and then by
region, with a summary table, for the high-level plenary meeting.

A report's region is the UN regional group of its countries when they all belong
to one group; a report about several groups' countries, or about countries in
none (a territory, or an observer), is listed under "Several regions or global".
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vigil.activities.models import ActivityReport, ReviewState, StakeholderType
from vigil.core.vocabularies import REGIONAL_GROUP_OF, RegionalGroup, country_name
from vigil.reports import pipeline
from vigil.stats.charts import Chart

SEVERAL = "several"


def region_of(countries: list[str]) -> str:
    groups = {REGIONAL_GROUP_OF.get(code) for code in countries}
    if len(groups) == 1 and None not in groups:
        return groups.pop().value
    return SEVERAL


def region_label(region: str) -> str:
    if region == SEVERAL:
        return str(_("Several regions or global"))
    return str(RegionalGroup(region).label)


@dataclass
class Entry:
    title: str
    stakeholder: str
    kind: str
    dates: str
    levels: str
    countries: str
    languages: str
    audience: str
    description: str
    links: list[str]
    paragraphs: str


@dataclass
class Group:
    stakeholder_type: str
    regions: list[tuple[str, list[Entry]]] = field(default_factory=list)


@dataclass
class Compilation:
    start: date
    end: date
    generated_at: datetime
    groups: list[Group]
    regions: list[str]  # column labels of the summary table
    table: list[tuple[str, list[int], int]]  # stakeholder type, count per region, total
    totals: list[int]
    total: int

    @property
    def chart(self) -> Chart:
        return Chart(
            _("Reports by type of stakeholder"),
            [label for label, _counts, _total in self.table],
            [total for _label, _counts, total in self.table],
        )

    @property
    def title(self) -> str:
        return _("Compilation of activity reports, %(start)s to %(end)s") % {
            "start": date_format(self.start, "DATE_FORMAT"),
            "end": date_format(self.end, "DATE_FORMAT"),
        }


def _entry(report: ActivityReport) -> Entry:
    start = date_format(report.starts_on, "DATE_FORMAT")
    dates = (
        f"{start} – {date_format(report.ends_on, 'DATE_FORMAT')}"
        if report.ends_on and report.ends_on != report.starts_on
        else start
    )
    paragraphs = sorted({p.number for p in report.paragraphs.all() if p.number is not None})
    return Entry(
        title=report.title,
        stakeholder=report.stakeholder,
        kind=str(report.get_kind_display()),
        dates=dates,
        levels=", ".join(str(level.label) for level in report.levels),
        countries=", ".join(country_name(code) for code in report.country_codes),
        languages=report.languages,
        audience=report.audience,
        description=report.description,
        links=report.link_list(),
        paragraphs=", ".join(str(n) for n in paragraphs),
    )


def build(*, start: date, end: date, progress: Any = None) -> Compilation:
    reports = list(
        ActivityReport.objects.filter(
            state=ReviewState.ACCEPTED, starts_on__gte=start, starts_on__lte=end
        )
        .prefetch_related("country_rows", "paragraphs")
        .order_by("starts_on", "pk")
    )
    bar = progress(len(reports)) if progress else None
    regions = [g.value for g in RegionalGroup] + [SEVERAL]
    placed: dict[str, dict[str, list[Entry]]] = {}
    counts: Counter = Counter()
    for report in reports:
        region = region_of(report.country_codes)
        placed.setdefault(report.stakeholder_type, {}).setdefault(region, []).append(_entry(report))
        counts[(report.stakeholder_type, region)] += 1
        if bar:
            bar.advance()
    groups = []
    table = []
    for kind in StakeholderType:
        row = [counts[(kind.value, region)] for region in regions]
        table.append((str(kind.label), row, sum(row)))
        if kind.value in placed:
            groups.append(
                Group(
                    stakeholder_type=str(kind.label),
                    regions=[
                        (region_label(region), placed[kind.value][region])
                        for region in regions
                        if region in placed[kind.value]
                    ],
                )
            )
    totals = [sum(row[1][i] for row in table) for i in range(len(regions))]
    if bar:
        bar.finish()
    return Compilation(
        start=start,
        end=end,
        generated_at=timezone.now(),
        groups=groups,
        regions=[region_label(r) for r in regions],
        table=table,
        totals=totals,
        total=len(reports),
    )


def as_composed(compilation: Compilation) -> pipeline.Composed:
    """The compilation as the pipeline renders it: the summary, then each type of
    stakeholder, each region within it, each accepted report within that."""
    composed = pipeline.Composed(
        title=compilation.title,
        generated_at=compilation.generated_at,
        reference=_("Compilation of activity reports"),
        meta=[
            _(
                "Activities reported under paragraphs 14 and 15 of General Assembly resolution "
                "72/247 and accepted by the desk."
            )
        ],
    )
    summary = composed.section(_("Summary"))
    summary.chart(compilation.chart)
    summary.table(
        [_("Stakeholder"), *compilation.regions, _("Total")],
        [[label, *counts, total] for label, counts, total in compilation.table]
        + [[_("Total"), *compilation.totals, compilation.total]],
    )
    for group in compilation.groups:
        composed.section(group.stakeholder_type)
        for region, entries in group.regions:
            composed.section(region, level=3)
            for entry in entries:
                part = composed.section(entry.title, level=4, together=True)
                part.text(
                    f"{entry.stakeholder} · {entry.kind} · {entry.dates} · {entry.levels}",
                    meta=True,
                )
                details = [_("Countries: %(countries)s") % {"countries": entry.countries}]
                if entry.languages:
                    details.append(_("Languages: %(languages)s") % {"languages": entry.languages})
                if entry.audience:
                    details.append(_("Audience: %(audience)s") % {"audience": entry.audience})
                part.text(" · ".join(details), meta=True)
                part.text(entry.description)
                if entry.paragraphs:
                    part.text(
                        _("Resolution paragraphs: %(numbers)s") % {"numbers": entry.paragraphs},
                        meta=True,
                    )
                part.points(entry.links)
    if not compilation.groups:
        composed.sections[-1].text(_("No accepted activity report in this period."))
    return composed


def compose(*, start: date, end: date, progress: Any = None, **options: Any) -> pipeline.Composed:
    """The accepted reports of activities that began in the period."""
    return as_composed(build(start=start, end=end, progress=progress))

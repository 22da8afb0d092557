"""The Secretary-General's assessment and analysis of the situation of defenders
(resolution 72/247, paras 16-17): trends, enabling and restrictive measures, good
practices from the accepted activity reports, challenges, each section opening with
the narrative written at the desk (`Narrative`, /desk/reports/assessment/narrative/).
"""

from collections import Counter
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.core.vocabularies import country_name
from vigil.reports import periodic, pipeline
from vigil.stats.charts import Chart

# The narrative sections of the assessment, in the order of the report.
SECTIONS = [
    ("introduction", gettext_lazy("Introduction")),
    ("trends", gettext_lazy("Trends in attacks and reprisals")),
    ("measures", gettext_lazy("Enabling and restrictive measures")),
    ("practices", gettext_lazy("Good practices")),
    ("challenges", gettext_lazy("Challenges")),
    ("conclusions", gettext_lazy("Conclusions and recommendations")),
]


def narratives(start: date, end: date) -> dict[str, str]:
    from vigil.reports.models import Narrative

    rows = Narrative.objects.filter(report="assessment", starts_on=start, ends_on=end)
    return {row.section: row.text for row in rows}


def compose(*, start: date, end: date, progress: Any = None, **options: Any) -> pipeline.Composed:
    """The assessment for the period, each section under the desk's narrative."""
    from vigil.activities.models import ActivityReport, ReviewState
    from vigil.measures.models import Effect, Measure, Review, StatusChange

    bar = progress(4) if progress else None
    written = narratives(start, end)
    report = pipeline.Composed(
        title=_(
            "The situation of human rights defenders: assessment and analysis, %(start)s to %(end)s"
        )
        % periodic.period(start, end),
        generated_at=timezone.now(),
    )
    headings = dict(SECTIONS)

    def section(key: str) -> pipeline.Section:
        part = report.section(str(headings[key]))
        part.text(written.get(key, ""))
        return part

    section("introduction").text(
        _(
            "Prepared under paragraphs 16 and 17 of General Assembly resolution 72/247, from "
            "the records of the desk: acts recorded against defenders, State measures and "
            "the activities reported by stakeholders."
        ),
        emphasis=True,
    )

    trends = section("trends")
    first_year = end.year - 9
    years = periodic.breakdown("year", periodic.acts(date(first_year, 1, 1), end))
    trends.chart(periodic.chart(_("Acts by year the incident began"), years, columns=True))
    trends.table(periodic.counts_header(_("Year")), periodic.rows(years))
    acts = periodic.acts(start, end)
    for name, title in (
        ("sdg_category", _("Acts in the period by SDG 16.10.1 category")),
        ("region", _("Acts in the period by UN regional group")),
    ):
        breakdown = periodic.breakdown(name, acts)
        trends.chart(periodic.chart(title, breakdown))
        trends.table(periodic.counts_header(title), periodic.rows(breakdown))
    flags = periodic.breakdown("flags", acts)
    trends.table(
        periodic.counts_header(_("Acts in the period")), periodic.rows(flags, skip_empty=False)
    )
    if bar:
        bar.advance()

    measures = section("measures")
    changed = StatusChange.objects.filter(on__gte=start, on__lte=end).values("measure_id")
    accepted = (
        Measure.objects.filter(review=Review.ACCEPTED, pk__in=changed)
        .prefetch_related(Prefetch("history", queryset=StatusChange.objects.order_by("on", "pk")))
        .order_by("country", "title")
    )
    effects = Counter(m.effect for m in accepted)
    measures.chart(
        Chart(
            _("State measures with a step in the period, by effect on defenders"),
            [str(e.label) for e in Effect],
            [effects[e.value] for e in Effect],
        )
    )
    measures.table(
        [_("Country"), _("Measure"), _("Kind"), _("Effect"), _("Status")],
        [
            [
                country_name(m.country),
                m.title,
                str(m.get_kind_display()),
                str(m.get_effect_display()),
                str(m.get_status_display()),
            ]
            for m in accepted
        ],
    )
    if not accepted:
        measures.text(_("No State measure recorded a step in the period."))
    if bar:
        bar.advance()

    practices = section("practices")
    activities = (
        ActivityReport.objects.filter(state=ReviewState.ACCEPTED, starts_on__lte=end)
        .filter(Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start))
        .prefetch_related("country_rows")
        .order_by("stakeholder_type", "starts_on")
    )
    kinds = Counter(str(a.get_stakeholder_type_display()) for a in activities)
    practices.chart(
        Chart(_("Accepted activity reports by stakeholder type"), list(kinds), list(kinds.values()))
    )
    for activity in activities:
        practices.text(
            f"{activity.title} ({activity.stakeholder}, {activity.get_stakeholder_type_display()}; "
            f"{', '.join(country_name(c) for c in activity.country_codes) or _('global')})"
        )
        practices.text(activity.description, emphasis=True)
    if not activities:
        practices.text(_("No activity report for the period has been accepted."))
    if bar:
        bar.advance()

    challenges = section("challenges")
    periodic.rates(challenges, start, end)
    challenges.text(str(periodic.CONFIDENTIAL_LEFT_OUT), emphasis=True)
    restrictive = effects[Effect.RESTRICTIVE.value]
    challenges.text(
        _(
            "%(reprisals)s acts of reprisal for cooperation with the United Nations and "
            "%(restrictive)s restrictive measures were recorded in the period."
        )
        % {"reprisals": periodic.counts(flags, "reprisal")[0], "restrictive": restrictive}
    )
    section("conclusions")
    if bar:
        bar.finish()
    return report

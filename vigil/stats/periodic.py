"""The reports the resolution asks for, for a period, with their charts:

- `annual`: the annex to the Special Rapporteur's annual report (para 19):
  communications sent, by country and type, and their replies; country visits;
  themes (women defenders, business-related cases and the rest).
- `assessment`: the Secretary-General's assessment and analysis (paras 16-17):
  trends, enabling and restrictive measures, good practices from the accepted
  activity reports, challenges, each under the narrative written in the desk.
- `reprisals`: reprisals for cooperation with the UN (para 8), naming only the
  people who consented to publication; the others are described.

Every report may be made public, so none carries a narrative from a case record,
a place, or the name of a person who did not consent to publication. Counts come
from every country (the reports are built by coordinators and analysts, who see
all countries). Each is registered with `build_report` (see stats/apps.py).
"""

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.cases.models import Act
from vigil.cases.selectors import CaseFilter
from vigil.core import composed
from vigil.core.charts import Chart
from vigil.core.reports import Built
from vigil.core.vocabularies import Theme, country_name
from vigil.stats import selectors

# The narrative sections of the assessment, in the order of the report.
CONFIDENTIAL_LEFT_OUT = gettext_lazy(
    "Letters still confidential on the day this report was built are not counted in it."
)

ASSESSMENT_SECTIONS = [
    ("introduction", gettext_lazy("Introduction")),
    ("trends", gettext_lazy("Trends in attacks and reprisals")),
    ("measures", gettext_lazy("Enabling and restrictive measures")),
    ("practices", gettext_lazy("Good practices")),
    ("challenges", gettext_lazy("Challenges")),
    ("conclusions", gettext_lazy("Conclusions and recommendations")),
]


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _period(start: date, end: date) -> dict[str, str]:
    return {"start": _day(start), "end": _day(end)}


def _acts(start: date, end: date, **criteria: Any) -> Any:
    """Acts whose incident began in the period (and meet `criteria`), all countries."""
    chosen = CaseFilter(date_from=start, date_to=end, **criteria).acts()
    return Act.objects.filter(pk__in=chosen.values("pk"))


def _breakdown(name: str, acts: Any) -> selectors.Breakdown:
    return selectors.labelled(name, selectors.COUNTERS[name](acts))


def _rows(breakdown: selectors.Breakdown, *, skip_empty: bool = True) -> list[list[Any]]:
    return [
        [b.label, b.acts, b.victims, b.cases] for b in breakdown.buckets if b.acts or not skip_empty
    ]


def _counts_header(first: str) -> list[str]:
    return [first, _("Acts"), _("Victims"), _("Cases")]


def _chart(title: str, breakdown: selectors.Breakdown, *, columns: bool = False) -> Chart:
    shown = [b for b in breakdown.buckets if b.acts or columns]
    return Chart(title, [b.label for b in shown], [b.acts for b in shown], columns=columns)


# --- annual -------------------------------------------------------------------------


def annual(start: date, end: date, progress: Any = None) -> composed.Composed:
    from vigil.communications.models import (
        AddresseeKind,
        Communication,
        CommunicationType,
        CountryVisit,
    )
    from vigil.communications.selectors import no_longer_confidential

    # A letter still confidential today is left out of every count and list: the
    # report may be published, and its readers (analysts too) may not learn of it.
    sent = list(
        Communication.objects.filter(sent_on__gte=start, sent_on__lte=end)
        .filter(no_longer_confidential())
        .prefetch_related("addressees", "replies", "theme_rows")
        .order_by("sent_on", "reference")
    )
    bar = progress(len(sent) + 3) if progress else None
    report = composed.Composed(
        title=_(
            "Annex to the annual report: communications, visits and themes, %(start)s to %(end)s"
        )
        % _period(start, end),
        generated_at=timezone.now(),
    )
    report.introduction.append(
        _(
            "Prepared under paragraph 19 of General Assembly resolution 72/247: the "
            "communications the Special Rapporteur sent in the period, the replies received, "
            "the country visits and the themes of the mandate's work."
        )
    )
    report.introduction.append(str(CONFIDENTIAL_LEFT_OUT))

    # Communications by State and type, with their replies.
    kinds = list(CommunicationType)
    per_country: dict[str, Counter] = defaultdict(Counter)
    status = Counter()
    for communication in sent:
        countries = {
            a.country for a in communication.addressees.all() if a.kind == AddresseeKind.STATE
        }
        for country in countries or {""}:
            per_country[country][communication.kind] += 1
            per_country[country]["replied" if communication.replies.all() else "waiting"] += 1
        replies = list(communication.replies.all())
        if not replies:
            status["none"] += 1
        elif any(r.within_deadline for r in replies):
            status["in_time"] += 1
        else:
            status["late"] += 1
        if bar:
            bar.advance()
    section = report.section(_("Communications sent"))
    section.text(
        _(
            "%(letters)s communications were sent in the period: %(ua)s urgent appeals, %(al)s "
            "allegation letters and %(ol)s other letters. %(answered)s have received a reply."
        )
        % {
            "letters": len(sent),
            "ua": sum(1 for c in sent if c.kind == CommunicationType.URGENT_APPEAL),
            "al": sum(1 for c in sent if c.kind == CommunicationType.ALLEGATION_LETTER),
            "ol": sum(1 for c in sent if c.kind == CommunicationType.OTHER_LETTER),
            "answered": status["in_time"] + status["late"],
        }
    )
    section.chart(
        Chart(
            _("Communications by type"),
            [str(k.label) for k in kinds],
            [sum(1 for c in sent if c.kind == k) for k in kinds],
        )
    )
    ordered = sorted(per_country, key=lambda c: (c == "", country_name(c) if c else ""))
    section.table(
        [_("Country"), *[str(k.label) for k in kinds], _("Replied"), _("No reply yet")],
        [
            [
                country_name(c) if c else _("Non-State addressees only"),
                *[per_country[c][k.value] for k in kinds],
                per_country[c]["replied"],
                per_country[c]["waiting"],
            ]
            for c in ordered
        ],
        caption=_("Communications by State addressed and type"),
    )
    replies = report.section(_("Replies"))
    labels = [_("Replied by the deadline"), _("Replied after the deadline"), _("No reply")]
    values = [status["in_time"], status["late"], status["none"]]
    replies.chart(Chart(_("Replies to the communications of the period"), labels, values))
    replies.table(
        [_("Reply"), _("Communications")], [list(pair) for pair in zip(labels, values, strict=True)]
    )
    _rates(replies, start, end)
    if bar:
        bar.advance()

    listing = report.section(_("List of communications"))
    listing.table(
        [_("Reference"), _("Sent on"), _("Type"), _("Addressees"), _("Reply")],
        [
            [
                c.reference,
                _day(c.sent_on),
                str(c.get_kind_display()),
                ", ".join(_addressee(a) for a in c.addressees.all()),
                _day(max(r.received_on for r in c.replies.all())) if c.replies.all() else _("None"),
            ]
            for c in sent
        ],
    )

    visits = CountryVisit.objects.filter(
        Q(starts_on__lte=end, ends_on__gte=start)
        | Q(requested_on__gte=start, requested_on__lte=end)
    ).order_by("starts_on", "requested_on")
    visiting = report.section(_("Country visits"))
    visiting.table(
        [_("Country"), _("Status"), _("Requested on"), _("Dates"), _("Report")],
        [
            [
                country_name(v.country),
                str(v.get_status_display()),
                _day(v.requested_on),
                f"{_day(v.starts_on)} – {_day(v.ends_on)}" if v.starts_on and v.ends_on else "",
                v.report_symbol,
            ]
            for v in visits
        ],
    )
    if not visits:
        visiting.text(_("No country visit was requested or made in the period."))
    if bar:
        bar.advance()

    themes = report.section(_("Themes"))
    by_theme = Counter(row.theme for c in sent for row in c.theme_rows.all())
    theme_rows = [[str(t.label), by_theme[t.value]] for t in Theme if by_theme[t.value]]
    themes.chart(
        Chart(_("Communications by theme"), [r[0] for r in theme_rows], [r[1] for r in theme_rows])
    )
    themes.table([_("Theme"), _("Communications")], theme_rows)
    women = _breakdown("flags", _acts(start, end, women_defenders=True))
    business = _breakdown("flags", _acts(start, end, business_related=True))
    everyone = _breakdown("flags", _acts(start, end))
    themes.table(
        _counts_header(_("Acts recorded in the period")),
        [
            [_("Against women defenders"), *_counts(women)],
            [_("Business-related"), *_counts(business)],
            [_("Reprisals"), *_counts(everyone, "reprisal")],
            [_("All acts"), *_counts(everyone)],
        ],
    )
    if bar:
        bar.finish()
    return report


def _counts(breakdown: selectors.Breakdown, key: str = "all") -> list[int]:
    bucket = next(b for b in breakdown.buckets if b.key == key)
    return [bucket.acts, bucket.victims, bucket.cases]


def _rates(section: composed.Section, start: date, end: date) -> None:
    """Each State's and company's replies to the letters sent in the period."""
    from vigil.communications.models import AddresseeKind
    from vigil.communications.selectors import reply_rates

    for kind, caption in (
        (AddresseeKind.STATE, _("Replies by State")),
        (AddresseeKind.BUSINESS, _("Replies by business enterprise")),
    ):
        rates = reply_rates(kind=kind, sent_from=start, sent_to=end, public_only=True)
        if rates:
            section.table(
                [_("Addressee"), _("Letters"), _("Replied"), _("By the deadline"),
                 _("Median days")],
                [
                    [r.label, r.sent, r.replied, r.replied_in_time,
                     "" if r.median_days is None else f"{r.median_days:g}"]
                    for r in rates
                ],
                caption=caption,
            )  # fmt: skip


def _addressee(addressee: Any) -> str:
    from vigil.communications.models import AddresseeKind

    if addressee.kind == AddresseeKind.STATE:
        return country_name(addressee.country)
    return addressee.name


# --- assessment ---------------------------------------------------------------------


def narratives(start: date, end: date) -> dict[str, str]:
    from vigil.stats.models import Narrative

    rows = Narrative.objects.filter(report="assessment", starts_on=start, ends_on=end)
    return {row.section: row.text for row in rows}


def assessment(start: date, end: date, progress: Any = None) -> composed.Composed:
    from vigil.activities.models import ActivityReport, ReviewState
    from vigil.measures.models import Effect, Measure, Review, StatusChange

    bar = progress(4) if progress else None
    written = narratives(start, end)
    report = composed.Composed(
        title=_(
            "The situation of human rights defenders: assessment and analysis, %(start)s to %(end)s"
        )
        % _period(start, end),
        generated_at=timezone.now(),
    )
    headings = dict(ASSESSMENT_SECTIONS)

    def section(key: str) -> composed.Section:
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
    years = _breakdown("year", _acts(date(first_year, 1, 1), end))
    trends.chart(_chart(_("Acts by year the incident began"), years, columns=True))
    trends.table(_counts_header(_("Year")), _rows(years))
    acts = _acts(start, end)
    for name, title in (
        ("sdg_category", _("Acts in the period by SDG 16.10.1 category")),
        ("region", _("Acts in the period by UN regional group")),
    ):
        breakdown = _breakdown(name, acts)
        trends.chart(_chart(title, breakdown))
        trends.table(_counts_header(title), _rows(breakdown))
    flags = _breakdown("flags", acts)
    trends.table(_counts_header(_("Acts in the period")), _rows(flags, skip_empty=False))
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
    _rates(challenges, start, end)
    challenges.text(str(CONFIDENTIAL_LEFT_OUT), emphasis=True)
    restrictive = effects[Effect.RESTRICTIVE.value]
    challenges.text(
        _(
            "%(reprisals)s acts of reprisal for cooperation with the United Nations and "
            "%(restrictive)s restrictive measures were recorded in the period."
        )
        % {"reprisals": _counts(flags, "reprisal")[0], "restrictive": restrictive}
    )
    section("conclusions")
    if bar:
        bar.finish()
    return report


# --- reprisals ----------------------------------------------------------------------


def reprisals(start: date, end: date, progress: Any = None) -> composed.Composed:
    from vigil.cases import consent
    from vigil.communications.models import Communication

    acts = list(
        _acts(start, end, reprisal=True)
        .select_related("victim", "incident")
        .prefetch_related("perpetrators", "incident__cases")
        .order_by("incident__country", "incident__start_date", "pk")
    )
    bar = progress(len(acts) + 1) if progress else None
    report = composed.Composed(
        title=_("Reprisals for cooperation with the United Nations, %(start)s to %(end)s")
        % _period(start, end),
        generated_at=timezone.now(),
    )
    report.introduction.append(
        _(
            "Prepared under paragraph 8 of General Assembly resolution 72/247. A person is "
            "named only with their consent to publication; everyone else is described "
            "without their name. Places and accounts of the facts are left out."
        )
    )
    countries = _breakdown("country", Act.objects.filter(pk__in=[a.pk for a in acts]))
    summary = report.section(_("Summary"))
    summary.text(
        _("%(acts)s acts of reprisal against %(people)s people and organisations were recorded.")
        % {"acts": len(acts), "people": len({a.victim_id for a in acts})}
    )
    summary.chart(_chart(_("Acts of reprisal by country"), countries))
    summary.table(_counts_header(_("Country")), _rows(countries))
    bodies = Counter(str(a.get_reprisal_body_display()) or _("Not recorded") for a in acts)
    summary.table(
        [_("Body cooperated with"), _("Acts")],
        [[label, n] for label, n in bodies.most_common()],
    )

    published = set(
        Communication.objects.filter(
            published_on__isnull=False, cases__incidents__acts__in=acts
        ).values_list("reference", "cases__incidents__acts")
    )
    letters_of: dict[int, list[str]] = defaultdict(list)
    for reference, act_id in published:
        letters_of[act_id].append(reference)
    listing = report.section(_("Acts of reprisal"))
    rows = []
    for act in acts:
        victim = act.victim
        person = (
            victim.name if consent.may_name(victim, consent.PUBLIC) else consent.describe(victim)
        )
        perpetrators = sorted({str(p.get_category_display()) for p in act.perpetrators.all()})
        rows.append(
            [
                person,
                country_name(act.incident.country),
                _month(act.incident.start_date),
                str(act.get_violation_display()),
                str(act.get_reprisal_body_display()) or _("Not recorded"),
                ", ".join(perpetrators) or _("Unknown"),
                ", ".join(sorted(letters_of.get(act.pk, []))) or "",
            ]
        )
        if bar:
            bar.advance()
    listing.table(
        [_("Person"), _("Country"), _("Month"), _("Violation"), _("Body cooperated with"),
         _("Perpetrators"), _("Published communications")],
        rows,
    )  # fmt: skip
    if bar:
        bar.finish()
    return report


def _month(value: date) -> str:
    return date_format(value, "YEAR_MONTH_FORMAT")


# --- build_report entries -----------------------------------------------------------

COMPOSERS = {"annual": annual, "assessment": assessment, "reprisals": reprisals}


def builder(name: str) -> Any:
    """The `build_report NAME` entry for one of the reports above."""

    def build_report(
        *, start: date, end: date, fmt: str, progress: Any = None, **options: Any
    ) -> Built:
        language = options.get("language") or translation.get_language()
        with translation.override(language):
            report = COMPOSERS[name](start, end, progress)
            content = composed.render(report, fmt)
        return Built(
            content=content, filename=f"{name}-{start.isoformat()}-{end.isoformat()}.{fmt}"
        )

    return build_report

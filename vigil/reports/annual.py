"""The annex to the Special Rapporteur's annual report (resolution 72/247, para 19):
communications sent, by country and type, and their replies; country visits; themes
(women defenders, business-related cases and the rest).

A letter still confidential on the day of the build is left out of every count and
list: the annex may be published, and its readers (analysts too) may not learn of it.
"""

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.core.vocabularies import Theme, country_name
from vigil.reports import periodic, pipeline
from vigil.stats.charts import Chart


def compose(*, start: date, end: date, progress: Any = None, **options: Any) -> pipeline.Composed:
    """The annex for the period: letters, replies, visits and themes."""
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
    report = pipeline.Composed(
        title=_(
            "Annex to the annual report: communications, visits and themes, %(start)s to %(end)s"
        )
        % periodic.period(start, end),
        generated_at=timezone.now(),
    )
    report.introduction.append(
        _(
            "Prepared under paragraph 19 of General Assembly resolution 72/247: the "
            "communications the Special Rapporteur sent in the period, the replies received, "
            "the country visits and the themes of the mandate's work."
        )
    )
    report.introduction.append(str(periodic.CONFIDENTIAL_LEFT_OUT))

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
    periodic.rates(replies, start, end)
    if bar:
        bar.advance()

    listing = report.section(_("List of communications"))
    listing.table(
        [_("Reference"), _("Sent on"), _("Type"), _("Addressees"), _("Reply")],
        [
            [
                c.reference,
                periodic.day(c.sent_on),
                str(c.get_kind_display()),
                ", ".join(_addressee(a) for a in c.addressees.all()),
                periodic.day(max(r.received_on for r in c.replies.all()))
                if c.replies.all()
                else _("None"),
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
                periodic.day(v.requested_on),
                f"{periodic.day(v.starts_on)} – {periodic.day(v.ends_on)}"
                if v.starts_on and v.ends_on
                else "",
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
    women = periodic.breakdown("flags", periodic.acts(start, end, women_defenders=True))
    business = periodic.breakdown("flags", periodic.acts(start, end, business_related=True))
    everyone = periodic.breakdown("flags", periodic.acts(start, end))
    themes.table(
        periodic.counts_header(_("Acts recorded in the period")),
        [
            [_("Against women defenders"), *periodic.counts(women)],
            [_("Business-related"), *periodic.counts(business)],
            [_("Reprisals"), *periodic.counts(everyone, "reprisal")],
            [_("All acts"), *periodic.counts(everyone)],
        ],
    )
    if bar:
        bar.finish()
    return report


def _addressee(addressee: Any) -> str:
    from vigil.communications.models import AddresseeKind

    if addressee.kind == AddresseeKind.STATE:
        return country_name(addressee.country)
    return addressee.name

"""Reprisals for cooperation with the United Nations (resolution 72/247, para 8).

A person is named only with their consent to publication (`cases.consent.PUBLIC`);
everyone else is described without their name. Places and accounts of the facts
are left out, since the report may be published.
"""

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.models import Act
from vigil.core.vocabularies import country_name
from vigil.reports import periodic, pipeline


def compose(*, start: date, end: date, progress: Any = None, **options: Any) -> pipeline.Composed:
    """The acts of reprisal of the period, naming only who consented."""
    from vigil.cases import consent
    from vigil.communications.models import Communication

    acts = list(
        periodic.acts(start, end, reprisal=True)
        .select_related("victim", "incident")
        .prefetch_related("perpetrators", "incident__cases")
        .order_by("incident__country", "incident__start_date", "pk")
    )
    bar = progress(len(acts) + 1) if progress else None
    report = pipeline.Composed(
        title=_("Reprisals for cooperation with the United Nations, %(start)s to %(end)s")
        % periodic.period(start, end),
        generated_at=timezone.now(),
    )
    report.introduction.append(
        _(
            "Prepared under paragraph 8 of General Assembly resolution 72/247. A person is "
            "named only with their consent to publication; everyone else is described "
            "without their name. Places and accounts of the facts are left out."
        )
    )
    countries = periodic.breakdown("country", Act.objects.filter(pk__in=[a.pk for a in acts]))
    summary = report.section(_("Summary"))
    summary.text(
        _("%(acts)s acts of reprisal against %(people)s people and organisations were recorded.")
        % {"acts": len(acts), "people": len({a.victim_id for a in acts})}
    )
    summary.chart(periodic.chart(_("Acts of reprisal by country"), countries))
    summary.table(periodic.counts_header(_("Country")), periodic.rows(countries))
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
                periodic.month(act.incident.start_date),
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

"""Fictional demo communications and country visits, made through the services
(so every step is audited as it would be): letters in every state of the
workflow, published ones with and without replies, letters to companies, joint
letters, a follow-up, and visits in every status."""

from datetime import date, timedelta
from random import Random
from typing import Any

from django.utils import timezone

from vigil.accounts.models import User
from vigil.cases.models import Case, Perpetrator
from vigil.cases.vocabularies import PerpetratorCategory
from vigil.communications import services
from vigil.communications.models import Communication, Status, VisitStatus
from vigil.core.vocabularies import Theme

DATASET = "communications"
SEED = 72248
OTHER_MANDATES = [
    "Special Rapporteur on the rights to freedom of peaceful assembly and of association",
    "Special Rapporteur on the promotion and protection of the right to freedom of opinion "
    "and expression",
    "Working Group on the issue of human rights and transnational corporations and other "
    "business enterprises",
    "Working Group on Arbitrary Detention",
]
LAWS = [
    ("KEN", "the Public Benefit Organisations (Amendment) Bill, which would cap foreign funding"),
    ("PHL", "the Anti-Terrorism Act, whose definition of terrorism reaches peaceful advocacy"),
    ("GTM", "the amendments to the NGO law, which allow the closure of associations"),
    ("HUN", "the law on the protection of national sovereignty"),
]

# (final status, days ago it was sent or None, reply?, published?, to a company?, joint?)
PLAN: list[tuple[Status, int | None, bool, bool, bool, bool]] = [
    (Status.DRAFT, None, False, False, False, False),
    (Status.DRAFT, None, False, False, True, False),
    (Status.SUBMITTED, None, False, False, False, True),
    (Status.SUBMITTED, None, False, False, False, False),
    (Status.APPROVED, None, False, False, False, False),
    (Status.SENT, 12, False, False, False, False),
    (Status.SENT, 40, False, False, True, True),
    (Status.SENT, 75, False, False, False, False),  # overdue, on the dashboard
    (Status.SENT, 95, False, False, False, False),  # overdue
    (Status.REPLIED, 30, True, False, False, False),
    (Status.REPLIED, 120, True, True, False, True),
    (Status.REPLIED, 200, True, True, True, False),
    (Status.REPLIED, 380, True, True, False, False),
    (Status.NO_REPLY, 150, False, True, False, False),
    (Status.NO_REPLY, 300, False, True, True, False),
    (Status.FOLLOW_UP, 260, False, True, False, True),
    (Status.CLOSED, 420, True, True, False, False),
    (Status.CLOSED, 500, False, True, False, False),
    (Status.CLOSED, 650, True, True, True, True),
]


def _themes_for(case: Case | None, random: Random) -> list[str]:
    themes = {Theme.PROTECTION.value}
    if case is not None:
        for defender in case.defenders.all():
            if defender.focus_environment:
                themes.add(Theme.ENVIRONMENT.value)
            if defender.focus_business:
                themes.add(Theme.BUSINESS.value)
            if defender.focus_labour or defender.is_trade_unionist:
                themes.add(Theme.LABOUR.value)
            if defender.is_journalist:
                themes.add(Theme.MEDIA.value)
            if defender.is_woman_defender:
                themes.add(Theme.WOMEN.value)
    if random.random() < 0.2:
        themes.add(Theme.REPRISALS.value)
    return sorted(themes)


def _company_for(case: Case | None, random: Random) -> dict[str, Any]:
    involved = (
        Perpetrator.objects.filter(
            act__incident__cases=case, category=PerpetratorCategory.BUSINESS
        ).first()
        if case is not None
        else None
    )
    if involved and involved.company_name:
        return {
            "kind": "business",
            "name": involved.company_name,
            "country": involved.company_country,
            "sector": involved.company_sector,
        }
    return {"kind": "business", "name": "Rio Claro Energy", "country": "CAN", "sector": "energy"}


def _fresh(communication: Communication) -> Communication:
    return Communication.objects.get(pk=communication.pk)


def _walk(communication: Communication, steps: list[tuple[Status, User, date | None]]) -> None:
    for status, actor, on in steps:
        current = _fresh(communication)
        services.communication_move(
            actor=actor, communication=current, to=status, version=current.version, on=on
        )


def load(*, fake: Any, stdout: Any) -> None:
    random = Random(SEED)  # noqa: S311 - a repeatable demo, not a secret
    officer = User.objects.get(username="officer")
    coordinator = User.objects.get(username="coordinator")
    today = timezone.localdate()
    cases = list(Case.objects.filter(incidents__acts__isnull=False).distinct().order_by("pk")[:200])
    mine = [c for c in cases if c.country in officer.countries] or cases
    for number, (status, days_ago, replied, published, company, joint) in enumerate(PLAN):
        case = random.choice(mine) if mine and number % 3 != 2 else (
            random.choice(cases) if cases else None
        )  # fmt: skip
        actor = officer if case is None or case.country in officer.countries else coordinator
        addressees = [{"kind": "state", "country": case.country if case else "COL"}]
        if company:
            addressees.append(_company_for(case, random))
        kind = "UA" if days_ago is None or days_ago < 100 else random.choice(["UA", "AL", "AL"])
        # The names are in the facts on purpose: the letters and the public page
        # show them only where the defender consented.
        names = " and ".join(d.name for d in case.defenders.all()) if case else ""
        body = (
            f"According to the information received, {names} were targeted for their work. "
            f"{fake.paragraph(nb_sentences=4)}\n\n{fake.paragraph(nb_sentences=3)}"
            if case is not None
            else ""
        )
        communication = services.communication_create(
            actor=actor,
            kind=kind,
            summary=(
                f"Alleged {case.title.split(': ', 1)[-1].lower()} against a human rights "
                f"defender, and the risks faced by those working with them."
                if case is not None
                else "Alleged attacks on human rights defenders."
            ),
            body=body,
            addressees=addressees,
            cases=[case] if case else [],
            themes=_themes_for(case, random),
            joint=joint,
            other_mandates="\n".join(random.sample(OTHER_MANDATES, 2)) if joint else "",
        )
        _advance(communication, status, days_ago, replied, published, actor, coordinator, today)
    for country, law in LAWS:
        letter = services.communication_create(
            actor=coordinator,
            kind="OL",
            summary=f"Comments on {law}.",
            body=(f"I would like to offer comments on {law}. {fake.paragraph(nb_sentences=4)}"),
            addressees=[{"kind": "state", "country": country}],
            themes=[Theme.ASSOCIATION.value, Theme.FOREIGN_AGENTS.value, Theme.SECURITY.value][
                : random.randint(1, 3)
            ],
        )
        days = random.randint(90, 400)
        _advance(letter, Status.REPLIED if days % 2 else Status.NO_REPLY, days, days % 2 == 1,
                 True, coordinator, coordinator, today)  # fmt: skip
    _visits(coordinator, today)
    stdout.write(
        f"  {Communication.objects.count()} communications, "
        f"{Communication.objects.filter(published_on__isnull=False).count()} published"
    )


def _advance(
    communication: Communication, status: Status, days_ago: int | None, replied: bool,
    published: bool, actor: User, coordinator: User, today: date,
) -> None:  # fmt: skip
    if status == Status.DRAFT:
        return
    _walk(communication, [(Status.SUBMITTED, actor, None)])
    if status == Status.SUBMITTED:
        return
    _walk(communication, [(Status.APPROVED, coordinator, None)])
    if status == Status.APPROVED:
        return
    sent_on = today - timedelta(days=days_ago or 1)
    _walk(communication, [(Status.SENT, coordinator, sent_on)])
    letter = _fresh(communication)
    if replied:
        received = min(sent_on + timedelta(days=20 + (days_ago or 0) % 70), today)
        services.reply_log(
            actor=actor,
            communication=letter,
            received_on=received,
            sender="Permanent Mission to the United Nations Office at Geneva",
            kind=["substantive", "partial", "acknowledgement"][(days_ago or 0) % 3],
            assessment="The reply does not answer the questions on protection measures.",
        )
    letter = _fresh(communication)
    if status == Status.NO_REPLY or (status in {Status.FOLLOW_UP, Status.CLOSED} and not replied):
        _walk(communication, [(Status.NO_REPLY, coordinator, None)])
    if status == Status.FOLLOW_UP:
        follow_up = services.follow_up_draft(actor=actor, communication=_fresh(communication))
        _walk(
            follow_up,
            [
                (Status.SUBMITTED, actor, None),
                (Status.APPROVED, coordinator, None),
                (Status.SENT, coordinator, today - timedelta(days=(days_ago or 0) // 3)),
            ],
        )
    if status == Status.CLOSED:
        _walk(communication, [(Status.CLOSED, coordinator, None)])
    if published:
        letter = _fresh(communication)
        services.communication_publish(
            actor=coordinator, communication=letter, version=letter.version
        )


def _visits(coordinator: User, today: date) -> None:
    visits = [
        ("COL", 900, VisitStatus.DONE, 600, 10, "A/HRC/61/47/Add.1"),
        ("PHL", 700, VisitStatus.SCHEDULED, -40, 8, ""),
        ("KEN", 400, VisitStatus.ACCEPTED, None, None, ""),
        ("MEX", 350, VisitStatus.REQUESTED, None, None, ""),
        ("TUR", 800, VisitStatus.NO_RESPONSE, None, None, ""),
        ("BLR", 650, VisitStatus.DECLINED, None, None, ""),
    ]
    for country, asked, status, starts, length, symbol in visits:
        start = today - timedelta(days=starts) if starts is not None else None
        services.visit_record(
            actor=coordinator,
            country=country,
            requested_on=today - timedelta(days=asked),
            status=status,
            starts_on=start,
            ends_on=start + timedelta(days=length) if start and length else None,
            report_symbol=symbol,
        )

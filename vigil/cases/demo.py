"""Fictional case records for the demo: about 520 incidents in 36 countries, 2018-2026.

Everything goes through the services, so the demo data is audited, encrypted and
on the timelines exactly as real records would be. The people are made up by
Faker; the countries, violation patterns and proportions follow the shape of
what OHCHR and civil-society monitors report (most acts are threats, harassment
and judicial harassment; a minority are killings), not any real case.
"""

from datetime import date, timedelta
from random import Random
from typing import Any

from django.utils import timezone

from vigil.accounts.models import User
from vigil.cases import services
from vigil.cases.models import FOCUS_GROUP_FIELDS, Case
from vigil.cases.vocabularies import (
    DEPRIVATION_OF_LIBERTY,
    AgeGroup,
    BusinessSector,
    CaseOutcome,
    CaseStatus,
    DefenderKind,
    FocusGroup,
    Involvement,
    PerpetratorCategory,
    Priority,
    Reliability,
    ReprisalBody,
    RightAffected,
    RiskLevel,
    SexGender,
    SourceType,
    Verification,
    ViolationType,
)
from vigil.core.vocabularies import DatePrecision

DATASET = "cases"
INCIDENTS = 520
SEED = 72247

# Weighted: where monitors record many attacks weigh more. The demo officer's
# countries (Colombia, Guatemala, Kenya, the Philippines) are all here.
COUNTRIES = {
    "COL": 40, "MEX": 30, "BRA": 28, "HND": 18, "GTM": 18, "PHL": 30, "IND": 20, "PAK": 12,
    "BGD": 10, "KEN": 16, "UGA": 10, "COD": 12, "NGA": 10, "ZWE": 8, "EGY": 10, "TUR": 12,
    "RUS": 12, "BLR": 8, "AZE": 6, "IRN": 10, "SAU": 5, "CHN": 10, "VNM": 8, "THA": 8,
    "MMR": 10, "KHM": 6, "IDN": 8, "PER": 10, "NIC": 8, "VEN": 8, "ECU": 6, "SLV": 5,
    "TZA": 5, "CMR": 6, "ETH": 6, "ZAF": 5,
}  # fmt: skip

VIOLATIONS = {
    ViolationType.KILLING: 9, ViolationType.ATTEMPTED_KILLING: 4,
    ViolationType.ENFORCED_DISAPPEARANCE: 3, ViolationType.TORTURE: 3,
    ViolationType.ARBITRARY_DETENTION: 10, ViolationType.KIDNAPPING: 2,
    ViolationType.PHYSICAL_ATTACK: 8, ViolationType.THREATS: 18,
    ViolationType.HARASSMENT: 12, ViolationType.JUDICIAL_HARASSMENT: 12,
    ViolationType.SMEAR_CAMPAIGN: 7, ViolationType.SURVEILLANCE: 4,
    ViolationType.ONLINE_ATTACK: 6, ViolationType.RAID: 3, ViolationType.TRAVEL_BAN: 2,
    ViolationType.SEXUAL_VIOLENCE: 2, ViolationType.CLOSURE_OF_ORGANISATION: 2,
    ViolationType.DISMISSAL: 2, ViolationType.OTHER: 1,
}  # fmt: skip

PERPETRATORS = {
    PerpetratorCategory.POLICE: 16, PerpetratorCategory.MILITARY: 7,
    PerpetratorCategory.JUDICIARY: 10, PerpetratorCategory.INTELLIGENCE: 4,
    PerpetratorCategory.OFFICIALS: 8, PerpetratorCategory.BUSINESS: 9,
    PerpetratorCategory.PRIVATE_SECURITY: 6, PerpetratorCategory.ORGANISED_CRIME: 8,
    PerpetratorCategory.ARMED_GROUP: 8, PerpetratorCategory.COMMUNITY_OR_INDIVIDUAL: 6,
    PerpetratorCategory.UNKNOWN: 18,
}  # fmt: skip

OCCUPATIONS = [
    "community leader", "environmental activist", "human rights lawyer", "journalist",
    "trade union organiser", "indigenous leader", "land rights defender", "teacher",
    "women's rights activist", "LGBTI activist", "anti-corruption researcher", "blogger",
    "health worker", "student leader", "peasant leader",
]  # fmt: skip

COMPANIES = [
    "Andes Minerals", "Green Palm Holdings", "Rio Claro Energy", "Northstar Timber",
    "Pacifica Hydro", "Sunrise Textiles", "Atlas Security Services", "Delta Agro",
]  # fmt: skip

VERB = {
    ViolationType.KILLING: "was killed",
    ViolationType.ATTEMPTED_KILLING: "survived an attempt on their life",
    ViolationType.ENFORCED_DISAPPEARANCE: "disappeared after being taken away",
    ViolationType.TORTURE: "was tortured in custody",
    ViolationType.ARBITRARY_DETENTION: "was arrested and held without charge",
    ViolationType.KIDNAPPING: "was abducted",
    ViolationType.PHYSICAL_ATTACK: "was beaten",
    ViolationType.THREATS: "received death threats",
    ViolationType.HARASSMENT: "was followed and intimidated",
    ViolationType.JUDICIAL_HARASSMENT: "was charged with defamation and public disorder",
    ViolationType.SMEAR_CAMPAIGN: "was called a terrorist in the press",
    ViolationType.SURVEILLANCE: "found spyware on their phone",
    ViolationType.ONLINE_ATTACK: "was targeted by a coordinated online campaign",
    ViolationType.RAID: "had their office raided",
    ViolationType.TRAVEL_BAN: "was stopped at the airport and banned from travelling",
    ViolationType.SEXUAL_VIOLENCE: "was sexually assaulted",
    ViolationType.CLOSURE_OF_ORGANISATION: "saw their organisation deregistered",
    ViolationType.DISMISSAL: "was dismissed from their job",
    ViolationType.OTHER: "was targeted",
}


def _pick(random: Any, weights: dict) -> Any:
    return random.choices(list(weights), weights=list(weights.values()))[0]


def _date_between(random: Any, start: date, end: date) -> date:
    # More recent years weigh more: monitoring has grown, and so have attacks.
    span = (end - start).days
    return start + timedelta(days=int(span * random.random() ** 0.8))


def _defender(fake: Any, random: Any, actor: User, country: str) -> Any:
    kind = random.choices(list(DefenderKind), weights=[85, 8, 7])[0]
    occupation = random.choice(OCCUPATIONS)
    if kind == DefenderKind.PERSON:
        sex = random.choices(
            [SexGender.WOMAN, SexGender.MAN, SexGender.NON_BINARY, SexGender.UNKNOWN],
            weights=[40, 50, 3, 7],
        )[0]
        name = fake.name_female() if sex == SexGender.WOMAN else fake.name_male()
    else:
        sex = SexGender.UNKNOWN
        name = (
            f"{fake.city()} {random.choice(['Collective', 'Association', 'Network', 'Committee'])}"
        )
    focus = {field: random.random() < 0.22 for field in FOCUS_GROUP_FIELDS.values()}
    if "environment" in occupation or "land" in occupation or "indigenous" in occupation:
        focus[FOCUS_GROUP_FIELDS[FocusGroup.ENVIRONMENT_LAND_INDIGENOUS]] = True
    return services.defender_create(
        actor=actor,
        kind=kind,
        name=name,
        aliases=fake.first_name() if random.random() < 0.2 else "",
        contact=fake.phone_number() if random.random() < 0.6 else "",
        sex_gender=sex,
        age_group=random.choice(list(AgeGroup))
        if kind == DefenderKind.PERSON
        else AgeGroup.UNKNOWN,
        country=country,
        occupation=occupation,
        is_hrd=True,
        is_journalist=occupation in {"journalist", "blogger"} or random.random() < 0.05,
        is_trade_unionist=occupation == "trade union organiser" or random.random() < 0.04,
        # Most agree to their name reaching the State; fewer to companies or the public.
        consent_share_state=random.random() < 0.6,
        consent_share_business=random.random() < 0.35,
        consent_publish=random.random() < 0.3,
        **focus,
    )


def _actor_for(country: str, officer: User, coordinator: User) -> User:
    return officer if country in officer.countries else coordinator


def load(*, fake: Any, stdout: Any) -> None:
    # Its own seeded generator: the same demo on every machine (not for secrets).
    random = Random(SEED)  # noqa: S311
    officer = User.objects.get(username="officer")
    coordinator = User.objects.get(username="coordinator")
    today = timezone.localdate()
    cases_by_country: dict[str, list[Case]] = {}

    for _ in range(INCIDENTS):
        country = _pick(random, COUNTRIES)
        actor = _actor_for(country, officer, coordinator)
        open_cases = cases_by_country.setdefault(country, [])
        case = random.choice(open_cases) if open_cases and random.random() < 0.3 else None
        victims = [
            _defender(fake, random, actor, country)
            for _ in range(random.choices([1, 2, 3], [70, 22, 8])[0])
        ]
        violation = _pick(random, VIOLATIONS)
        start = _date_between(random, date(2018, 1, 1), today - timedelta(days=1))
        precision = random.choices(list(DatePrecision), weights=[80, 12, 5, 3])[0]
        city = fake.city()
        lead = victims[0]
        if case is None:
            case = services.case_create(
                actor=actor,
                title=f"{lead.name}: {ViolationType(violation).label}",
                country=country,
                priority=random.choices(list(Priority), weights=[15, 50, 25, 10])[0],
                risk=random.choices(list(RiskLevel), weights=[15, 40, 35, 10])[0],
            )
            open_cases.append(case)
        for victim in victims:
            services.case_add_defender(actor=actor, case=case, defender=victim)
        incident = services.incident_create(
            actor=actor,
            case=case,
            title=f"{lead.name} {VERB[violation]} in {city}",
            narrative=(
                f"{lead.name}, a {lead.occupation}, {VERB[violation]} near {city}. "
                f"{fake.paragraph(nb_sentences=3)}"
            ),
            start_date=start,
            start_precision=precision,
            end_date=min(start + timedelta(days=random.randint(0, 30)), today)
            if random.random() < 0.3
            else None,
            country=country,
            place=city,
            online=violation in {ViolationType.ONLINE_ATTACK, ViolationType.SMEAR_CAMPAIGN}
            and random.random() < 0.7,
        )
        acts = []
        for victim in victims:
            this_violation = violation if random.random() < 0.8 else _pick(random, VIOLATIONS)
            perpetrator = _pick(random, PERPETRATORS)
            fields: dict[str, Any] = {
                "rights_affected": random.sample(
                    [r.value for r in RightAffected], k=random.randint(1, 3)
                ),
                "reprisal": random.random() < 0.07,
            }
            if fields["reprisal"]:
                fields["reprisal_body"] = random.choice(list(ReprisalBody))
            if this_violation in DEPRIVATION_OF_LIBERTY:
                held = start + timedelta(days=random.randint(0, 3))
                fields.update(
                    detention_start=min(held, today),
                    detention_end=min(held + timedelta(days=random.randint(1, 400)), today)
                    if random.random() < 0.6
                    else None,
                    detention_place=f"{city} police station",
                    charges=random.choice(
                        ["public disorder", "terrorism", "defamation", "illegal assembly"]
                    ),
                    laws_invoked=random.choice(
                        ["Penal Code art. 146", "Anti-terrorism Act s. 21", "Cybercrime Act s. 12"]
                    ),
                )
            perpetrator_fields = {
                "category": perpetrator,
                "involvement": random.choices(list(Involvement), weights=[60, 12, 10, 8, 10])[0],
            }
            if perpetrator == PerpetratorCategory.BUSINESS:
                perpetrator_fields.update(
                    company_name=random.choice(COMPANIES),
                    company_sector=random.choice(list(BusinessSector)),
                    company_country=random.choice(
                        ["CAN", "USA", "GBR", "CHN", "NLD", "ESP", country]
                    ),
                )
            acts.append(
                services.act_create(
                    actor=actor,
                    incident=incident,
                    victim=victim,
                    violation=this_violation,
                    perpetrators=[perpetrator_fields],
                    **fields,
                )
            )
        sources = random.choices([0, 1, 2, 3], weights=[8, 35, 40, 17])[0]
        for _n in range(sources):
            services.source_create(
                actor=actor,
                incident=incident,
                acts=acts,
                name=random.choice(
                    [
                        fake.company(),
                        f"{fake.city()} Daily",
                        "Local partner organisation",
                        "Witness statement",
                    ]
                ),
                kind=random.choice(list(SourceType)),
                reported_on=min(start + timedelta(days=random.randint(0, 20)), today),
                language=random.choice(["en", "es", "fr", "pt", "ar", "ru"]),
                public=random.random() < 0.4,
                reliability=random.choices(list(Reliability), weights=[45, 30, 10, 15])[0],
            )
        for act in acts:
            _verify(random, actor, act, sources)
        _progress_case(random, actor, case)


def _verify(random: Any, actor: User, act: Any, sources: int) -> None:
    if sources == 0:
        status = random.choice([Verification.REPORTED, Verification.UNDER_REVIEW])
        count = 0
    elif sources >= 2 and random.random() < 0.7:
        status, count = Verification.VERIFIED, random.randint(2, sources)
    else:
        status = random.choices(
            [
                Verification.VERIFIED,
                Verification.UNDER_REVIEW,
                Verification.NOT_VERIFIED,
                Verification.REJECTED,
                Verification.REPORTED,
            ],
            weights=[20, 35, 15, 5, 25],
        )[0]
        count = 1 if status == Verification.VERIFIED else 0
    if status != Verification.REPORTED:
        services.act_set_verification(
            actor=actor,
            act=act,
            version=act.version,
            verification=status,
            independent_sources=count,
        )


def _progress_case(random: Any, actor: User, case: Case) -> None:
    case.refresh_from_db()
    status = random.choices(list(CaseStatus), weights=[15, 20, 30, 15, 20])[0]
    if status == case.status:
        return
    outcome = random.choice(list(CaseOutcome)) if status == CaseStatus.CLOSED else ""
    services.case_update(
        actor=actor, case=case, version=case.version, status=status, outcome=outcome
    )

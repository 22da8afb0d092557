"""Demo State measures in many countries: restrictive NGO, security and cybercrime
laws, protection mechanisms and programmes, focal points and public statements,
with status histories, recommendations and their uptake, and a few proposals from
the stakeholder account waiting for review."""

from datetime import timedelta
from random import Random
from typing import Any

from django.utils import timezone

from vigil.accounts.models import User
from vigil.communications.models import Communication
from vigil.library.demo import paragraph
from vigil.measures import services
from vigil.measures.models import Measure

DATASET = "measures"
SEED = 72250

# (country, kind, title, effect, themes, steps from the first status, paragraphs)
MEASURES = [
    ("KEN", "bill", "Public Benefit Organisations (Amendment) Bill", "restrictive",
     ["association", "foreign_agents"], ["draft", "parliament"], [4, 5]),
    ("PHL", "law", "Anti-Terrorism Act", "restrictive", ["security"],
     ["parliament", "adopted", "in_force"], [4, 7]),
    ("GTM", "law", "Amendments to the Law on Non-Governmental Organisations", "restrictive",
     ["association"], ["parliament", "adopted", "in_force"], [4]),
    ("COL", "mechanism", "National Protection Unit for human rights defenders", "enabling",
     ["protection"], ["adopted", "in_force", "amended"], [2, 5]),
    ("MEX", "mechanism", "Protection Mechanism for Human Rights Defenders and Journalists",
     "enabling", ["protection", "media"], ["adopted", "in_force"], [2]),
    ("BRA", "programme", "Programme for the Protection of Human Rights Defenders", "mixed",
     ["protection", "environment"], ["adopted", "in_force"], [2, 10]),
    ("HND", "law", "Law on the Protection of Defenders, Journalists and Justice Operators",
     "enabling", ["protection", "media", "justice"], ["parliament", "adopted", "in_force"], [2]),
    ("RUS", "law", "Law on foreign agents", "restrictive", ["foreign_agents", "association"],
     ["parliament", "adopted", "in_force", "amended"], [4]),
    ("BLR", "law", "Amendments to the Criminal Code on unregistered organisations",
     "restrictive", ["association"], ["adopted", "in_force"], [4, 9]),
    ("NGA", "bill", "Cybercrime (Prohibition, Prevention, etc.) Amendment Bill", "restrictive",
     ["cybercrime"], ["draft", "parliament"], [4]),
    ("PAK", "law", "Prevention of Electronic Crimes Act amendments", "restrictive",
     ["cybercrime", "defamation"], ["parliament", "adopted"], [4]),
    ("TUR", "law", "Law on preventing the financing of the proliferation of weapons",
     "restrictive", ["association", "security"], ["adopted", "in_force"], [4]),
    ("IND", "law", "Foreign Contribution (Regulation) Amendment Act", "restrictive",
     ["foreign_agents", "association"], ["parliament", "adopted", "in_force"], [4]),
    ("UGA", "law", "Public Order Management Act", "restrictive", ["assembly"],
     ["adopted", "in_force", "struck_down"], [2]),
    ("NLD", "focal_point", "Human rights defenders focal point at the Ministry of Foreign Affairs",
     "enabling", ["protection"], ["adopted"], [13]),
    ("ESP", "statement", "Government statement on the twentieth anniversary of the Declaration",
     "enabling", ["protection"], ["adopted"], [4, 14]),
    ("CIV", "law", "Law on the promotion and protection of human rights defenders", "enabling",
     ["protection"], ["parliament", "adopted", "in_force"], [2, 13]),
    ("ZWE", "bill", "Private Voluntary Organisations Amendment Bill", "restrictive",
     ["association", "foreign_agents"], ["draft", "parliament", "adopted"], [4]),
    ("PER", "consultative", "Intersectoral mechanism for the protection of defenders",
     "enabling", ["protection", "environment"], ["adopted", "in_force"], [5]),
    ("EGY", "law", "NGO Law 149 of 2019", "restrictive", ["association", "foreign_agents"],
     ["parliament", "adopted", "in_force"], [4]),
]  # fmt: skip
RECOMMENDATIONS = [
    ("nhri", "Withdraw the bill, or bring its definitions in line with international law."),
    ("special_procedures", "Repeal the provisions that allow associations to be closed "
     "without a court's decision."),
    ("upr", "Ensure that civil society is consulted before the law is amended."),
    ("nhri", "Give the protection mechanism its own budget and staff in every region."),
]  # fmt: skip
PROPOSALS = [
    ("SLV", "law", "Foreign Agents Law", "restrictive", ["foreign_agents"]),
    ("KEN", "policy", "County guidelines on peaceful assembly", "mixed", ["assembly"]),
    ("COL", "statement", "Public recognition of social leaders by the Ombudsperson", "enabling",
     ["protection"]),
]  # fmt: skip


def load(*, fake: Any, stdout: Any) -> None:
    random = Random(SEED)  # noqa: S311 - a repeatable demo, not a secret
    coordinator = User.objects.get(username="coordinator")
    stakeholder = User.objects.get(username="stakeholder")
    today = timezone.localdate()
    for country, kind, title, effect, themes, steps, paragraphs in MEASURES:
        start = today - timedelta(days=random.randint(400, 2400))
        letters = Communication.objects.filter(kind="OL", addressees__country=country)
        measure = services.measure_create(
            actor=coordinator, country=country, kind=kind, title=title, effect=effect,
            status=steps[0], status_on=start, themes=themes,
            description=f"{title}. {fake.paragraph(nb_sentences=3)}",
            impact=fake.paragraph(nb_sentences=4) if effect != "enabling" else "",
            communications=list(letters), paragraphs=[paragraph(n) for n in paragraphs],
        )  # fmt: skip
        on = start
        for step in steps[1:]:
            on = min(on + timedelta(days=random.randint(60, 400)), today)
            services.measure_status_add(actor=coordinator, measure=measure, status=step, on=on)
        for source, text in random.sample(RECOMMENDATIONS, k=random.randint(0, 2)):
            services.recommendation_add(
                actor=coordinator, measure=measure, source=source, text=text,
                made_on=min(start + timedelta(days=90), today),
                uptake=random.choice(["unknown", "no", "partly", "yes"]),
            )  # fmt: skip
    for country, kind, title, effect, themes in PROPOSALS:
        services.measure_create(
            actor=stakeholder, country=country, kind=kind, title=title, effect=effect,
            status="adopted", status_on=today - timedelta(days=random.randint(20, 200)),
            themes=themes, description=fake.paragraph(nb_sentences=2),
        )  # fmt: skip
    stdout.write(f"  {Measure.objects.count()} State measures")

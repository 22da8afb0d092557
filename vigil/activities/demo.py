"""Demo activity reports in every review state, from every type of stakeholder,
linked to the paragraphs of 72/247 they answer (14 and 15 above all)."""

from datetime import timedelta
from random import Random
from typing import Any

from django.utils import timezone

from vigil.accounts.models import User
from vigil.activities import services
from vigil.activities.models import ActivityReport, ReviewState
from vigil.library.demo import paragraph

DATASET = "activities"
SEED = 72251

# (stakeholder, type, title, kind, levels, countries, languages)
REPORTS = [
    ("Ministry of Foreign Affairs", "state", "Dialogue with defenders on the Declaration",
     "event", ["national"], ["NLD"], "Dutch, English"),
    ("Defensoría del Pueblo", "nhri", "Training for community leaders on self-protection",
     "training", ["local", "national"], ["COL"], "Spanish"),
    ("Kenya National Commission on Human Rights", "nhri", "County workshops on the Declaration",
     "training", ["local"], ["KEN"], "English, Swahili"),
    ("OHCHR Regional Office for Central America", "ohchr",
     "Regional campaign: defenders make democracy work", "campaign", ["regional"],
     ["GTM", "HND", "SLV"], "Spanish"),
    ("UNESCO", "un_entity", "Safety of journalists course", "training", ["international"],
     ["MEX", "COL", "PHL"], "English, Spanish"),
    ("African Commission on Human and Peoples' Rights", "regional",
     "Statement on the twentieth anniversary of the Declaration", "statement",
     ["regional"], ["KEN", "UGA", "NGA", "ZWE"], "English, French"),
    ("Red Nacional de Defensoras", "civil_society",
     "Translation of the Declaration into Quechua", "translation", ["national"], ["PER"],
     "Quechua, Spanish"),
    ("Karapatan Alliance", "civil_society", "Pocket guide to the Declaration", "publication",
     ["national"], ["PHL"], "Filipino, English"),
    ("Business Network on Civic Freedoms", "business",
     "Guidance for companies on engaging with defenders", "publication", ["international"],
     ["GBR", "NLD", "BRA"], "English, Portuguese"),
    ("Front Line Defenders", "civil_society", "Digital security clinics", "training",
     ["local", "international"], ["TUR", "AZE"], "Turkish, Azerbaijani"),
]  # fmt: skip
STATES = [
    ReviewState.ACCEPTED, ReviewState.ACCEPTED, ReviewState.ACCEPTED, ReviewState.ACCEPTED,
    ReviewState.SUBMITTED, ReviewState.RETURNED, ReviewState.ACCEPTED, ReviewState.REJECTED,
    ReviewState.ACCEPTED, ReviewState.SUBMITTED,
]  # fmt: skip


def load(*, fake: Any, stdout: Any) -> None:
    random = Random(SEED)  # noqa: S311 - a repeatable demo, not a secret
    stakeholder = User.objects.get(username="stakeholder")
    officer = User.objects.get(username="officer")
    today = timezone.localdate()
    for (name, kind, title, activity, levels, countries, languages), state in zip(
        REPORTS, STATES, strict=True
    ):
        start = today - timedelta(days=random.randint(15, 500))
        report = services.report_submit(
            actor=stakeholder, stakeholder=name, stakeholder_type=kind, title=title,
            kind=activity, starts_on=start,
            ends_on=start + timedelta(days=random.randint(0, 3)) if activity != "statement"
            else None,
            **{f"level_{level}": True for level in levels}, countries=countries,
            languages=languages, audience=random.choice(
                ["Community leaders", "Lawyers and judges", "Journalists", "The public"]
            ),
            description=fake.paragraph(nb_sentences=4),
            links="https://example.org/activity" if random.random() < 0.5 else "",
            paragraphs=[paragraph(14), paragraph(15)] if random.random() < 0.7
            else [paragraph(15)],
        )  # fmt: skip
        if state != ReviewState.SUBMITTED:
            comment = {
                ReviewState.RETURNED: "Please add the number of participants.",
                ReviewState.REJECTED: "This activity took place before the Declaration's "
                "anniversary programme and is reported elsewhere.",
            }.get(state, "")
            services.report_review(
                actor=officer, report=report, version=report.version, decision=state,
                comment=comment,
            )  # fmt: skip
    stdout.write(f"  {ActivityReport.objects.count()} activity reports")

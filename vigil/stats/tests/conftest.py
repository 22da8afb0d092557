"""Two small datasets, built by hand: `dataset`, with the awkward cases of SDG
16.10.1 (a victim in two categories, an unverified act, an act outside the period,
the same victim twice, an organisation, a victim attacked in two countries), and
`records`, five acts in cases, for the breakdowns."""

from datetime import date

import pytest

from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import DefenderKind, ViolationType
from vigil.stats.tests.builders import verified

START, END = date(2025, 1, 1), date(2025, 12, 31)


@pytest.fixture
def dataset(carol):
    person = DefenderKind.PERSON
    # A: a woman defender who is also a journalist, detained twice and tortured.
    a = make.defender(carol, name="A", sex_gender="woman", is_journalist=True)
    verified(carol, a, ViolationType.ARBITRARY_DETENTION, date(2025, 2, 1), perpetrators=["police"])
    verified(carol, a, ViolationType.ARBITRARY_DETENTION, date(2025, 5, 1), perpetrators=["police"])
    verified(carol, a, ViolationType.TORTURE, date(2025, 5, 2), perpetrators=["military"])
    # B: a trade unionist (not an HRD) kidnapped in Kenya by an armed group.
    b = make.defender(
        carol, name="B", country="KEN", sex_gender="man", is_hrd=False, is_trade_unionist=True
    )
    verified(carol, b, ViolationType.KIDNAPPING, date(2025, 7, 1), "KEN", ["armed_group"])
    # C: a killing that is only reported, not verified: not counted.
    c = make.defender(carol, name="C", kind=person)
    verified(carol, c, ViolationType.KILLING, date(2025, 3, 1), verify=False)
    # D: threatened in the Philippines before the period (not counted) and in it,
    # by the police with a company.
    d = make.defender(carol, name="D", country="PHL", sex_gender="woman")
    verified(carol, d, ViolationType.THREATS, date(2024, 12, 20), "PHL", ["police"])
    verified(carol, d, ViolationType.THREATS, date(2025, 9, 1), "PHL", ["police", "business"])
    # E: an organisation, raided: not a person, not counted.
    e = make.defender(carol, name="E", kind=DefenderKind.ORGANISATION)
    verified(carol, e, ViolationType.RAID, date(2025, 4, 1))
    # F: disappeared in Colombia and again in Kenya, with no perpetrator recorded.
    f = make.defender(carol, name="F", sex_gender="man")
    verified(carol, f, ViolationType.ENFORCED_DISAPPEARANCE, date(2025, 3, 1))
    verified(carol, f, ViolationType.ENFORCED_DISAPPEARANCE, date(2025, 4, 1), "KEN")


@pytest.fixture
def records(carol):
    """For the breakdowns (test_counting.py, test_freshness.py): five acts in four
    incidents; case K1 holds three incidents, K2 one of them too, and one incident
    belongs to no case.

    a1  A torture      2024 COL  police + company   K1
    a2  A threats      2024 COL  police             K1
    a3  B killing      2025 COL  nobody recorded    K1       reprisal
    a4  C raid         2025 KEN  armed group        K1, K2   (C is an organisation)
    a5  D detention    2025 PHL  military           none     reprisal
    """
    k1 = make.case(carol, title="K1")
    k2 = make.case(carol, title="K2", country="KEN")
    a = make.defender(carol, name="A", sex_gender="woman", is_journalist=True, focus_business=True)
    b = make.defender(carol, name="B", sex_gender="man")
    c = make.defender(carol, name="C", kind=DefenderKind.ORGANISATION, focus_environment=True)
    d = make.defender(
        carol, name="D", country="PHL", sex_gender="woman", is_hrd=False, is_trade_unionist=True
    )
    i1 = make.incident(carol, case=k1, start_date=date(2024, 6, 1))
    i2 = make.incident(carol, case=k1, start_date=date(2025, 2, 1))
    i3 = make.incident(carol, case=k1, country="KEN", start_date=date(2025, 3, 1))
    k2.incidents.add(i3)
    i4 = make.incident(carol, country="PHL", start_date=date(2025, 4, 1))

    def act(incident, victim, violation, perpetrators=(), **fields):
        return make.act(
            carol, incident=incident, victim=victim, violation=violation,
            perpetrators=[{"category": p} for p in perpetrators], **fields,
        )  # fmt: skip

    act(i1, a, ViolationType.TORTURE, ["police", "business"])
    act(i1, a, ViolationType.THREATS, ["police"])
    act(i2, b, ViolationType.KILLING, reprisal=True)
    act(i3, c, ViolationType.RAID, ["armed_group"])
    act(i4, d, ViolationType.ARBITRARY_DETENTION, ["military"], reprisal=True)
    return {"a": a, "i4": i4}

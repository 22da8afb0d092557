"""Verified acts for the statistics tests, made through the services."""

from vigil.cases import services
from vigil.cases.tests import factories as make


def verified(actor, victim, violation, on, country="COL", perpetrators=(), verify=True):
    incident = make.incident(actor, country=country, start_date=on)
    act = make.act(
        actor, incident=incident, victim=victim, violation=violation,
        perpetrators=[{"category": p} for p in perpetrators],
    )  # fmt: skip
    if verify:
        make.source(actor, incident=incident, acts=[act])
        act.refresh_from_db()
        services.act_set_verification(
            actor=actor, act=act, version=act.version, verification="verified",
            independent_sources=1,
        )  # fmt: skip
    return act

"""Verified acts for the statistics tests, made through the services."""

from vigil.cases import services
from vigil.cases.tests import factories as make


def verified(
    actor, victim, violation, on, country="COL", perpetrators=(), verify=True, sources=2, case=None
):
    """An act on its own incident (of `case`, when given); verified (unless `verify`
    is False) on `sources` independent, reliable sources: two, the 16.10.1
    methodology's minimum."""
    incident = make.incident(actor, country=country, start_date=on, case=case)
    act = make.act(
        actor, incident=incident, victim=victim, violation=violation,
        perpetrators=[{"category": p} for p in perpetrators],
    )  # fmt: skip
    if verify:
        for n in range(sources):
            make.source(actor, incident=incident, acts=[act], name=f"Source {n + 1}")
        act.refresh_from_db()
        services.act_set_verification(
            actor=actor, act=act, version=act.version, verification="verified",
            independent_sources=sources,
        )  # fmt: skip
    return act


def counted(breakdown):
    """A breakdown's buckets that count something: key -> (acts, victims, cases)."""
    return {b.key: (b.acts, b.victims, b.cases) for b in breakdown.buckets if b.acts}

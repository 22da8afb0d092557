"""Every report `build_report` and the desk can build, in one table: its name, its
label, the function that composes it, and the permissions needed to build it from
the desk. A new kind is a module that composes a `pipeline.Composed` and a line here.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from vigil.core.permissions import Perm, has_perm
from vigil.reports import (
    annual,
    assessment,
    communications,
    compilation,
    pipeline,
    reprisals,
    sdg16101,
)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # lazily translated
    compose: pipeline.Composer
    requires: tuple[Perm, ...] = (Perm.BUILD_REPORTS,)  # all of them, to build it from the desk


KINDS = {
    kind.name: kind
    for kind in (
        Kind("sdg16101", _("SDG indicator 16.10.1"), sdg16101.compose),
        Kind(
            "annual", _("Annual report annex: communications, visits and themes"),
            annual.compose,
        ),
        Kind(
            "assessment", _("Assessment and analysis of the situation of defenders"),
            assessment.compose,
        ),
        Kind(
            "reprisals", _("Reprisals for cooperation with the United Nations"),
            reprisals.compose,
            # It names the people who consented: for those who may see identities.
            requires=(Perm.BUILD_REPORTS, Perm.VIEW_IDENTITIES),
        ),
        Kind(
            "communications", _("Communications report"), communications.compose,
            # It lists letters still confidential: for those who approve and send them.
            requires=(Perm.APPROVE_COMMUNICATIONS,),
        ),
        Kind(
            "compilation", _("Compilation of stakeholders' activity reports"),
            compilation.compose,
        ),
    )
}  # fmt: skip


def names() -> list[str]:
    return sorted(KINDS)


def allowed(user: Any) -> list[Kind]:
    """The reports `user` may build from the desk, in the order of their labels."""
    kinds = [k for k in KINDS.values() if all(has_perm(user, p) for p in k.requires)]
    return sorted(kinds, key=lambda k: str(k.label))


def label(name: str) -> str:
    return str(KINDS[name].label)


def build(name: str, *, start: date, end: date, fmt: str, **options: Any) -> pipeline.Built:
    """Compose the report `name` for the period and render it as `fmt` (options:
    `progress`, `language`, and the kind's own, such as `replies_from`)."""
    return pipeline.build(name, KINDS[name].compose, start=start, end=end, fmt=fmt, **options)

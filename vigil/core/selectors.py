"""Reads for the desk's dashboard. Every figure is a query, scoped to the viewer."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.core.models import AuditEntry
from vigil.core.permissions import Perm, has_perm
from vigil.core.vocabularies import Role


@dataclass(frozen=True)
class Figure:
    label: str
    value: int


# Each app adds the figures it knows about (registered in its AppConfig.ready), so
# that core does not depend on the apps built on it.
FigureSource = Callable[[Any], list[Figure]]
_sources: list[FigureSource] = []


def register_figures(source: FigureSource) -> FigureSource:
    if source not in _sources:
        _sources.append(source)
    return source


@dataclass(frozen=True)
class Panel:
    """A section of the dashboard that an app fills: a template and its context."""

    template: str
    context: dict[str, Any]


PanelSource = Callable[[Any], Panel | None]
_panels: list[PanelSource] = []


def register_panel(source: PanelSource) -> PanelSource:
    if source not in _panels:
        _panels.append(source)
    return source


def dashboard_panels(user: Any) -> list[Panel]:
    return [panel for source in _panels if (panel := source(user)) is not None]


def accounts_by_role() -> list[Figure]:
    """Active accounts per role, every role listed even when it has none."""
    rows = get_user_model().objects.filter(is_active=True).values("role").annotate(n=Count("id"))
    counts = {row["role"]: row["n"] for row in rows}
    return [Figure(label=str(role.label), value=counts.get(role.value, 0)) for role in Role]


def audit_entries_since(*, hours: int = 24) -> int:
    return AuditEntry.objects.filter(at__gte=timezone.now() - timedelta(hours=hours)).count()


def actions_by(user: Any, *, days: int = 7) -> int:
    since = timezone.now() - timedelta(days=days)
    return AuditEntry.objects.filter(actor_id=user.pk, at__gte=since).count()


def dashboard_figures(user: Any) -> list[Figure]:
    """The figures the dashboard shows `user`, in the order shown."""
    figures: list[Figure] = [
        Figure(label=str(_("Your recorded actions in the last 7 days")), value=actions_by(user))
    ]
    if has_perm(user, Perm.VIEW_AUDIT_TRAIL):
        figures.append(
            Figure(label=str(_("Audit entries in the last 24 hours")), value=audit_entries_since())
        )
    for source in _sources:
        figures.extend(source(user))
    if has_perm(user, Perm.MANAGE_USERS):
        figures.extend(
            Figure(label=str(_("Active accounts: %(role)s") % {"role": f.label}), value=f.value)
            for f in accounts_by_role()
        )
    return figures

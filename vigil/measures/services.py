"""Every change to State measures: checked, audited, optimistically locked."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vigil.cases.access import cases_for_user
from vigil.cases.services import StaleRecord
from vigil.communications.access import communications_for_user
from vigil.core import audit
from vigil.core.links import keeping_hidden
from vigil.core.permissions import Perm, has_perm, in_scope
from vigil.measures.models import (
    Measure,
    MeasureTheme,
    Recommendation,
    Review,
    StatusChange,
)

LINKS = ("communications", "cases", "paragraphs")


def _check_scope(actor: Any, country: str) -> None:
    if has_perm(actor, Perm.MANAGE_MEASURES) and not in_scope(actor, country):
        raise ValidationError({"country": _("This country is not among yours.")})


# The linked records an actor may open; the others are kept on every save (core/links.py).
REACHABLE = {"communications": communications_for_user, "cases": cases_for_user}


def _set_links(
    actor: Any, measure: Measure, themes: Iterable[str] | None, chosen: dict[str, Any]
) -> list[str]:
    """Set the themes and links given. Links to letters and cases the actor may not
    open stay as they are: the actor chose among those they may open."""
    changed = []
    if themes is not None:
        measure.theme_rows.all().delete()
        MeasureTheme.objects.bulk_create(
            MeasureTheme(measure=measure, theme=t) for t in dict.fromkeys(themes)
        )
        changed.append("themes")
    for name in LINKS:
        if chosen.get(name) is None:
            continue
        wanted = list(chosen[name])
        if name in REACHABLE:
            reachable = REACHABLE[name](actor)
            pks = {r.pk for r in wanted}
            if reachable.filter(pk__in=pks).count() != len(pks):  # the forms offer none
                raise PermissionDenied(_("You may not link records you cannot open."))
            wanted = keeping_hidden(getattr(measure, name).all(), reachable, wanted)
        getattr(measure, name).set(wanted)
        changed.append(name)
    return changed


def _current_status(measure: Measure) -> None:
    latest = measure.history.order_by("-on", "-pk").first()
    if latest is not None:
        measure.status = latest.status


@transaction.atomic
def measure_create(
    *, actor: Any, status_on: date, themes: Iterable[str] = (), **fields: Any
) -> Measure:
    """Record a measure. Staff record it as accepted; a stakeholder proposes it, and
    it waits for staff to review it."""
    links = {name: fields.pop(name, None) for name in LINKS}
    if has_perm(actor, Perm.MANAGE_MEASURES):
        review, proposer = Review.ACCEPTED, None
        _check_scope(actor, fields.get("country", ""))
    elif has_perm(actor, Perm.PROPOSE_MEASURES):
        review, proposer = Review.PROPOSED, actor
        links = {name: None for name in LINKS}  # stakeholders do not see cases or letters
    else:
        raise PermissionDenied(_("You may not record State measures."))
    measure = Measure(created_by=actor, review=review, proposed_by=proposer, **fields)
    measure.full_clean()
    measure.save()
    StatusChange.objects.create(
        measure=measure, status=measure.status, on=status_on, recorded_by=actor
    )
    changed = _set_links(actor, measure, themes, links)
    audit.record(
        actor=actor,
        action="measures.proposed" if review == Review.PROPOSED else "measures.recorded",
        obj=measure,
        fields=[*fields, *changed],
    )
    return measure


@transaction.atomic
def measure_update(
    *, actor: Any, measure: Measure, version: int, themes: Iterable[str] | None = None,
    **changes: Any,
) -> Measure:  # fmt: skip
    links = {name: changes.pop(name, None) for name in LINKS}
    current = Measure.objects.select_for_update().get(pk=measure.pk)
    if current.version != version:
        raise StaleRecord(current)
    _check_scope(actor, changes.get("country", current.country))
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, changes[name])
    current.full_clean()
    current.version += 1
    current.save()
    changed += _set_links(actor, current, themes, links)
    audit.record(actor=actor, action="measures.changed", obj=current, fields=changed)
    return current


@transaction.atomic
def measure_status_add(
    *, actor: Any, measure: Measure, status: str, on: date, note: str = ""
) -> StatusChange:
    """A step in the measure's life. The current status is that of the latest date,
    so steps may be recorded in any order."""
    change = StatusChange(measure=measure, status=status, on=on, note=note, recorded_by=actor)
    change.full_clean()
    if StatusChange.objects.filter(measure=measure, status=status, on=on).exists():
        raise ValidationError(_("This step is already recorded."))
    change.save()
    current = Measure.objects.select_for_update().get(pk=measure.pk)
    _current_status(current)
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit.record(actor=actor, action="measures.status_recorded", obj=current, fields=["status"])
    return change


@transaction.atomic
def recommendation_add(*, actor: Any, measure: Measure, **fields: Any) -> Recommendation:
    recommendation = Recommendation(measure=measure, **fields)
    recommendation.full_clean()
    recommendation.save()
    audit.record(
        actor=actor, action="measures.recommendation_added", obj=measure, fields=list(fields)
    )
    return recommendation


@transaction.atomic
def recommendation_uptake(*, actor: Any, recommendation: Recommendation, uptake: str) -> None:
    recommendation.uptake = uptake
    recommendation.full_clean()
    recommendation.save(update_fields=["uptake"])
    audit.record(
        actor=actor, action="measures.uptake_changed", obj=recommendation.measure,
        fields=["uptake"],
    )  # fmt: skip


@transaction.atomic
def measure_review(
    *, actor: Any, measure: Measure, version: int, decision: str, comment: str = ""
) -> Measure:
    """Accept or reject a stakeholder's proposal."""
    if not has_perm(actor, Perm.MANAGE_MEASURES):
        raise PermissionDenied(_("Only staff review proposed measures."))
    current = Measure.objects.select_for_update().get(pk=measure.pk)
    if current.version != version:
        raise StaleRecord(current)
    if current.review != Review.PROPOSED:
        raise ValidationError(_("Only a proposed measure can be reviewed."))
    if decision not in {Review.ACCEPTED, Review.REJECTED}:
        raise ValidationError(_("Accept or reject the proposal."))
    if decision == Review.REJECTED and not comment.strip():
        raise ValidationError({"comment": _("Say why the proposal is rejected.")})
    current.review, current.review_comment = decision, comment
    current.version += 1
    current.save()
    audit.record(actor=actor, action=f"measures.{decision}", obj=current, fields=["review"])
    return current

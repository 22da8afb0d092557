"""Actions that change case records.

Every service is keyword-only, validates before it writes (the model's `clean()`
holds the rules that concern one record; the rules that span records are here),
writes its audit entry and the case timeline in the same transaction, and, for an
update, refuses to overwrite a version the caller has not seen (`StaleRecord`).
"""

import hashlib
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.models import (
    Act,
    Case,
    CaseCounter,
    CaseEvent,
    CaseNote,
    CaseTask,
    Defender,
    DefenderName,
    DefenderRelation,
    Evidence,
    Incident,
    Perpetrator,
    Source,
    Tracked,
)
from vigil.cases.vocabularies import Verification
from vigil.core import audit
from vigil.core.permissions import in_scope
from vigil.vault import files, index, search

NAME_INDEX = "defender-name"

T = TypeVar("T", bound=Tracked)


class StaleRecord(Exception):
    """Someone else saved the record after the caller loaded it."""

    def __init__(self, record: models.Model) -> None:
        super().__init__(f"{record._meta.label} {record.pk} changed since it was loaded")
        self.record = record


def _changed_fields(before: models.Model, after: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in after.items() if getattr(before, name) != value)


def _update(*, actor: Any, record: T, version: int, changes: dict[str, Any], action: str) -> T:
    """Apply `changes` to the locked, current row if it is still at `version`."""
    current = type(record).objects.select_for_update().get(pk=record.pk)
    if current.version != version:
        raise StaleRecord(current)
    changed = _changed_fields(current, changes)
    if not changed:
        return current
    for name in changed:
        setattr(current, name, changes[name])
    current.full_clean()
    current.version += 1
    current.save()
    audit.record(actor=actor, action=action, obj=current, fields=changed)
    return current


def _event(case: Case, actor: Any, kind: CaseEvent.Kind, detail: str = "") -> None:
    CaseEvent.objects.create(case=case, actor=actor, kind=kind, detail=detail)


# --- Defenders ----------------------------------------------------------------------


def _index_names(defender: Defender) -> None:
    digests = {
        index.blind_index(name, purpose=NAME_INDEX)
        for name in [defender.name, *defender.alias_list()]
        if name.strip()
    }
    DefenderName.objects.filter(defender=defender).exclude(digest__in=digests).delete()
    existing = set(DefenderName.objects.filter(defender=defender).values_list("digest", flat=True))
    DefenderName.objects.bulk_create(
        DefenderName(defender=defender, digest=d) for d in digests - existing
    )


def rebuild_indexes() -> None:
    """Every defender's name hashes and every case's and incident's search entry
    computed again under the current index keys (`vault.index.rebuild`)."""
    DefenderName.objects.all().delete()
    batch: list[DefenderName] = []
    for defender in Defender.objects.only("pk", "name", "aliases").iterator(chunk_size=1000):
        batch.extend(
            DefenderName(defender_id=defender.pk, digest=digest)
            for digest in {
                index.blind_index(name, purpose=NAME_INDEX)
                for name in [defender.name, *defender.alias_list()]
                if name.strip()
            }
        )
        if len(batch) >= 1000:
            DefenderName.objects.bulk_create(batch)
            batch.clear()
    DefenderName.objects.bulk_create(batch)
    search.replace_all(
        kind="cases.case",
        entries=((c.pk, [c.title]) for c in Case.objects.only("pk", "title").iterator()),
    )
    search.replace_all(
        kind="cases.incident",
        entries=(
            (i.pk, [i.title, i.narrative, i.place])
            for i in Incident.objects.only("pk", "title", "narrative", "place").iterator()
        ),
    )


@transaction.atomic
def defender_create(*, actor: Any, case: Case | None = None, **fields: Any) -> Defender:
    """Record a defender (and link them to `case`, if given)."""
    defender = Defender(created_by=actor, **fields)
    defender.full_clean()
    defender.save()
    _index_names(defender)
    audit.record(actor=actor, action="cases.defender_created", obj=defender, fields=fields)
    if case is not None:
        case.defenders.add(defender)
        _event(case, actor, CaseEvent.Kind.DEFENDER_ADDED, f"#{defender.pk}")
    return defender


@transaction.atomic
def defender_update(*, actor: Any, defender: Defender, version: int, **changes: Any) -> Defender:
    defender = _update(
        actor=actor,
        record=defender,
        version=version,
        changes=changes,
        action="cases.defender_changed",
    )
    if {"name", "aliases"} & set(changes):
        _index_names(defender)
    return defender


@transaction.atomic
def relation_add(
    *, actor: Any, defender: Defender, relation: str, case: Case | None = None, **relative: Any
) -> DefenderRelation:
    """Record a person linked to a defender: a family member, a legal
    representative or an associate (resolution paras 7-8 protect them too).

    The relative is recorded as a defender of their own, so that acts against
    them (reprisals against a family, say) can be documented and counted.
    """
    person = defender_create(actor=actor, case=case, **relative)
    link = DefenderRelation(created_by=actor, defender=defender, relative=person, relation=relation)
    link.full_clean()
    link.save()
    audit.record(actor=actor, action="cases.relation_added", obj=link, fields=["relation"])
    return link


# --- Incidents, acts, perpetrators, sources ----------------------------------------


@transaction.atomic
def incident_create(*, actor: Any, case: Case | None = None, **fields: Any) -> Incident:
    """Record an incident (and link it to `case`, if given)."""
    incident = Incident(created_by=actor, **fields)
    incident.full_clean()
    incident.save()
    _index_incident(incident)
    audit.record(actor=actor, action="cases.incident_created", obj=incident, fields=fields)
    if case is not None:
        case.incidents.add(incident)
        _event(case, actor, CaseEvent.Kind.INCIDENT_ADDED, f"#{incident.pk}")
    return incident


def _index_incident(incident: Incident) -> None:
    search.index(
        kind="cases.incident",
        object_id=incident.pk,
        texts=[incident.title, incident.narrative, incident.place],
    )


@transaction.atomic
def incident_update(*, actor: Any, incident: Incident, version: int, **changes: Any) -> Incident:
    incident = _update(
        actor=actor,
        record=incident,
        version=version,
        changes=changes,
        action="cases.incident_changed",
    )
    _index_incident(incident)
    return incident


def _cases_of(incident: Incident) -> list[Case]:
    return list(incident.cases.all())


@transaction.atomic
def act_create(
    *,
    actor: Any,
    incident: Incident,
    victim: Defender,
    perpetrators: Iterable[dict[str, Any]] = (),
    **fields: Any,
) -> Act:
    """Record one violation against one victim, with the perpetrators involved."""
    if fields.get("verification", Verification.REPORTED) == Verification.VERIFIED:
        raise ValidationError(
            {"verification": _("Record the act first, link its sources, then verify it.")}
        )
    act = Act(created_by=actor, incident=incident, victim=victim, **fields)
    act.full_clean()
    act.save()
    audit.record(actor=actor, action="cases.act_created", obj=act, fields=fields)
    for perpetrator in perpetrators:
        perpetrator_add(actor=actor, act=act, **perpetrator)
    for case in _cases_of(incident):
        _event(case, actor, CaseEvent.Kind.ACT_ADDED, act.violation)
    return act


@transaction.atomic
def act_update(
    *,
    actor: Any,
    act: Act,
    version: int,
    perpetrators: Iterable[dict[str, Any]] | None = None,
    **changes: Any,
) -> Act:
    """Correct an act; with `perpetrators`, replace the perpetrators recorded for it.

    Verification is changed only through `act_set_verification`.
    """
    if {"verification", "verified_by", "verified_at", "independent_sources"} & set(changes):
        raise ValueError("change verification with act_set_verification")
    act = _update(
        actor=actor, record=act, version=version, changes=changes, action="cases.act_changed"
    )
    if perpetrators is not None:
        wanted = [dict(p) for p in perpetrators]
        current = [
            {
                k: getattr(p, k)
                for k in (
                    "category",
                    "involvement",
                    "company_name",
                    "company_sector",
                    "company_country",
                )
            }
            for p in act.perpetrators.order_by("pk")
        ]
        if wanted != current:
            removed = list(act.perpetrators.values_list("pk", flat=True))
            act.perpetrators.all().delete()
            for pk in removed:
                audit.record(
                    actor=actor,
                    action="cases.perpetrator_removed",
                    object_type="cases.perpetrator",
                    object_id=pk,
                )
            for perpetrator in wanted:
                perpetrator_add(actor=actor, act=act, **perpetrator)
    return act


@transaction.atomic
def perpetrator_add(*, actor: Any, act: Act, **fields: Any) -> Perpetrator:
    perpetrator = Perpetrator(created_by=actor, act=act, **fields)
    perpetrator.full_clean()
    perpetrator.save()
    audit.record(actor=actor, action="cases.perpetrator_added", obj=perpetrator, fields=fields)
    return perpetrator


@transaction.atomic
def source_create(
    *, actor: Any, incident: Incident, acts: Iterable[Act] = (), **fields: Any
) -> Source:
    """Record a source for an incident, and the acts it reports."""
    source = Source(created_by=actor, incident=incident, **fields)
    source.full_clean()
    source.save()
    acts = list(acts)
    foreign = [a for a in acts if a.incident_id != incident.pk]
    if foreign:
        raise ValidationError(_("A source can only support acts of its own incident."))
    source.acts.add(*acts)
    audit.record(actor=actor, action="cases.source_created", obj=source, fields=fields)
    for case in _cases_of(incident):
        _event(case, actor, CaseEvent.Kind.SOURCE_ADDED, f"#{source.pk}")
    return source


@transaction.atomic
def source_update(
    *, actor: Any, source: Source, version: int, acts: Iterable[Act] | None = None, **changes: Any
) -> Source:
    """Correct a source; with `acts`, set exactly which acts of its incident it reports."""
    source = _update(
        actor=actor, record=source, version=version, changes=changes, action="cases.source_changed"
    )
    if acts is not None:
        acts = list(acts)
        if any(a.incident_id != source.incident_id for a in acts):
            raise ValidationError(_("A source can only support acts of its own incident."))
        for dropped in set(source.acts.all()) - set(acts):
            remaining = dropped.sources.exclude(pk=source.pk).count()
            if dropped.verification == Verification.VERIFIED and remaining < max(
                1, dropped.independent_sources
            ):
                raise ValidationError(
                    {
                        "acts": _(
                            "%(act)s is verified on this source. Change its verification "
                            "before you unlink the source."
                        )
                        % {"act": dropped.get_violation_display()}
                    }
                )
        if set(source.acts.all()) != set(acts):
            source.acts.set(acts)
            audit.record(actor=actor, action="cases.source_changed", obj=source, fields=["acts"])
    return source


def check_verification(*, verification: str, independent_sources: int, linked: int) -> None:
    """The rules for setting an act's verification, given how many sources are
    linked to it (raises ValidationError): the services' and the importer's."""
    if verification == Verification.VERIFIED:
        if linked == 0:
            raise ValidationError(
                {"verification": _("An act cannot be verified before a source is linked to it.")}
            )
        if independent_sources < 1:
            raise ValidationError(
                {
                    "independent_sources": _(
                        "Count the independent, reliable sources that support the act."
                    )
                }
            )
        if independent_sources > linked:
            raise ValidationError(
                {
                    "independent_sources": _(
                        "More independent sources than the %(linked)s linked to the act."
                    )
                    % {"linked": linked}
                }
            )


def verification_changes(*, actor: Any, verification: str, independent_sources: int) -> dict:
    """The fields a change of verification sets (who verified, and when)."""
    changes: dict[str, Any] = {
        "verification": verification,
        "independent_sources": independent_sources,
    }
    if verification == Verification.VERIFIED:
        changes.update(verified_by=actor, verified_at=timezone.now())
    else:
        changes.update(verified_by=None, verified_at=None)
    return changes


@transaction.atomic
def act_set_verification(
    *, actor: Any, act: Act, version: int, verification: str, independent_sources: int
) -> Act:
    """Change how far an act is verified.

    Only a verified act counts in SDG indicator 16.10.1. Verifying needs at least
    one linked source and as many reliable, independent sources as the verifier
    counts (the methodology asks for two).
    """
    linked = act.sources.count() if verification == Verification.VERIFIED else 0
    check_verification(
        verification=verification, independent_sources=independent_sources, linked=linked
    )
    changes = verification_changes(
        actor=actor, verification=verification, independent_sources=independent_sources
    )
    act = _update(
        actor=actor, record=act, version=version, changes=changes, action="cases.act_verification"
    )
    for case in _cases_of(act.incident):
        _event(case, actor, CaseEvent.Kind.ACT_VERIFIED, verification)
    return act


@transaction.atomic
def evidence_add(
    *, actor: Any, incident: Incident, content: bytes, filename: str, description: str = ""
) -> Evidence:
    """Store a file for an incident, encrypted, with its SHA-256.

    The file is written (and flushed to disk) before the row that points to it;
    if the row cannot be saved, the file is removed again.
    """
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)s.")
                % {"limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
            }
        )
    stored = files.save(content)
    try:
        evidence = Evidence(
            created_by=actor,
            incident=incident,
            stored_name=stored.name,
            filename=Path(filename).name[:255] or "file",
            description=description,
            size=stored.size,
            sha256=stored.sha256,
        )
        evidence.full_clean()
        evidence.save()
        audit.record(
            actor=actor, action="cases.evidence_added", obj=evidence, fields=["file", "description"]
        )
        for case in _cases_of(incident):
            _event(case, actor, CaseEvent.Kind.EVIDENCE_ADDED, f"#{evidence.pk}")
    except Exception:
        files.delete(stored.name)
        raise
    return evidence


def evidence_content(*, actor: Any, evidence: Evidence) -> bytes:
    """The file's content, checked against its SHA-256; the reading is audited."""
    content = files.read(evidence.stored_name)
    if hashlib.sha256(content).hexdigest() != evidence.sha256:
        raise files.StoreError(f"evidence {evidence.pk} does not match its SHA-256")
    audit.record(actor=actor, action="cases.evidence_downloaded", obj=evidence, fields=["file"])
    return content


# --- Cases ------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"VGL-{year}-{counter.last:05d}"


@transaction.atomic
def case_create(*, actor: Any, officers: Iterable[Any] = (), **fields: Any) -> Case:
    """Open a case with a new reference, assigned to `officers` (default: the actor)."""
    case = Case(created_by=actor, reference="pending", **fields)
    case.full_clean(exclude=["reference"])
    case.reference = _next_reference(timezone.localdate().year)
    case.save()
    search.index(kind="cases.case", object_id=case.pk, texts=[case.title])
    case.officers.set(list(officers) or [actor])
    audit.record(actor=actor, action="cases.case_created", obj=case, fields=fields)
    _event(case, actor, CaseEvent.Kind.CREATED, case.reference)
    return case


@transaction.atomic
def case_update(
    *, actor: Any, case: Case, version: int, officers: Iterable[Any] | None = None,
    paragraphs: Iterable[Any] | None = None, **changes: Any,
) -> Case:  # fmt: skip
    """Change a case's title, country, priority, risk, status or outcome, with
    `officers` who works on it and with `paragraphs` the resolution paragraphs it
    concerns: all of it or, if anything is refused, none of it."""
    old_status = Case.objects.values_list("status", flat=True).get(pk=case.pk)
    case = _update(
        actor=actor, record=case, version=version, changes=changes, action="cases.case_changed"
    )
    search.index(kind="cases.case", object_id=case.pk, texts=[case.title])
    if officers is not None:
        case_assign_officers(actor=actor, case=case, officers=officers)
    if paragraphs is not None:
        wanted = {p.pk for p in paragraphs}
        if wanted != set(case.paragraphs.values_list("pk", flat=True)):
            case.paragraphs.set(wanted)
            audit.record(
                actor=actor, action="cases.paragraphs_linked", obj=case, fields=["paragraphs"]
            )
    if case.status != old_status:
        _event(case, actor, CaseEvent.Kind.STATUS, case.status)
    elif case.version != version:
        _event(case, actor, CaseEvent.Kind.UPDATED)
    return case


@transaction.atomic
def case_assign_officers(*, actor: Any, case: Case, officers: Iterable[Any]) -> None:
    """Put exactly `officers` on the case. Each must be able to see its country."""
    officers = list(officers)
    blind = [o.username for o in officers if not in_scope(o, case.country)]
    if blind:
        raise ValidationError(
            {
                "officers": _("%(names)s cannot see cases of this country.")
                % {"names": ", ".join(blind)}
            }
        )
    if set(case.officers.all()) == set(officers):
        return
    case.officers.set(officers)
    audit.record(actor=actor, action="cases.case_changed", obj=case, fields=["officers"])
    _event(case, actor, CaseEvent.Kind.OFFICERS)


@transaction.atomic
def case_add_defender(*, actor: Any, case: Case, defender: Defender) -> None:
    if case.defenders.filter(pk=defender.pk).exists():
        return
    case.defenders.add(defender)
    audit.record(actor=actor, action="cases.case_changed", obj=case, fields=["defenders"])
    _event(case, actor, CaseEvent.Kind.DEFENDER_ADDED, f"#{defender.pk}")


@transaction.atomic
def case_add_note(*, actor: Any, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    note = CaseNote.objects.create(case=case, author=actor, text=text)
    audit.record(actor=actor, action="cases.note_added", obj=note, fields=["text"])
    _event(case, actor, CaseEvent.Kind.NOTE_ADDED)
    return note


@transaction.atomic
def case_add_task(
    *, actor: Any, case: Case, title: str, due: date | None = None, assignee: Any = None
) -> CaseTask:
    if not title.strip():
        raise ValidationError({"title": _("Say what is to be done.")})
    task = CaseTask.objects.create(case=case, title=title, due=due, assignee=assignee)
    audit.record(
        actor=actor, action="cases.task_added", obj=task, fields=["title", "due", "assignee"]
    )
    _event(case, actor, CaseEvent.Kind.TASK_ADDED)
    return task


@transaction.atomic
def case_complete_task(*, actor: Any, task: CaseTask) -> CaseTask:
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record(actor=actor, action="cases.task_done", obj=task, fields=["done_at"])
        _event(task.case, actor, CaseEvent.Kind.TASK_DONE)
    return task

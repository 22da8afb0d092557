"""The importer writes new records in bulk (importer._create_batch, core/bulk.py).
The slow way, one record at a time through the case services, is the oracle: the
same file imported both ways makes the same records, with the same name and word
hashes, the same audit entries and case timeline events, and refuses the same rows
with the same reasons. An import that fails changes nothing, and the audit chain
still verifies after a bulk import."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.cases.models import Act, CaseEvent, Defender, DefenderName, Incident, Source
from vigil.cases.tests import factories as make
from vigil.core import audit
from vigil.core.models import AuditEntry
from vigil.exchange import importer
from vigil.exchange.models import ExternalRef
from vigil.vault.models import SearchEntry

pytestmark = pytest.mark.django_db


def one_by_one(user, report, kind, rows, ids, verify, skip_invalid):
    """What the importer did before it wrote in bulk: each new record through the
    services, in a savepoint of its own."""
    for row in rows:
        try:
            with transaction.atomic():
                importer._write(user, report, kind, row, ids, verify)
        except ValidationError as error:
            for name, messages in importer._messages(error).items():
                row.problems.append(importer.Problem(kind, row.number, name, " ".join(messages)))
        except KeyError:
            row.problems.append(importer.Problem(kind, row.number, "", "links to a rejected row"))
        if row.problems and not skip_invalid:
            raise importer._Abandoned


def a_file(prefix, incident_in_a_case):
    """Defenders (one with aliases), incidents, acts with perpetrators (one verified,
    one against an incident that belongs to a case), and sources."""
    p = prefix
    return {
        "defenders": [
            {"external_id": f"{p}d1", "kind": "person", "name": "Marta Quispe",
             "aliases": "M. Quispe\nMarta Q.", "country": "COL", "sex_gender": "woman",
             "victim_categories": "journalist;hrd",
             "focus_groups": "environment;lawyers", "contact": "+57 300"},
            {"external_id": f"{p}d2", "kind": "organisation", "name": "Colectivo Río",
             "country": "PER"},
        ],
        "incidents": [
            {"external_id": f"{p}i1", "title": "Raid on the office",
             "narrative": "Police raided the office of the río committee.",
             "start_date": "2025-03-14", "country": "COL", "place": "Bogotá"},
            {"external_id": f"{p}i2", "title": "Threats", "narrative": "Calls at night.",
             "start_date": "2025-05-20", "start_precision": "month", "country": "PER"},
        ],
        "acts": [
            {"external_id": f"{p}a1", "incident": f"{p}i1", "victim": f"{p}d1",
             "violation": "arbitrary_detention", "perpetrators": "police;business",
             "reprisal": "true", "reprisal_body": "ohchr", "charges": "rebellion",
             "rights_affected": "liberty", "verification": "verified",
             "independent_sources": "1"},
            {"external_id": f"{p}a2", "incident": f"{p}i2", "victim": f"{p}d2",
             "violation": "threats"},
            {"external_id": f"{p}a3", "incident": incident_in_a_case, "victim": f"{p}d2",
             "violation": "threats", "perpetrators": "unknown", "verification": "verified",
             "independent_sources": "1"},
        ],
        "sources": [
            {"external_id": f"{p}s1", "incident": f"{p}i1", "name": "A neighbour",
             "kind": "ngo", "acts": f"{p}a1", "reported_on": "2025-03-15"},
            {"external_id": f"{p}s2", "incident": incident_in_a_case, "name": "Press",
             "kind": "media", "acts": f"{p}a3"},
        ],
    }  # fmt: skip


SKIPPED = {"id", "created_at", "updated_at", "verified_at", "incident"}


def snapshot(prefix):
    """Everything the import made for the rows whose ids begin with `prefix`, with
    database ids replaced by external ids."""
    refs = {
        (r.kind, r.object_id): r.external_id
        for r in ExternalRef.objects.filter(external_id__startswith=prefix)
    }
    name = {(kind, pk): ext.removeprefix(prefix) for (kind, pk), ext in refs.items()}
    models = {"defenders": Defender, "incidents": Incident, "acts": Act, "sources": Source}
    made = {}
    for (kind, pk), external_id in refs.items():
        record = models[kind].objects.get(pk=pk)
        values = {
            f.attname: getattr(record, f.attname)
            for f in record._meta.concrete_fields
            if f.name not in SKIPPED
        }
        for link, target in (("incident_id", "incidents"), ("victim_id", "defenders")):
            if link in values:
                values[link] = name.get((target, values[link]), values[link])
        if kind == "acts":
            values["perpetrators"] = sorted(record.perpetrators.values_list("category", flat=True))
            values["sources"] = sorted(name[("sources", s.pk)] for s in record.sources.all())
        entries = AuditEntry.objects.filter(object_type=record._meta.label_lower, object_id=str(pk))
        values["audit"] = sorted((e.action, tuple(e.fields), e.actor_name) for e in entries)
        if kind == "acts":
            values["audit"] += sorted(
                (e.action, tuple(e.fields))
                for e in AuditEntry.objects.filter(
                    object_type="cases.perpetrator",
                    object_id__in=[
                        str(p) for p in record.perpetrators.values_list("pk", flat=True)
                    ],
                )
            )
        if kind == "defenders":
            values["names"] = sorted(
                DefenderName.objects.filter(defender=record).values_list("digest", flat=True)
            )
        if kind == "incidents":
            values["words"] = SearchEntry.objects.get(kind="cases.incident", object_id=pk).tokens
        made[external_id.removeprefix(prefix)] = values
    return made


def events():
    """The case timeline, a source's number (which differs) left out."""
    return Counter(
        (case, kind, "#" if kind == "source_added" else detail)
        for case, kind, detail in CaseEvent.objects.values_list("case_id", "kind", "detail")
    )


def test_a_bulk_import_makes_what_the_services_make_one_by_one(carol, monkeypatch):
    case = make.case(carol, title="River committee")
    shared = make.incident(carol, case=case, title="Eviction", narrative="Bulldozers came.")
    ExternalRef.objects.create(kind="incidents", external_id="shared", object_id=shared.pk)

    before = events()
    bulk = importer.run(carol, a_file("bulk-", "shared"))
    assert bulk.imported and bulk.created == 9, [str(p) for p in bulk.problems]
    bulk_events = events() - before

    monkeypatch.setattr(importer, "_create_batch", one_by_one)
    before = events()
    slow = importer.run(carol, a_file("slow-", "shared"))
    assert slow.imported and slow.created == 9
    slow_events = events() - before

    made, expected = snapshot("bulk-"), snapshot("slow-")
    assert set(made) == {"d1", "d2", "i1", "i2", "a1", "a2", "a3", "s1", "s2"}
    for key in expected:
        if "incident_id" in expected[key] and expected[key]["incident_id"] == shared.pk:
            assert made[key]["incident_id"] == shared.pk
        assert made[key] == expected[key], key
    # Sealed for real: the stored value is ciphertext, not the name.
    marta = Defender.objects.get(pk=ExternalRef.objects.get(external_id="bulk-d1").object_id)
    assert marta.name == "Marta Quispe" and marta.alias_list() == ["M. Quispe", "Marta Q."]
    assert not Defender.objects.filter(pk=marta.pk).extra(where=["name LIKE '%%Marta%%'"]).exists()
    # The case's timeline says the same in both ways: an act and a source added.
    assert bulk_events == slow_events
    assert sorted(k for _c, k, _d in bulk_events.elements()) == [
        "act_added",
        "act_verified",
        "source_added",
    ]
    assert audit.verify().intact


@pytest.mark.parametrize(
    ("kind", "change", "column"),
    [
        ("incidents", {"end_date": "2025-01-01"}, "end_date"),  # before the start
        ("incidents", {"start_date": "2999-01-01"}, "start_date"),  # in the future
        ("acts", {"reprisal": "false", "reprisal_body": "ohchr"}, "reprisal"),
        ("acts", {"detention_start": "2025-02-01", "detention_end": "2025-01-01"},
         "detention_end"),
        ("acts", {"verification": "verified", "independent_sources": "3"},
         "verification"),  # more independent sources than linked ones
        ("sources", {"acts": "X-a2"}, ""),  # an act of another incident
        ("acts", {"verification": "under_review", "independent_sources": "-2"}, "verification"),
        ("incidents", {"subdivision": "CO-ANTIOQUIA-1"}, "subdivision"),  # too long
    ],
)  # fmt: skip
def test_a_row_refused_one_by_one_is_refused_in_bulk_and_nothing_is_written(
    carol, monkeypatch, kind, change, column
):
    shared = make.incident(carol, title="Eviction", narrative="Bulldozers came.")
    ExternalRef.objects.create(kind="incidents", external_id="shared", object_id=shared.pk)

    def broken(prefix):
        raw = a_file(prefix, "shared")
        raw[kind][0].update({k: v.replace("X-", prefix) for k, v in change.items()})
        return raw

    counts = {m: m.objects.count() for m in (Defender, Incident, Act, Source, ExternalRef)}
    trail = AuditEntry.objects.count()
    refused = importer.run(carol, broken("bulk-"))
    assert not refused.imported
    assert {m: m.objects.count() for m in counts} == counts
    assert AuditEntry.objects.count() == trail

    monkeypatch.setattr(importer, "_create_batch", one_by_one)
    slow = importer.run(carol, broken("slow-"))
    assert not slow.imported
    problems = [(p.kind, p.row, p.column, p.reason) for p in refused.problems]
    assert problems == [(p.kind, p.row, p.column, p.reason) for p in slow.problems]
    assert [(p[0], p[2]) for p in problems] == [(kind, column)]


def test_with_skip_invalid_a_row_linking_to_a_refused_one_is_refused_too(carol, monkeypatch):
    shared = make.incident(carol, title="Eviction", narrative="Bulldozers came.")
    ExternalRef.objects.create(kind="incidents", external_id="shared", object_id=shared.pk)

    def broken(prefix):
        raw = a_file(prefix, "shared")
        raw["incidents"][0]["end_date"] = "2025-01-01"  # refused while writing
        return raw

    bulk = importer.run(carol, broken("bulk-"), skip_invalid=True)
    monkeypatch.setattr(importer, "_create_batch", one_by_one)
    slow = importer.run(carol, broken("slow-"), skip_invalid=True)
    assert bulk.imported and slow.imported
    assert bulk.created == slow.created == 6  # i1, a1 (its act) and s1 (its source) refused
    refused = sorted((p.kind, p.row, p.column) for p in bulk.problems)
    assert refused == sorted((p.kind, p.row, p.column) for p in slow.problems)
    assert refused == [("acts", 1, ""), ("incidents", 1, "end_date"), ("sources", 1, "")]
    assert snapshot("bulk-") == snapshot("slow-")


def test_an_import_in_several_batches_chains_and_finds_every_record(carol, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 7)
    raw = {
        "defenders": [],
        "incidents": [
            {"external_id": f"i{n}", "title": f"Raid {n}", "narrative": f"cacao{n} farm",
             "start_date": "2024-01-01", "country": "COL"}
            for n in range(30)
        ],
        "acts": [],
        "sources": [],
    }  # fmt: skip
    report = importer.run(carol, raw)
    assert report.imported and report.created == 30
    from vigil.vault.search import matching_ids

    for n in (0, 6, 7, 29):
        found = list(
            Incident.objects.filter(pk__in=matching_ids(kind="cases.incident", query=f"CACAO{n}"))
        )
        assert [
            ExternalRef.objects.get(object_id=i.pk, kind="incidents").external_id for i in found
        ] == [f"i{n}"]
    assert AuditEntry.objects.filter(action="cases.incident_created").count() == 30
    assert audit.verify().intact
    again = importer.run(carol, raw)
    assert again.imported and (again.created, again.unchanged) == (0, 30)

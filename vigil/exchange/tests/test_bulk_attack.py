"""An outsider's attacks on the bulk import (issue 17): hostile files, another
country's officer, a seized database, two imports at once, and the search after a
bulk import in several scripts. Run on SQLite and on PostgreSQL (`--pg`).

The slow way (one record at a time through the case services, test_bulk.one_by_one)
is the oracle where the bulk path is compared. Failures name columns, counts and
ids, never the values of names or narratives."""

import threading

import pytest
from django.db import connection, connections

from vigil.cases.models import Defender, Incident
from vigil.cases.tests import factories as make
from vigil.core import audit
from vigil.core.models import AuditEntry
from vigil.exchange import importer
from vigil.exchange.models import ExternalRef
from vigil.exchange.tests.test_bulk import one_by_one
from vigil.vault.models import SearchEntry
from vigil.vault.search import matching_ids

pytestmark = pytest.mark.django_db

PG = "postgresql"


def only(**rows):
    return {"defenders": [], "incidents": [], "acts": [], "sources": [], **rows}


def incident(external_id, **cells):
    return {
        "external_id": external_id, "title": "Raid", "narrative": "Police came.",
        "start_date": "2025-03-14", "country": "COL", **cells,
    }  # fmt: skip


def record_of(kind, external_id):
    model = importer.MODELS[kind]
    return model.objects.get(
        pk=ExternalRef.objects.get(kind=kind, external_id=external_id).object_id
    )


def found(query):
    ids = matching_ids(kind="cases.incident", query=query)
    refs = ExternalRef.objects.filter(
        kind="incidents", object_id__in=Incident.objects.filter(pk__in=ids).values("pk")
    )
    return sorted(refs.values_list("external_id", flat=True))


# --- COPY's text format: cells that it must escape ----------------------------------

# Tabs, newlines, carriage returns, backslashes and COPY's own markers (\N is NULL,
# \. ends the data) in plain columns (written as they are) and in the external id.
AWKWARD = ["\\N", "a\tb", "c\nd", "\\.", "e\\\\f", "g\rh", "\\", "i\\tj"]


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "one-by-one"])
def test_copy_keeps_tabs_newlines_backslashes_and_its_own_markers_as_they_are(
    carol, monkeypatch, bulk
):
    if not bulk:
        monkeypatch.setattr(importer, "_create_batch", one_by_one)
    raw = only(
        incidents=[
            incident(f"id{n}{value}", subdivision=value, place=f"p {value}") for n, value in
            enumerate(AWKWARD)
        ],
        sources=[
            {"external_id": f"s{n}{value}", "incident": f"id{n}{value}", "name": "A witness",
             "kind": "ngo", "language": value}
            for n, value in enumerate(AWKWARD)
        ],
    )  # fmt: skip
    report = importer.run(carol, raw)
    assert report.imported and report.created == 2 * len(AWKWARD), [str(p) for p in report.problems]
    for n, value in enumerate(AWKWARD):
        # The strip in _clean takes the \n, \t, \r at the ends; inside they stay.
        made = record_of("incidents", f"id{n}{value}")
        assert made.subdivision == value.strip(), n
        assert made.place == f"p {value}".strip(), n
        assert record_of("sources", f"s{n}{value}").language == value.strip(), n
    again = importer.run(carol, raw)
    assert again.imported and (again.created, again.unchanged) == (0, 2 * len(AWKWARD))
    assert audit.verify().intact


# --- Hostile cells ------------------------------------------------------------------


def test_a_nul_byte_in_a_plain_cell_is_refused_as_a_row_problem(carol):
    """PostgreSQL cannot store NUL in text: the import must refuse the row by name
    (as it refuses any other bad cell), not crash inside COPY; SQLite must not store
    what PostgreSQL refuses."""
    raw = only(incidents=[incident("nul-1", subdivision="CO\x00ANT")])
    report = importer.run(carol, raw)  # PostgreSQL: DataError out of COPY
    assert not report.imported
    assert [(p.kind, p.column) for p in report.problems] == [("incidents", "subdivision")]
    assert not Incident.objects.exists()


def test_a_nul_byte_in_an_external_id_is_refused_as_a_row_problem(carol):
    raw = only(incidents=[incident("nul\x00id")])
    report = importer.run(carol, raw)
    assert not report.imported
    assert [(p.kind, p.column) for p in report.problems] == [("incidents", "external_id")]
    assert not ExternalRef.objects.exists()


def test_an_external_id_longer_than_its_column_is_refused_as_a_row_problem(carol):
    """ExternalRef.external_id holds 200 characters: PostgreSQL raises a DataError
    (the import crashes whole, even with skip_invalid); SQLite keeps the 201."""
    long_id = "x" * 201
    raw = only(incidents=[incident(long_id), incident("fine")])
    report = importer.run(carol, raw, skip_invalid=True)
    assert report.imported and report.created == 1
    assert [(p.kind, p.row, p.column) for p in report.problems] == [("incidents", 1, "external_id")]
    assert not ExternalRef.objects.filter(external_id=long_id).exists()


def test_a_number_too_large_for_a_float_is_a_row_problem_not_a_crash(carol):
    """int(float("1e400")) raises OverflowError, which _clean does not catch."""
    make.defender(carol, country="COL")
    raw = only(
        incidents=[incident("i1")],
        defenders=[{"external_id": "d1", "kind": "person", "name": "N", "country": "COL"}],
        acts=[{"external_id": "a1", "incident": "i1", "victim": "d1", "violation": "threats",
               "independent_sources": "1e400"}],
    )  # fmt: skip
    report = importer.run(carol, raw)  # OverflowError
    assert not report.imported
    assert [(p.kind, p.column) for p in report.problems] == [("acts", "independent_sources")]


@pytest.mark.parametrize("value", [["Raid", "on the office"], {"en": "Raid"}])
def test_a_json_list_or_object_where_text_is_expected_is_refused(carol, value):
    """Otherwise its Python repr ("['Raid', 'on the office']") is stored as the title."""
    report = importer.run(carol, only(incidents=[incident("i1", title=value)]))
    assert not report.imported
    assert [(p.kind, p.column) for p in report.problems] == [("incidents", "title")]


@pytest.mark.parametrize("value", [0, False])
def test_a_json_external_id_of_0_or_false_imported_twice_makes_one_record(carol, value):
    """Row.external_id reads `raw or ""`: 0 and false become "", the duplicate check
    is skipped, the record is filed under "", and scope_of(raw) never looks "" up,
    so each import of the same file makes one more record."""
    raw = only(incidents=[incident(value)])
    first = importer.run(carol, raw)
    second = importer.run(carol, raw)
    assert first.imported and second.imported
    assert Incident.objects.count() == 1
    assert (second.created, second.unchanged) == (0, 1)


def test_an_external_id_with_a_semicolon_can_be_linked_to_by_a_later_file(carol):
    """scope_of(user, raw) splits every link cell on ';' (_named), also a single
    link ("ref"), so an existing incident "CO;2025/7" is never looked up and the act's
    link reads as an unused id. Before b66f2a5 the whole scope was loaded and it
    worked."""
    first = importer.run(carol, only(incidents=[incident("CO;2025/7")]))
    assert first.imported and first.created == 1
    raw = only(
        defenders=[{"external_id": "d1", "kind": "person", "name": "N", "country": "COL"}],
        acts=[{"external_id": "a1", "incident": "CO;2025/7", "victim": "d1",
               "violation": "threats"}],
        sources=[{"external_id": "s1", "incident": "CO;2025/7", "name": "Press",
                  "kind": "media", "acts": "a1"}],
    )  # fmt: skip
    second = importer.run(carol, raw)
    assert [(p.kind, p.column) for p in second.problems] == []
    assert second.imported and second.created == 3


def test_ids_differing_in_case_or_white_space_are_two_records_or_one_and_stay_so(carol):
    raw = only(incidents=[incident("Case-1"), incident("case-1"), incident(" CASE-2 ")])
    report = importer.run(carol, raw)
    assert report.imported and report.created == 3
    again = importer.run(carol, only(incidents=[incident("case-1 "), incident("CASE-2")]))
    assert again.imported and (again.created, again.unchanged) == (0, 2)
    dup = importer.run(carol, only(incidents=[incident("x"), incident(" x")]))
    assert not dup.imported
    assert [(p.row, p.column) for p in dup.problems] == [(2, "external_id")]


def test_a_huge_narrative_is_written_sealed_and_searchable(carol):
    narrative = ("word " * 200_000) + "needlezz"
    report = importer.run(carol, only(incidents=[incident("big", narrative=narrative)]))
    assert report.imported and report.created == 1
    assert record_of("incidents", "big").narrative == narrative
    assert found("needlezz") == ["big"]


# --- Another country's officer ------------------------------------------------------


def test_an_id_used_in_another_country_imports_exactly_as_an_unused_one(alice, carol):
    """Alice (COL, PHL) imports rows and links under an id of an Azerbaijani incident
    and under an id nobody used: the same problems, word for word with the id
    swapped, and the Azerbaijani record untouched."""
    theirs = make.incident(carol, country="AZE", title="Collegium")
    ExternalRef.objects.create(kind="incidents", external_id="aze-1", object_id=theirs.pk)
    version = theirs.version

    def attempt(target):
        return importer.run(alice, only(
            incidents=[incident(target, country="COL")],
            defenders=[{"external_id": f"d-{target}", "kind": "person", "name": "N",
                        "country": "COL"}],
            acts=[{"external_id": f"a-{target}", "incident": f"{target}-x", "victim": f"d-{target}",
                   "violation": "threats"}],
        ))  # fmt: skip

    probe, control = attempt("aze-1"), attempt("never-1")
    assert [(p.kind, p.row, p.column, p.reason.replace("aze-1", "ID")) for p in probe.problems] == [
        (p.kind, p.row, p.column, p.reason.replace("never-1", "ID")) for p in control.problems
    ]
    theirs.refresh_from_db()
    assert (theirs.version, theirs.country) == (version, "AZE")
    # Her row under "aze-1" made a Colombian record of her own; the Azerbaijani one
    # is not reachable through it.
    assert probe.imported == control.imported


# --- A seized database --------------------------------------------------------------

MARKERS = {
    "name": "Zqxname", "aliases": "Zqxalias", "contact": "Zqxcontact", "affiliations": "Zqxaff",
    "occupation": "Zqxjob", "title": "Zqxtitle", "narrative": "Zqxstory", "place": "Zqxplace",
    "detention_place": "Zqxcell", "charges": "Zqxcharge", "laws_invoked": "Zqxlaw",
    "source": "Zqxsource",
}  # fmt: skip


def every_text_cell() -> str:
    quote = connection.ops.quote_name
    cells = []
    tables = [t for t in connection.introspection.table_names() if "fts" not in t]
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                cells += [str(v) for v in row if v is not None]
    return "\n".join(cells).casefold()


def test_a_seized_database_holds_no_identity_or_narrative_in_clear_after_a_bulk_import(carol):
    m = MARKERS
    raw = only(
        defenders=[{"external_id": "d1", "kind": "person", "name": f"{m['name']} Pérez",
                    "aliases": f"{m['aliases']}\nOther", "contact": m["contact"],
                    "affiliations": m["affiliations"], "occupation": m["occupation"],
                    "country": "COL"}],
        incidents=[incident("i1", title=m["title"], narrative=m["narrative"], place=m["place"])],
        acts=[{"external_id": "a1", "incident": "i1", "victim": "d1", "violation": "threats",
               "detention_place": m["detention_place"], "charges": m["charges"],
               "laws_invoked": m["laws_invoked"]}],
        sources=[{"external_id": "s1", "incident": "i1", "name": m["source"], "kind": "ngo",
                  "acts": "a1"}],
    )  # fmt: skip
    report = importer.run(carol, raw)
    assert report.imported and report.created == 4
    dump = every_text_cell()
    leaked = sorted(field for field, marker in m.items() if marker.casefold() in dump)
    assert leaked == []
    assert record_of("defenders", "d1").name.startswith(m["name"])


# --- Search in several scripts ------------------------------------------------------

TEXTS = {
    "latin": ("José Pérez detenido en Bogotá", ["jose", "PEREZ", "bogota", "Bogotá"]),
    "cyrillic": ("Задержан в Москве правозащитник Йошкар", ["москве", "ЗАДЕРЖАН", "йошкар"]),
    "arabic": ("اعتقال المدافع في القاهرة", ["القاهرة", "المدافع"]),
    "chinese": ("北京 警察 拘留 律师", ["北京", "律师"]),
    "greek": ("Συνελήφθη στην Αθήνα", ["αθηνα", "ΑΘΉΝΑ"]),
}


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "one-by-one"])
def test_search_finds_words_of_every_script_after_an_import(carol, monkeypatch, bulk):
    if not bulk:
        monkeypatch.setattr(importer, "_create_batch", one_by_one)
    raw = only(incidents=[incident(key, narrative=text) for key, (text, _q) in TEXTS.items()])
    report = importer.run(carol, raw)
    assert report.imported and report.created == len(TEXTS)
    misses = [(key, n) for key, (_t, queries) in TEXTS.items() for n, q in enumerate(queries)
              if found(q) != [key]]  # fmt: skip
    assert misses == []


def test_bulk_and_one_by_one_hash_the_same_words_in_every_script(carol, monkeypatch):
    def tokens(prefix):
        return {
            key: SearchEntry.objects.get(
                kind="cases.incident", object_id=record_of("incidents", prefix + key).pk
            ).tokens
            for key in TEXTS
        }

    importer.run(
        carol, only(incidents=[incident("b" + k, narrative=t) for k, (t, _q) in TEXTS.items()])
    )
    monkeypatch.setattr(importer, "_create_batch", one_by_one)
    importer.run(
        carol, only(incidents=[incident("s" + k, narrative=t) for k, (t, _q) in TEXTS.items()])
    )
    assert tokens("b") == tokens("s")


# --- Two imports at once ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_keep_the_audit_chain_and_their_own_records(carol):
    if connection.vendor != PG:
        pytest.skip("SQLite serialises writers: one import waits for the other")
    files = {
        side: only(
            defenders=[{"external_id": f"{side}d{n}", "kind": "person", "name": f"N{n}",
                        "country": "COL"} for n in range(300)],
            incidents=[incident(f"{side}i{n}", narrative=f"word{side}{n}") for n in range(300)],
            acts=[{"external_id": f"{side}a{n}", "incident": f"{side}i{n}",
                   "victim": f"{side}d{n}", "violation": "threats", "perpetrators": "police"}
                  for n in range(300)],
        )
        for side in ("l", "r")
    }  # fmt: skip
    start = threading.Barrier(2)
    reports, errors = {}, []

    def run(side):
        try:
            start.wait()
            reports[side] = importer.run(carol, files[side])
        except Exception as error:  # noqa: BLE001 - reported below by kind
            errors.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(side,)) for side in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert all(reports[s].imported and reports[s].created == 900 for s in files)
    assert Defender.objects.count() == 600 and Incident.objects.count() == 600
    assert (
        ExternalRef.objects.values("object_id", "kind").distinct().count()
        == ExternalRef.objects.count()
        == 1800
    )
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert audit.verify().intact
    assert found("wordl7") == ["li7"] and found("wordr299") == ["ri299"]


def test_a_bulk_import_failing_in_its_second_batch_changes_nothing(carol, monkeypatch):
    """A row refused in the second batch: nothing of the first stays (the sequence's
    gaps aside), and the chain still verifies."""
    monkeypatch.setattr(importer, "BATCH", 5)
    rows = [incident(f"i{n}") for n in range(12)]
    rows[8]["end_date"] = "2020-01-01"  # before the start: refused while writing
    trail = AuditEntry.objects.count()
    report = importer.run(carol, only(incidents=rows))
    assert not report.imported
    assert (Incident.objects.count(), ExternalRef.objects.count(), SearchEntry.objects.count()) == (
        0,
        0,
        0,
    )
    assert AuditEntry.objects.count() == trail
    assert audit.verify().intact

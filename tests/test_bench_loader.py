"""The million-incident benchmark's loader (bench/million.py), at a tiny size: the
proportions it promises, and records the application reads as its own: titles
decrypted, words found by the search, defenders found by the digest of their name.

The loader writes with PostgreSQL's COPY, so these tests run on PostgreSQL only
(`vt NAME --pg`); bench/case_list.py's loader, through the ORM, serves SQLite."""

import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from vigil.cases.models import Act, Case, Defender, DefenderName, Incident
from vigil.cases.selectors import CaseFilter, case_list
from vigil.cases.services import NAME_INDEX
from vigil.vault import index, search
from vigil.vault.models import SearchEntry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import million  # noqa: E402 - bench/ is not a package

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the loader writes with PostgreSQL's COPY, which SQLite does not have",
)


@pytest.fixture
def loaded(transactional_db):
    # Several batches, so that repeated victims and cases cross batch boundaries.
    # transactional_db: the loader ends with VACUUM, which no transaction may wrap.
    return million.load(500, batch=200, quiet=True)


def test_it_loads_the_promised_proportions(loaded):
    assert Incident.objects.count() == 500
    acts = Act.objects.count()
    assert 1.2 <= acts / 500 <= 1.4
    assert 1.3 <= 500 / Case.objects.count() <= 1.5
    assert 0.35 <= Act.objects.filter(verification="verified").count() / acts <= 0.45
    # Most victims suffer one act; some have another.
    repeated = Defender.objects.annotate(n=Count("acts")).filter(n__gt=1).count()
    assert 0 < repeated < Defender.objects.count() / 4
    assert Defender.objects.filter(acts__isnull=True).count() == 0
    # Every incident is in exactly one case; every case has one at least.
    assert Case.incidents.through.objects.values("incident").distinct().count() == 500
    assert not Case.objects.filter(incidents__isnull=True).exists()


def test_verified_acts_are_verified_as_the_desk_does_it(loaded):
    verified = Act.objects.filter(verification="verified").annotate(linked=Count("sources"))
    assert verified.exists()
    for act in verified:
        assert act.verified_by.username == "coordinator"
        assert act.verified_at is not None
        assert 1 <= act.independent_sources <= act.linked
    assert not Act.objects.exclude(verification="verified").filter(verified_at__isnull=False)


def test_each_source_is_linked_to_every_act_of_its_incident(loaded):
    for act in Act.objects.prefetch_related("sources", "incident__sources")[:100]:
        assert {s.pk for s in act.sources.all()} == {s.pk for s in act.incident.sources.all()}


def test_the_app_decrypts_what_was_loaded(loaded):
    incident = Incident.objects.get(pk=loaded.sample["incident"])
    assert incident.title == loaded.sample["title"]
    assert incident.narrative == loaded.sample["narrative"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM cases_incident WHERE id = %s", [incident.pk])
        stored = cursor.fetchone()[0]
    assert loaded.sample["title"] not in stored  # sealed, not in the clear


def test_a_word_of_a_narrative_finds_its_case(loaded):
    coordinator = million.coordinator_create()
    word = loaded.sample["narrative"].split()[7]
    found = case_list(coordinator, CaseFilter(text=word))
    assert found.filter(incidents=loaded.sample["incident"]).exists()
    entry = SearchEntry.objects.get(kind="cases.incident", object_id=loaded.sample["incident"])
    incident = Incident.objects.get(pk=loaded.sample["incident"])
    texts = [incident.title, incident.narrative, incident.place]
    assert entry.tokens == search.tokens_for(texts, kind="cases.incident")


def test_a_defender_is_found_by_the_digest_of_their_name(loaded):
    coordinator = million.coordinator_create()
    name = loaded.sample["name"]
    digest = index.blind_index(name, purpose=NAME_INDEX)
    assert DefenderName.objects.get(digest=digest).defender_id == loaded.sample["defender"]
    assert Defender.objects.get(pk=loaded.sample["defender"]).name == name
    found = case_list(coordinator, CaseFilter(text=name))
    assert found.filter(defenders=loaded.sample["defender"]).exists()

"""Reads on a real streaming replica (conftest.py makes it): the statistics, the
exports and the report builds read there once it has caught up; what writes, and
what must read its own writes, goes to the primary; a replica that lags or stops is
bypassed, the numbers stay exact and the application stays ready."""

import contextlib
import csv
import io
import json
import time
from datetime import date

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.core import reading
from vigil.core.models import AuditEntry
from vigil.exchange.models import ExternalRef
from vigil.reports.models import ReportBuild

pytestmark = [
    pytest.mark.slow,  # two PostgreSQL clusters of their own
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture(autouse=True)
def _replica_following(clusters):
    clusters.caught_up()
    reading.forget_failures()
    yield
    clusters.resume()
    reading.forget_failures()


def on_replica() -> CaptureQueriesContext:
    return CaptureQueriesContext(connections["replica"])


def read(captured: CaptureQueriesContext, table: str) -> list[str]:
    """The queries of `captured` that read `table`."""
    return [q["sql"] for q in captured.captured_queries if f'"{table}"' in q["sql"]]


def counting(captured: CaptureQueriesContext) -> list[str]:
    """The queries of `captured` that count acts (not the version of the records,
    stats/freshness.py's data_version(), which is read on the primary by design)."""
    return [q for q in read(captured, "cases_act") if '"versions"' not in q]


def killings(client, query: str = "?country=COL") -> int:
    """The killings the statistics export counts: by default for Colombia, which is
    counted from the acts (on the replica); the whole desk's (`query=""`) come from
    the tallies, which are settled and read on the primary (stats/tally.py)."""
    response = client.get(reverse("stats:export", args=["violation", "csv"]) + query)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row[0]: int(row[1]) for row in rows[1:]}.get("Killing", 0)


def killing(actor, name: str):
    victim = make.defender(actor, name=name)
    incident = make.incident(actor, start_date=date(2025, 3, 1))
    return make.act(actor, incident=incident, victim=victim, violation=ViolationType.KILLING)


def test_the_replica_is_a_standby_of_the_primary(clusters):
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        assert cursor.fetchone() == (True, str(clusters.replica.port))


def test_the_statistics_are_counted_on_the_replica_and_the_export_audited_on_the_primary(
    client, carol, dave
):
    killing(carol, "Ana Torres")
    client.force_login(dave)
    with on_replica() as replica, CaptureQueriesContext(connections["default"]) as primary:
        assert killings(client) == 1
    assert counting(replica) and not counting(primary)
    assert not read(replica, "core_auditentry")
    assert AuditEntry.objects.filter(action="stats.exported").count() == 1


def test_the_whole_desks_tallies_are_settled_and_read_on_the_primary(client, carol, dave):
    killing(carol, "Ana Torres")
    client.force_login(dave)
    with on_replica() as replica, CaptureQueriesContext(connections["default"]) as primary:
        assert killings(client, query="") == 1
    assert read(primary, "stats_tally") and not read(replica, "stats_tally")


def test_the_public_statistics_are_counted_on_the_replica(client, carol):
    killing(carol, "Ana Torres")
    with on_replica() as replica, CaptureQueriesContext(connections["default"]) as primary:
        assert client.get(reverse("public_stats:page")).status_code == 200
    assert counting(replica) and not counting(primary)


def test_a_lagging_replica_is_bypassed_and_the_numbers_stay_exact(
    client, carol, dave, clusters, caplog, settings
):
    settings.REPLICA_MAX_LAG = 0.3
    killing(carol, "Ana Torres")
    client.force_login(dave)
    assert killings(client) == 1
    clusters.pause()  # the replica stops replaying: it lags from the next commit on
    killing(carol, "Luis Ortega")
    assert clusters.replica.sql("SELECT count(*) FROM cases_act", dbname=clusters.dbname) == (1,)
    with on_replica() as replica:
        started = time.monotonic()
        assert killings(client) == 2  # counted on the primary, not the one the replica has
        waited = time.monotonic() - started
    assert not counting(replica)
    assert waited >= settings.REPLICA_MAX_LAG  # it waited for the replica, then gave up
    assert "reading from the primary database: the replica is lagging" in caplog.text
    assert "Luis" not in caplog.text and "Ana" not in caplog.text
    print(f"\na lagging replica cost the first reader {waited:.2f} s")

    # Bypassed for a while: the next reader does not even ask it.
    killing(carol, "Eva Rojas")
    with on_replica() as replica:
        assert killings(client) == 3
    assert not replica.captured_queries

    # Once it has caught up, and the bypass has run out, the replica counts again.
    clusters.resume()
    clusters.caught_up()
    reading.forget_failures()
    killing(carol, "Rui Costa")
    with on_replica() as replica:
        assert killings(client) == 4
    assert counting(replica)


def test_a_write_in_a_replica_block_goes_to_the_primary_and_so_do_the_reads_after_it(clusters):
    clusters.pause()  # nothing written from now on can reach the replica
    with reading.from_replica() as from_the_replica:
        assert from_the_replica  # nothing was committed since it paused: it has it all
        with on_replica() as before:
            assert not ExternalRef.objects.exists()
        assert read(before, "exchange_externalref")
        ExternalRef.objects.create(kind="defenders", external_id="ext-1", object_id=1)
        with on_replica() as after:
            assert ExternalRef.objects.filter(external_id="ext-1").exists()
        assert not after.captured_queries
    assert clusters.replica.sql(
        "SELECT count(*) FROM exchange_externalref", dbname=clusters.dbname
    ) == (0,)  # fmt: skip


def test_a_transaction_reads_its_own_writes_on_the_primary():
    with transaction.atomic():
        ExternalRef.objects.create(kind="defenders", external_id="ext-2", object_id=2)
        with reading.from_replica() as from_the_replica, on_replica() as replica:
            assert not from_the_replica
            assert ExternalRef.objects.filter(external_id="ext-2").exists()
        assert not replica.captured_queries


def test_an_export_has_the_record_saved_a_moment_before_and_reads_it_on_the_replica(client, carol):
    make.defender(carol, name="Marta Quispe")
    client.force_login(carol)
    with on_replica() as replica:
        response = client.get(reverse("exchange:export", args=["json"]) + "?identities=1")
    assert [d["name"] for d in json.loads(response.content)["defenders"]] == ["Marta Quispe"]
    assert read(replica, "cases_defender")
    assert AuditEntry.objects.filter(action="exchange.exported").count() == 1


def test_an_export_while_the_replica_lags_reads_the_primary(client, carol, clusters):
    client.force_login(carol)
    clusters.pause()
    make.defender(carol, name="Marta Quispe")
    with on_replica() as replica:
        response = client.get(reverse("exchange:export", args=["json"]) + "?identities=1")
    assert [d["name"] for d in json.loads(response.content)["defenders"]] == ["Marta Quispe"]
    assert not read(replica, "cases_defender")


def test_a_report_is_built_from_the_replica(client, carol):
    victim = make.defender(carol, name="Marta Quispe", consent_publish=True)
    make.act(
        carol, incident=make.incident(carol, start_date=date(2026, 2, 1)), victim=victim,
        violation=ViolationType.THREATS, reprisal=True, reprisal_body="ohchr",
    )  # fmt: skip
    client.force_login(carol)
    with on_replica() as replica, CaptureQueriesContext(connections["default"]) as primary:
        client.post(
            reverse("reports:list"),
            {"report": "reprisals", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
             "fmt": "docx", "language": "en"},
        )  # fmt: skip
    build = ReportBuild.objects.get()  # built at once: tasks run in the test process
    assert build.state == ReportBuild.State.DONE
    assert counting(replica) and not counting(primary)
    assert not read(replica, "reports_reportbuild")  # its row: claimed and finished on the primary


def test_a_stopped_replica_is_bypassed_and_the_application_stays_ready(
    client, carol, dave, clusters, caplog
):
    killing(carol, "Ana Torres")
    client.force_login(dave)
    ready = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert json.loads(ready.content)["checks"]["replica"] == "ok"
    clusters.replica.stop()
    try:
        assert killings(client) == 1
        killing(carol, "Luis Ortega")
        assert killings(client) == 2
        # Tried once, then left alone for a while rather than once per reader.
        assert caplog.text.count("the replica is unreachable") == 1
        ready = client.get("/readyz", HTTP_HOST="10.0.0.7")
        assert ready.status_code == 200
        assert json.loads(ready.content) == {
            "status": "ok",
            "checks": {"database": "ok", "cache": "ok", "files": "ok", "queue": "ok",
                       "replica": "failing"},
        }  # fmt: skip
        assert str(clusters.replica.port).encode() not in ready.content
    finally:
        clusters.replica.start()


def test_a_replica_url_naming_another_database_is_never_read(clusters):
    """The right standby, the wrong database (another installation's, a staging
    copy): its WAL position is the primary's, but it is no copy of Vigil's."""
    clusters.caught_up()
    reading.forget_failures()
    replica = connections["replica"]
    name = replica.settings_dict["NAME"]
    replica.close()
    replica.settings_dict["NAME"] = "postgres"
    try:
        with reading.from_replica() as on_replica:
            assert not on_replica
    finally:
        replica.close()
        replica.settings_dict["NAME"] = name
        reading.forget_failures()
    with reading.from_replica() as on_replica:
        assert on_replica  # the right one is read again


def test_a_replica_host_gone_silent_costs_the_probe_one_connection_not_one_each_time(
    client, clusters
):
    """A replica host that died without a reset (a power cut, a partition): each
    connection waits its timeout. /readyz is asked every few seconds; it must not
    wait that long every time for a part it does not need."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # takes connections, never answers
    silent.settimeout(0.2)
    replica = connections["replica"]
    port = replica.settings_dict["PORT"]
    replica.close()
    reading.forget_failures()
    replica.settings_dict["PORT"] = silent.getsockname()[1]
    accepted = []
    try:
        for _ in range(3):
            answer = client.get("/readyz", HTTP_HOST="10.0.0.7")
            assert answer.status_code == 200
            assert answer.json()["checks"]["replica"] == "failing"
            with contextlib.suppress(TimeoutError):
                while True:
                    accepted.append(silent.accept()[0])
        assert len(accepted) == 1
    finally:
        for connection in accepted:
            connection.close()
        replica.close()
        replica.settings_dict["PORT"] = port
        silent.close()
        reading.forget_failures()

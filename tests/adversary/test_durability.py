"""Durability beyond a killed process.

A receipt tells a reporter that their report is kept. With SQLite in WAL mode and
`synchronous=NORMAL`, a commit survives a killed process but not a power cut or an
operating-system crash: the last reports acknowledged could be gone when the server
comes back, their receipts opening nothing. These tests read back, on the very
connection that commits reports, what the database promises.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_a_power_cut_cannot_take_back_an_acknowledged_report(client):
    # A request first, so that the connection is the one the application opens.
    assert client.get("/").status_code == 200
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] >= FULL
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
            # The suite's own in-memory database has no journal on disk to speak of.
            assert mode == "wal" or connection.is_in_memory_db()
        else:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] in {"on", "remote_write", "remote_apply"}
            cursor.execute("SHOW fsync")
            assert cursor.fetchone()[0] == "on"

"""A real streaming replica for the tests of the database router (core/reading.py).

A throwaway PostgreSQL primary is made with initdb on a free port (wal_level=replica),
copied with `pg_basebackup -R` into a second cluster on another port, which then
follows it as a hot standby. For the tests of this folder (and only them) Django's
"default" is that primary and "replica" the standby; the test database is made on
the primary and reaches the standby by replication, as in production. The clusters
are stopped and deleted afterwards, and the settings of the rest of the suite are
put back as they were.

Run as root (as on CI), the clusters run as the postgres OS user, which PostgreSQL
requires.
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*command: str) -> None:
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    binary = str(Path(BINARIES[-1]) / command[0])
    subprocess.run([*as_postgres, binary, *command[1:]], check=True, capture_output=True)


@dataclass
class Cluster:
    path: Path
    port: int

    def start(self) -> None:
        _run("pg_ctl", "-D", str(self.path), "-l", str(self.path / "log"), "-w", "start")

    def stop(self) -> None:
        _run("pg_ctl", "-D", str(self.path), "-m", "fast", "-w", "stop")

    def sql(self, query: str, params: tuple = (), dbname: str = "postgres"):
        """One statement in its own connection (autocommit); its first row."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        ) as conn:
            return conn.execute(query, params).fetchone()


@dataclass
class Pair:
    primary: Cluster
    replica: Cluster
    dbname: str = ""

    def caught_up(self, seconds: float = 30) -> None:
        target = self.primary.sql("SELECT pg_current_wal_flush_lsn()::text")[0]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.replica.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[0]:
                return
            time.sleep(0.05)
        raise AssertionError("the replica did not catch up")

    def pause(self) -> None:
        self.replica.sql("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.replica.sql("SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="package")
def clusters():
    if not BINARIES:
        pytest.fail("the replica tests need PostgreSQL's server binaries (postgresql package)")
    root = Path(tempfile.mkdtemp(prefix="vigil-replica-"))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(root, postgres.pw_uid, postgres.pw_gid)
    os.chmod(root, 0o700)
    primary = Cluster(root / "primary", _free_port())
    replica = Cluster(root / "replica", _free_port())
    try:
        _run("initdb", "-D", str(primary.path), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-sync")  # fmt: skip
        settings = (
            f"port = {primary.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nwal_level = replica\nmax_wal_senders = 4\n"
            "hot_standby = on\nfsync = off\nshared_buffers = 32MB\n"
        )
        with (primary.path / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        primary.start()
        _run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
             "-D", str(replica.path), "-R", "-X", "stream", "--no-sync")  # fmt: skip
        with (replica.path / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica.port}\n")
        replica.start()
        assert replica.sql("SELECT pg_is_in_recovery()") == (True,)
        yield Pair(primary, replica)
    finally:
        for cluster in (replica, primary):
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def django_db_setup(django_db_blocker, clusters):
    """Point "default" at the throwaway primary and "replica" at its standby, make the
    test database there, and put the suite's own databases back afterwards."""
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    from vigil.settings import replica_database

    assert connections.settings is settings.DATABASES
    saved = dict(settings.DATABASES)

    def forget_connections() -> None:
        connections.close_all()
        for alias in list(settings.DATABASES):
            with contextlib.suppress(AttributeError):
                del connections[alias]

    with django_db_blocker.unblock():
        forget_connections()
        url = "postgres://postgres@127.0.0.1:{}/vigil"
        primary = dj_database_url.parse(url.format(clusters.primary.port), conn_max_age=0)
        replica = replica_database(url.format(clusters.replica.port))
        replica["CONN_MAX_AGE"] = 0
        settings.DATABASES.update(
            connections.configure_settings({"default": primary, "replica": replica})
        )
        connections["default"].creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        replica["NAME"] = clusters.dbname = primary["NAME"]
        clusters.caught_up()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            forget_connections()
        settings.DATABASES.clear()
        settings.DATABASES.update(saved)

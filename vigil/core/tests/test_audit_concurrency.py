"""Appends from many writers at once still make one unbroken chain."""

import subprocess
import sys
import threading

import pytest
from django.db import connection, connections

from conftest import ROOT, manage_env, run_manage
from vigil.core import audit

WRITERS = 6
EACH = 20


@pytest.mark.django_db(transaction=True)
def test_threads_appending_at_once_on_postgresql_make_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the in-memory SQLite test database cannot take writers from several "
            "threads; the next test covers SQLite with several processes on a file"
        )
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                audit.record(actor=None, action="test.concurrent", object_id=i)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    result = audit.verify()
    assert result.intact
    assert result.count == WRITERS * EACH


@pytest.mark.slow  # many writing processes
def test_processes_appending_at_once_on_sqlite_make_one_chain(tmp_path):
    env = manage_env(tmp_path, VIGIL_DEBUG="1")
    migrate = run_manage("migrate", "--no-input", env=env)
    assert migrate.returncode == 0, migrate.stderr
    script = (
        "from vigil.core import audit\n"
        f"for i in range({EACH}):\n"
        "    audit.record(actor=None, action='test.concurrent', object_id=i)\n"
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WRITERS)
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    verified = run_manage("verify_audit", env=env)
    assert verified.returncode == 0, verified.stderr
    assert f"Verified {WRITERS * EACH} audit entries." in verified.stdout

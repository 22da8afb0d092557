"""The task queue, for real: `run_huey` workers in processes of their own, on the
queue's SQLite storage and on Redis, over an installation of their own (on PostgreSQL
when the suite runs on it, else SQLite). A worker is killed with SIGKILL in the middle
of an import; the job runs again and its records are written once. A job whose task
never reached the queue (a web process killed between its commit and the queueing)
is found by the sweep. A transient error is retried with growing pauses. `make run`
starts the web server and a worker together and Ctrl-C stops both.

The logic of claims, sweeps and the schedule is tested in process, on the suite's
database, in vigil/core/tests/test_jobs.py."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, manage_env, run_manage

pytestmark = pytest.mark.slow

SETUP = """
from vigil.accounts import services
from vigil.core.vocabularies import Role
services.user_create(actor=None, username="olga", role=Role.CASE_OFFICER, countries=["COL"],
                     password="a long test passphrase", first_name="Olga")
services.user_create(actor=None, username="cora", role=Role.COORDINATOR, countries=[],
                     password="a long test passphrase", first_name="Cora")
"""

# What a web process does when an officer uploads a file: the job row, then the
# task queued once the transaction commits (the shell runs in autocommit).
REQUEST_IMPORT = """
import os
from django.contrib.auth import get_user_model
from vigil.exchange import jobs
content = open(os.environ["UPLOAD"], "rb").read()
job = jobs.request_import(actor=get_user_model().objects.get(username="olga"),
                          content=content, suffix="csv", skip_invalid=False, language="en")
print(job.pk)
"""

# A web process killed after its commit and before the queueing: the row alone.
ROW_WITHOUT_TASK = """
from datetime import date
from django.contrib.auth import get_user_model
from vigil.reports.models import ReportBuild
build = ReportBuild.objects.create(report="annual", fmt="docx", starts_on=date(2026, 1, 1),
    ends_on=date(2026, 12, 31), language="en",
    requested_by=get_user_model().objects.get(username="cora"))
print(build.pk)
"""

REQUEST_BUILD = """
from datetime import date
from django.contrib.auth import get_user_model
from vigil.reports import builds
build = builds.request_build(actor=get_user_model().objects.get(username="cora"),
    report="annual", fmt="docx", start=date(2026, 1, 1), end=date(2026, 12, 31), language="en")
print(build.pk)
"""

STATE = """
import json, os, sys
from vigil.cases.models import Defender, Act
from vigil.core.models import AuditEntry
from vigil.exchange.models import ImportJob
from vigil.reports.models import ReportBuild
model = {"import": ImportJob, "build": ReportBuild}[os.environ["KIND"]]
row = model.objects.filter(pk=os.environ["PK"]).values(
    "state", "attempts", "done", "total", "failure").first()
print(json.dumps({**row, "defenders": Defender.objects.count(), "acts": Act.objects.count(),
    "imported": AuditEntry.objects.filter(action="exchange.imported").count()}))
"""

# The lease running out (time passing, here at once), then the scheduler's minute.
SWEEP = """
import os
from datetime import timedelta
from django.utils import timezone
from vigil.core import jobs
from vigil.exchange.models import ImportJob
from vigil.reports.models import ReportBuild
from vigil.exchange.tasks import requeue_stalled_imports
from vigil.reports.tasks import requeue_stalled_builds
past = timezone.now() - jobs.LEASE - timedelta(seconds=1)
for model in (ImportJob, ReportBuild):
    model.objects.filter(state__in=["queued", "running"]).update(updated_at=past)
requeue_stalled_imports.call_local()
requeue_stalled_builds.call_local()
"""


BOTH_QUEUES = pytest.mark.parametrize(
    "installation", ["sqlite-queue", "redis-queue"], indirect=True
)


@pytest.fixture
def installation(request, tmp_path):
    """An installation of its own: data folder, database, queue. The kill test runs on
    both queues; the others on the queue that goes with the suite's database (Redis
    beside PostgreSQL, the data folder's beside SQLite), as installations are set up."""
    settings = {"VIGIL_DEBUG": "1"}
    database = None
    parent_url = os.environ.get("DATABASE_URL", "")
    queue = getattr(request, "param", None) or (
        "redis-queue" if parent_url.startswith("postgres") else "sqlite-queue"
    )
    if parent_url.startswith("postgres"):
        import psycopg

        database = f"vigil_queue_{uuid.uuid4().hex[:10]}"
        server = parent_url.rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {database}")
        settings["DATABASE_URL"] = f"{server}/{database}"
    name = f"vigil-test-{uuid.uuid4().hex[:10]}"
    if queue == "redis-queue":
        settings.update(VIGIL_QUEUE_URL="redis://127.0.0.1:6379/0", VIGIL_QUEUE_NAME=name)
    env = manage_env(tmp_path / "data", **settings)
    for step in (("migrate", "--no-input"), ("shell", "--no-imports", "-c", SETUP)):
        done = run_manage(*step, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
    workers: list[subprocess.Popen] = []
    yield Installation(env, tmp_path, workers)
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    if queue == "redis-queue":
        import redis

        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(f"huey.*{name}*"):
            client.delete(key)
    if database:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


class Installation:
    def __init__(self, env: dict[str, str], folder: Path, workers: list) -> None:
        self.env, self.folder, self.workers = env, folder, workers

    def shell(self, script: str, **env: str) -> str:
        done = run_manage("shell", "--no-imports", "-c", script, env={**self.env, **env})
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    def worker(self, *options: str) -> subprocess.Popen:
        log = open(self.folder / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "2", *options],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.workers.append(process)
        return process

    def state(self, kind: str, pk: str) -> dict:
        return json.loads(self.shell(STATE, KIND=kind, PK=pk))

    def wait_for(self, kind: str, pk: str, until, seconds: float = 120) -> dict:
        deadline, seen = time.monotonic() + seconds, None
        while time.monotonic() < deadline:
            seen = self.state(kind, pk)
            if until(seen):
                return seen
            time.sleep(0.3)
        raise AssertionError(f"not reached in {seconds} s: {seen}")

    def worker_log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.folder.glob("worker-*.log"))
        )


@BOTH_QUEUES
def test_an_import_whose_worker_is_killed_midway_runs_again_and_writes_once(installation):
    from vigil.exchange.tests.test_exchange import thousand_rows

    each = 6000  # 24,000 rows: written in batches, several seconds' work
    upload = installation.folder / "upload.csv"
    upload.write_text(thousand_rows(bad_row=0, each=each), encoding="utf-8")
    first = installation.worker("--no-periodic")
    pk = installation.shell(REQUEST_IMPORT, UPLOAD=str(upload))

    running = installation.wait_for("import", pk, lambda s: s["state"] == "running")
    assert running["attempts"] == 1
    # Midway: checking or writing its rows. (Its progress cannot tell: on SQLite the
    # import's transaction holds the only write lock, so the heartbeat skips its beats.)
    time.sleep(2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed = installation.state("import", pk)
    assert killed["state"] == "running", "the import finished before the kill: make it larger"
    assert killed["defenders"] == 0 and killed["imported"] == 0  # nothing half-written

    installation.worker()  # a new worker, which also schedules
    installation.shell(SWEEP)
    done = installation.wait_for("import", pk, lambda s: s["state"] in {"done", "failed"})
    assert done["state"] == "done" and done["attempts"] == 2, done
    assert done["defenders"] == each and done["acts"] == each  # once, not twice
    assert done["imported"] == 1  # one audit entry for one import
    assert done["done"] == done["total"] == 4 * each
    # The same task again (a duplicate in the queue) changes nothing.
    installation.shell(
        f"from vigil.exchange.tasks import import_records; import_records.call_local('{pk}')"
    )
    again = installation.state("import", pk)
    assert again["defenders"] == each and again["imported"] == 1 and again["attempts"] == 2
    verified = run_manage("verify_audit", env=installation.env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_job_whose_task_never_reached_the_queue_is_found_and_run(installation):
    installation.worker("--no-periodic")
    pk = installation.shell(ROW_WITHOUT_TASK)
    time.sleep(3)
    assert installation.state("build", pk)["state"] == "queued"  # nobody knows of it
    installation.shell(SWEEP)
    done = installation.wait_for("build", pk, lambda s: s["state"] in {"done", "failed"})
    assert done["state"] == "done" and done["attempts"] == 1, done


def test_a_transient_error_is_retried_with_growing_pauses_until_it_passes(installation):
    # The file store out of reach: where its folder should be, a plain file.
    store = Path(installation.env["VIGIL_DATA_DIR"]) / "files"
    if store.exists():
        os.rename(store, store.with_name("files-aside"))
    store.write_bytes(b"")
    installation.worker("--no-periodic")
    pk = installation.shell(REQUEST_BUILD)
    seen: list[tuple[int, float]] = []  # (attempts, when first seen)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(seen) < 3:
        state = installation.state("build", pk)
        if not seen or state["attempts"] != seen[-1][0]:
            seen.append((state["attempts"], time.monotonic()))
        time.sleep(0.2)
    assert [attempts for attempts, _ in seen] == [1, 2, 3], seen
    first_pause, second_pause = seen[1][1] - seen[0][1], seen[2][1] - seen[1][1]
    assert second_pause > first_pause * 1.4, (first_pause, second_pause)  # back-off
    assert installation.state("build", pk)["state"] in {"queued", "running"}
    store.unlink()  # the store is back
    done = installation.wait_for("build", pk, lambda s: s["state"] in {"done", "failed"})
    assert done["state"] == "done", done
    log = installation.worker_log()
    assert f"job {pk} will be retried: FileExistsError" in log


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_serves_with_a_worker_and_ctrl_c_stops_both(tmp_path):
    env = manage_env(tmp_path / "data", VIGIL_DEBUG="1")
    assert run_manage("migrate", "--no-input", env=env).returncode == 0
    port = free_port()
    script = subprocess.Popen(
        [str(ROOT / "scripts" / "serve-with-worker"), sys.executable, str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline, ready = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    ready = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.3)
        assert ready == {"status": "ok", "checks": dict.fromkeys(
            ["database", "cache", "files", "queue"], "ok")}  # fmt: skip
        children = subprocess.run(
            ["ps", "-o", "args=", "--ppid", str(script.pid)], capture_output=True, text=True
        ).stdout
        assert "run_huey" in children and "runserver" in children
        os.killpg(script.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole group
        assert script.wait(timeout=30) is not None
        time.sleep(0.5)
        left = subprocess.run(["pgrep", "-s", str(script.pid)], capture_output=True, text=True)
        assert left.stdout.strip() == "", "a process outlived Ctrl-C"
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)

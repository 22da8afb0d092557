"""Jobs and the queue, in process on the suite's database: claims, duplicate tasks,
the sweep, the schedule, what a queued task carries, the retry pauses and the queue's
file. Real workers in processes of their own, killed mid-task, are in
tests/test_queue.py."""

import stat
from datetime import date, datetime, timedelta

import pytest


@pytest.fixture
def build(db, carol):
    from vigil.reports.models import ReportBuild

    return ReportBuild.objects.create(
        report="annual", fmt="docx", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        language="en", requested_by=carol,
    )  # fmt: skip


def test_of_two_workers_holding_one_task_one_claims_it(build):
    from vigil.core import jobs
    from vigil.reports.models import ReportBuild

    first = jobs.claim(ReportBuild, build.pk)
    assert first and jobs.claim(ReportBuild, build.pk) is None
    # Its lease running out (no heartbeat): another takes over, and the first, should
    # it wake up, can record nothing.
    ReportBuild.objects.filter(pk=build.pk).update(
        updated_at=build.updated_at - jobs.LEASE - timedelta(seconds=1)
    )
    second = jobs.claim(ReportBuild, build.pk)
    assert second and second != first
    stale = jobs.Run(ReportBuild, build.pk, first, inline=True)
    assert not stale.finish(state="done") and not stale.write()
    assert jobs.Run(ReportBuild, build.pk, second, inline=True).finish(state="done")
    build.refresh_from_db()
    assert (build.state, build.attempts) == ("done", 2)
    assert jobs.claim(ReportBuild, build.pk) is None  # done stays done


def test_a_build_run_twice_is_stored_once(build):
    from vigil.reports import builds
    from vigil.vault import files

    before = set(files.names())
    builds.run(build.pk)
    builds.run(build.pk)  # a duplicate task
    build.refresh_from_db()
    assert build.state == "done" and build.attempts == 1
    assert set(files.names()) - before == {build.stored_name}


def test_the_sweep_queues_again_what_nobody_holds_and_gives_up_in_the_end(build, carol):
    from django.utils import timezone

    from vigil.core import jobs
    from vigil.reports.models import ReportBuild

    fresh = ReportBuild.objects.create(
        report="annual", fmt="docx", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        language="en", requested_by=carol, state="running",
    )  # fmt: skip
    worn = ReportBuild.objects.create(
        report="annual", fmt="docx", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        language="en", requested_by=carol, state="running", attempts=jobs.MAX_CLAIMS,
    )  # fmt: skip
    past = timezone.now() - jobs.LEASE - timedelta(seconds=1)
    ReportBuild.objects.filter(pk__in=[build.pk, worn.pk]).update(updated_at=past)
    queued: list[str] = []
    assert jobs.requeue_stalled(ReportBuild, queued.append, {"failure": "error"}) == 1
    assert queued == [str(build.pk)]  # the fresh one is someone's; the worn one failed
    fresh.refresh_from_db(), worn.refresh_from_db()
    assert fresh.state == "running" and (worn.state, worn.failure) == ("failed", "error")


def test_the_schedule_runs_the_daily_work_and_the_sweeps():
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")  # as `run_huey` does
    periodic = {task.__name__: task for task in HUEY._registry._periodic_tasks}
    at = {name: task().validate_datetime for name, task in periodic.items()}
    assert at["core.purge_expired"](datetime(2026, 12, 3, 3, 15))
    assert not at["core.purge_expired"](datetime(2026, 12, 3, 4, 15))
    assert at["core.anchor_audit"](datetime(2026, 12, 3, 3, 45))
    for sweep in ("reports.requeue_stalled", "exchange.requeue_stalled", "stats.refresh"):
        assert at[sweep](datetime(2026, 12, 3, 10, 7)) and at[sweep](datetime(2026, 12, 3, 10, 8))


@pytest.fixture
def a_real_queue():
    """Tasks stay in the queue's own storage (the data folder's SQLite file) instead of
    running at once, so that what was queued can be read back."""
    from vigil.core import queue

    huey = queue.huey()
    huey.immediate = False
    huey.storage.flush_all()
    yield huey
    huey.storage.flush_all()
    huey.immediate = True


def test_a_queued_task_carries_the_rows_id_and_nothing_else(
    a_real_queue, carol, alice, django_capture_on_commit_callbacks
):
    from vigil.exchange import jobs as imports
    from vigil.reports import builds

    with django_capture_on_commit_callbacks(execute=True):
        build = builds.request_build(
            actor=carol, report="annual", fmt="docx", start=date(2026, 1, 1),
            end=date(2026, 12, 31), language="en",
        )  # fmt: skip
        job = imports.request_import(
            actor=alice, content=b"kind,country\n", suffix="csv", skip_invalid=False,
            language="en",
        )  # fmt: skip
    pending = {task.name: task for task in a_real_queue.pending()}
    assert pending["reports.build"].args == (str(build.pk),)
    assert pending["exchange.import"].args == (str(job.pk),)
    assert all(task.kwargs == {} for task in pending.values())


def test_a_transient_error_is_retried_five_times_after_5_10_20_40_and_80_seconds(a_real_queue):
    from vigil.exchange.tasks import import_records
    from vigil.reports.tasks import build_report

    for queued in (build_report, import_records):
        task = queued.s("0")
        now, pauses = datetime(2026, 12, 4), []
        while task.retries:  # what Huey does when the task raises
            a_real_queue._requeue_task(task, now)
            pauses.append((task.eta - now).total_seconds())
        assert pauses == [5, 10, 20, 40, 80]


def test_the_queue_in_the_data_folder_is_made_private_on_first_use(tmp_path):
    from vigil.core.queue import DataFolderHuey

    path = tmp_path / "data" / "queue.sqlite3"
    queue = DataFolderHuey("test", filename=str(path))
    assert not path.parent.exists()  # reading the settings makes nothing
    queue.storage.enqueue(b"x")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert queue.storage.dequeue() == b"x"


@pytest.mark.django_db
def test_the_scheduled_anchoring_writes_the_head_as_the_schedule():
    from vigil.core import audit
    from vigil.core.tasks import anchor_audit

    entry = audit.record(actor=None, action="test.action", object_type="test.thing", object_id=1)
    anchor_audit.call_local()
    last = audit.read_anchors()[-1]
    assert (last.seq, last.entry_hash, last.by) == (entry.seq, entry.entry_hash, "schedule")


@pytest.mark.django_db
def test_the_scheduled_purge_runs_the_command_and_logs_only_counts(caplog):
    from vigil.core.tasks import purge_expired

    with caplog.at_level("INFO", logger="vigil.core.tasks"):
        purge_expired.call_local()
    assert caplog.messages == [
        "purge_expired: 0 files no record names deleted, 0 closed reports deleted, "
        "0 report files deleted"
    ]

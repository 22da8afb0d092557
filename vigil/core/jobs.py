"""Long work as tasks of the queue (core/queue.py), with a row of its own (a report
build, an import) that is the source of truth: the queue may lose a task (Huey drops
one whose worker is killed mid-run), the row never does.

The life of a job:

- its row is written in the request's transaction (state "queued"), and the task is
  queued once that transaction has committed;
- a worker `claim`s the row with one conditional UPDATE: queued, or running but
  without a heartbeat for `LEASE`. The claim gets a fresh token and counts an
  attempt; of two workers holding the same task, one wins;
- while it works, a thread of the worker writes the progress and a heartbeat to the
  row every `PULSE` seconds (in the queue's immediate mode, used by the in-process
  tests, the progress is written inline instead);
- it `finish`es with an UPDATE that names its token, in the same transaction as its
  effects where it has any in the database: a worker that lost its claim changes
  nothing, so the effects happen once;
- on an error that says "not now" (queue.transient) it releases the row and lets
  Huey retry with growing pauses; on any other error it records the failure;
- every minute the scheduler's `requeue_stalled` finds rows that nobody works on
  (a killed worker, a web process killed between its commit and the queueing) and
  queues them again, until `MAX_CLAIMS` attempts, after which the job fails.
"""

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from vigil.core import queue, reading

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
PULSE = 2.0  # seconds between heartbeats (and progress writes)
WRITE_EVERY = 0.5  # seconds between inline progress writes
# A claimed job without a heartbeat for this long lost its worker.
LEASE = timedelta(seconds=60)
MAX_CLAIMS = 5
# What the page says of a job that has not moved for this long: no worker is running.
STALLED_AFTER = timedelta(minutes=10)


class ClaimLost(Exception):
    """Another worker took the job over: what this one did is rolled back."""


def stalled(row: Any, *, finished: bool) -> bool:
    """Whether unfinished work on `row` (with an `updated_at`) has stopped moving."""
    return not finished and timezone.now() - row.updated_at > STALLED_AFTER


def retrying(write: Callable[[], Any], attempts: int = 10) -> Any:
    """A write that SQLite may refuse while another connection holds a lock on the
    table (its busy timeout does not cover every case): tried again, briefly."""
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))
    return None


def claim(model: Any, pk: Any) -> str | None:
    """Take the job `pk` for this worker; its token, or None when it is not to be run
    here (finished, or running elsewhere with a heartbeat, or out of attempts)."""
    now, token = timezone.now(), secrets.token_hex(16)
    taken = retrying(
        lambda: (
            model.objects.filter(pk=pk, attempts__lt=MAX_CLAIMS)
            .filter(Q(state=QUEUED) | Q(state=RUNNING, updated_at__lt=now - LEASE))
            .update(state=RUNNING, claim=token, attempts=F("attempts") + 1, updated_at=now)
        )
    )
    return token if taken else None


@dataclass
class Run:
    """One worker's hold on one job."""

    model: Any
    pk: Any
    token: str
    inline: bool  # no heartbeat thread: progress is written as it goes
    done: int = 0
    total: int = 0
    _written: float = field(default=0.0, repr=False)

    def progress(self, total: int) -> "Progress":
        return Progress(self, total)

    def write(self) -> bool:
        """The heartbeat: progress and `updated_at`, if the job is still ours. A busy
        database skips a beat."""
        try:
            # Only while running: a beat held up by a lock must not overwrite the
            # finished row with the progress it was about to write. A block of its
            # own, so that a build reading the replica goes on reading it: the work
            # never reads its job's row (core/reading.py).
            with reading.from_primary():
                kept = self.model.objects.filter(
                    pk=self.pk, claim=self.token, state=RUNNING
                ).update(done=self.done, total=self.total, updated_at=timezone.now())
        except DatabaseError:
            return True
        self._written = time.monotonic()
        return bool(kept)

    def finish(self, **fields: Any) -> bool:
        """Record the outcome, if the job is still ours; False when another worker
        took it over (then nothing is recorded)."""
        return bool(
            retrying(
                lambda: self.model.objects.filter(pk=self.pk, claim=self.token).update(
                    updated_at=timezone.now(), **fields
                )
            )
        )

    def release(self) -> None:
        """Give the job back to the queue (before a retry)."""
        # Should the database be what failed, the sweep finds the job later.
        with contextlib.suppress(DatabaseError):
            self.model.objects.filter(pk=self.pk, claim=self.token).update(
                state=QUEUED, claim="", updated_at=timezone.now()
            )


class Progress:
    """A progress bar (`advance`, `finish`) for a run's row: `done` of `total`."""

    def __init__(self, run: Run, total: int) -> None:
        self.run = run
        run.total, run.done = max(total, 0), 0
        if run.inline:
            run.write()

    @property
    def done(self) -> int:
        return self.run.done

    def advance(self, step: int = 1) -> None:
        self.run.done = min(self.run.done + step, self.run.total)
        if self.run.inline and time.monotonic() - self.run._written >= WRITE_EVERY:
            self.run.write()

    def finish(self) -> None:
        self.run.done = self.run.total
        if self.run.inline:
            self.run.write()


def _pulse(run: Run, stop: threading.Event) -> None:
    try:
        while not stop.wait(PULSE):
            if not run.write():
                return  # taken over: nothing more to say about it
    finally:
        connection.close()


@contextmanager
def running(model: Any, pk: Any) -> Iterator[Run | None]:
    """Hold the job `pk` while the block runs; None when it is not to be run here.

    A transient error (queue.transient) gives the job back and is raised again for
    the queue to retry; `ClaimLost` is swallowed (the other worker finishes it)."""
    token = claim(model, pk)
    if token is None:
        yield None
        return
    run = Run(model, pk, token, inline=queue.huey().immediate)
    stop = threading.Event()
    if not run.inline:
        threading.Thread(target=_pulse, args=(run, stop), name=f"pulse-{pk}", daemon=True).start()
    try:
        yield run
    except ClaimLost:
        logger.warning("job %s was taken over by another worker", pk)
    except Exception as error:
        if queue.transient(error):
            logger.warning("job %s will be retried: %s", pk, type(error).__name__)
            run.release()
        raise
    finally:
        stop.set()


def requeue_stalled(model: Any, enqueue: Callable[[str], Any], give_up: dict[str, Any]) -> int:
    """Queue again the jobs of `model` that nobody works on: queued or running, with
    no heartbeat for `LEASE`. Those out of attempts fail with the fields `give_up`.
    Rows locked by a live transaction are skipped. Returns how many were queued."""
    now = timezone.now()
    requeued: list[str] = []
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(state__in=[QUEUED, RUNNING], updated_at__lt=now - LEASE)
            .values_list("pk", "attempts")[:200]
        )
        for pk, attempts in rows:
            if attempts >= MAX_CLAIMS:
                logger.error("job %s gave up after %s attempts", pk, attempts)
                model.objects.filter(pk=pk).update(state=FAILED, updated_at=now, **give_up)
            else:
                model.objects.filter(pk=pk).update(state=QUEUED, claim="", updated_at=now)
                requeued.append(str(pk))
    for pk in requeued:
        enqueue(pk)
    return len(requeued)

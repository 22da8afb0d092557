"""Long work in the background (report builds, imports): a thread of the web process
with its own database connection, writing its progress to its row so that a page
can poll it. See reports/builds.py and exchange/jobs.py."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

WRITE_EVERY = 0.5  # seconds between progress writes
# Unfinished work that has not moved for this long lost its process (a restart).
STALLED_AFTER = timedelta(minutes=10)


def stalled(row: Any, *, finished: bool) -> bool:
    """Whether unfinished work on `row` (with an `updated_at`) has stopped moving."""
    return not finished and timezone.now() - row.updated_at > STALLED_AFTER


def start_thread(target: Callable[[Any], None], pk: Any, name: str) -> threading.Thread:
    def run() -> None:
        close_old_connections()
        try:
            target(pk)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"{name}-{pk}", daemon=True)
    thread.start()
    return thread


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


class Progress:
    """A progress bar (`advance`, `finish`) written to a row's `done`, `total` and
    `updated_at`, at most twice a second."""

    def __init__(self, model: Any, pk: Any, total: int) -> None:
        self.model, self.pk, self.total, self.done = model, pk, max(total, 0), 0
        self._written = 0.0
        self._write()

    def advance(self, step: int = 1) -> None:
        self.done = min(self.done + step, self.total)
        if time.monotonic() - self._written >= WRITE_EVERY:
            self._write()

    def finish(self) -> None:
        self.done = self.total
        self._write()

    def _write(self) -> None:
        # Progress is worth a try, not a failed job: a busy database skips a beat.
        try:
            self.model.objects.filter(pk=self.pk).update(
                done=self.done, total=self.total, updated_at=timezone.now()
            )
        except OperationalError:
            return
        self._written = time.monotonic()

"""The task queue: Huey (settings.HUEY), with its SQLite storage in the data folder by
default and Redis for several hosts. Why Huey, and how no work is lost although Huey
drops a task whose worker dies mid-run, is in docs/architecture.md ("Background
work"); the job rows that make up for it are core/jobs.py's.

A task carries only ids: never a name, a narrative, a searched word or a file. What
it works on, it reads from the database when it runs.
"""

import os
import sqlite3
from pathlib import Path

from django.db import InterfaceError, OperationalError
from huey import SqliteHuey
from huey.storage import SqliteStorage
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Errors that say "not now" rather than "never": the database, the cache, the queue or
# the file store out of reach for a moment. A task meeting one is tried again later,
# with growing pauses (RETRIES, RETRY_DELAY, RETRY_BACKOFF); anything else fails the
# job at once, with the reason recorded on its row.
TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError,  # the database refused or dropped the connection
    InterfaceError,
    OSError,  # the file store (a full disk, a folder out of reach), a network error
    RedisConnectionError,
    RedisTimeoutError,
)
# Not for want of time: these will not change by waiting.
PERMANENT: tuple[type[BaseException], ...] = (FileNotFoundError, IsADirectoryError)


def transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT) and not isinstance(error, PERMANENT)


RETRIES = 5
RETRY_DELAY = 5  # seconds before the first retry; then 10, 20, 40, 80
RETRY_BACKOFF = 2


class _DataFolderStorage(SqliteStorage):
    """Huey's SQLite storage, opened on first use rather than when the settings are
    read: its folder (0700) and file (0600) are made then, and its tables."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["create_tables"] = False
        super().__init__(*args, **kwargs)
        self._tables_made = False

    def _create_connection(self) -> sqlite3.Connection:
        path = Path(self.filename)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        connection = super()._create_connection()
        if not self._tables_made:
            cursor = connection.cursor()
            for statement in self.ddl:
                cursor.execute(statement)
            connection.commit()
            cursor.close()
            self._tables_made = True
        return connection


class DataFolderHuey(SqliteHuey):
    storage_class = _DataFolderStorage


def huey():
    """The queue of this installation (settings.HUEY, made by huey.contrib.djhuey)."""
    from huey.contrib.djhuey import HUEY

    return HUEY


def depth() -> int:
    """Tasks waiting in the queue (for /readyz and the metrics); raises when the
    queue cannot be reached."""
    return huey().pending_count()


def reachable() -> bool:
    try:
        depth()
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    return True

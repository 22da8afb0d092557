"""Where a read goes when a PostgreSQL streaming replica is configured
(`DATABASE_REPLICA_URL`, the alias "replica" of settings.DATABASES).

Every query goes to the primary unless the code around it opts in with
`from_replica()`: the statistics, the report builds and the exports, which read much
and write little. Inside such a block the replica serves only when it has replayed
every commit the primary had made when the block began (their WAL positions are
compared, which is exact even while the primary is idle), waiting at most
`VIGIL_REPLICA_MAX_LAG` seconds for it; otherwise, or when it cannot be reached, the
block reads from the primary. A reader therefore never sees records older than
those the primary held when it began to read: what someone saved a moment ago is in
the export they ask for next, and a statistic is never older than the records it
claims to be counted from (stats/freshness.py).

What writes, and what must read its own writes, stays on the primary: every write;
every read inside a transaction (an atomic block's reads must see its writes); and
every read after a write in the same block. `from_primary()` forces the primary.

A replica found lagging or out of reach is not asked again for `RETRY_AFTER`
seconds, so that a replica host that is down costs one connection timeout, not one
per request. The log says only that the replica was bypassed and why (lagging or
unreachable), never a query, a host or a record.
"""

import contextlib
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
RETRY_AFTER = 10.0  # seconds during which a bypassed replica is not asked again
POLL = 0.02  # seconds between two looks at the replica's replay position


@dataclass
class _Block:
    replica: bool  # this block reads from the replica
    wrote: bool = False  # it has written since: its reads go to the primary


# Per thread and per asyncio task: a block in one request never routes another's reads.
_block: ContextVar[_Block | None] = ContextVar("vigil_reading_block", default=None)
# Per process: the monotonic time before which the replica is not asked again.
_bypass_until = 0.0


# Per process: whether the replica was found to be a copy of the primary's database
# (None: not asked yet).
_same_database: bool | None = None

IDENTITY = "SELECT (SELECT system_identifier FROM pg_control_system()), current_database()"


def configured() -> bool:
    return REPLICA in settings.DATABASES


def forget_failures() -> None:
    """Ask the replica again at the next block (after a failover, and in tests)."""
    global _bypass_until, _same_database
    _bypass_until = 0.0
    _same_database = None


def _in_transaction() -> bool:
    return connections[PRIMARY].in_atomic_block


def _replica_has_caught_up(wait: float) -> str | None:
    """None when the replica has replayed everything the primary had flushed (every
    commit made so far); else why not ("lagging" after `wait` seconds, "unreachable")."""
    global _same_database
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()")
        target = cursor.fetchone()[0]
        if _same_database is None:
            cursor.execute(IDENTITY)
            primary = cursor.fetchone()
    deadline = time.monotonic() + wait
    try:
        with connections[REPLICA].cursor() as cursor:
            if _same_database is None:
                # A standby of another cluster, or another database on the right one,
                # passes every WAL test: the cluster's identifier and the database's
                # name must be the primary's.
                cursor.execute(IDENTITY)
                _same_database = cursor.fetchone() == primary
            if not _same_database:
                return "not a copy of the primary's database"
            while True:
                # A server no longer (or never) in recovery, a promoted replica, is
                # no copy of this primary: it counts as lagging, never read there.
                cursor.execute(
                    "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= %s::pg_lsn",
                    [target],
                )
                if cursor.fetchone()[0]:
                    return None
                if time.monotonic() >= deadline:
                    return "lagging"
                time.sleep(POLL)
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connections[REPLICA].close()
        return "unreachable"


def _replica_usable() -> bool:
    global _bypass_until
    if not configured() or _in_transaction():
        return False
    outer = _block.get()
    if outer is not None and (not outer.replica or outer.wrote):
        return False  # an enclosing block reads from the primary; so does this one
    if time.monotonic() < _bypass_until:
        return False
    reason = _replica_has_caught_up(settings.REPLICA_MAX_LAG)
    if reason is None:
        return True
    _bypass_until = time.monotonic() + RETRY_AFTER
    logger.warning("reading from the primary database: the replica is %s", reason)
    return False


@contextlib.contextmanager
def from_replica() -> Iterator[bool]:
    """Read from the replica inside the block when it is configured and has caught
    up with the primary; yields whether it does (else the block reads the primary)."""
    block = _Block(replica=_replica_usable())
    token = _block.set(block)
    try:
        yield block.replica
    finally:
        _block.reset(token)


@contextlib.contextmanager
def from_primary() -> Iterator[None]:
    """Read from the primary inside the block, even within a `from_replica()`."""
    token = _block.set(_Block(replica=False))
    try:
        yield
    finally:
        _block.reset(token)


class Router:
    """settings.DATABASE_ROUTERS: the replica for the reads of a `from_replica()`
    block that has not written and is not inside a transaction; the primary for the
    rest. Without a replica it leaves every choice to Django."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not configured():
            return None
        block = _block.get()
        if block is None or not block.replica or block.wrote or _in_transaction():
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        block = _block.get()
        if block is not None:
            block.wrote = True  # what follows may read what this writes
        return PRIMARY if configured() else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True  # one database, seen through two connections
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # the replica follows the primary's WAL


def replica_reachable() -> bool:
    """For /readyz: the replica answers (it is not needed to serve: see above). A
    replica found out of reach is not asked again for `RETRY_AFTER`, by the probe nor
    by the readers: a host gone silent costs one connection timeout, not one per
    probe (load balancers ask every few seconds, with short timeouts)."""
    global _bypass_until
    if time.monotonic() < _bypass_until:
        return False
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connections[REPLICA].close()
        _bypass_until = time.monotonic() + RETRY_AFTER
        return False

"""Rebuilding every blind index and search entry under a new index key.

Blind indexes (defenders' names) and search entries (the words of titles,
narratives and published letters) are keyed hashes under keys derived from one
random master key, kept wrapped in the database (`core.WrappedKey`). When that
master must change (an installation upgraded from before v2, whose master was made
from an encryption key that has since been retired, or whose search entries shared
one key across confidential and public texts), every hash is computed again from
the decrypted records, under a fresh master, in one transaction: a search never
sees half of each. The old master is deleted in the same transaction, so a retired
encryption key does not live on in the database.

Each app that keeps hashes registers a function that recomputes its own
(`register`, from its AppConfig.ready); `rebuild` runs them all.
"""

from collections.abc import Callable

from django.db import transaction

from vigil.core import encryption

_rebuilders: list[Callable[[], None]] = []


def register(rebuild: Callable[[], None]) -> None:
    """Add a function that recomputes one app's blind indexes or search entries
    with the current index keys (`encryption.blind_index`, `search.index`)."""
    if rebuild not in _rebuilders:
        _rebuilders.append(rebuild)


def needs_rebuild() -> bool:
    """Whether the database still holds an index master of the old kind."""
    from vigil.core.models import WrappedKey

    return WrappedKey.objects.filter(purpose=encryption.LEGACY_INDEX_KEY).exists()


def rebuild() -> None:
    """Make a new random index master and recompute every hash under it; delete
    the old master. All or nothing."""
    from vigil.core.models import WrappedKey

    fresh = encryption.new_index_key()
    encryption.reset_caches()
    encryption._next_master[:] = [encryption.base64.urlsafe_b64decode(fresh)]
    try:
        with transaction.atomic():
            WrappedKey.objects.filter(
                purpose__in=[encryption.INDEX_KEY, encryption.LEGACY_INDEX_KEY]
            ).delete()
            WrappedKey.objects.create(purpose=encryption.INDEX_KEY, key=fresh)
            for recompute in _rebuilders:
                recompute()
    finally:
        encryption._next_master.clear()
        encryption.reset_caches()


def rebuild_if_needed(**kwargs: object) -> None:
    """After `migrate`: replace an index master of the old kind (post_migrate)."""
    if needs_rebuild():
        rebuild()

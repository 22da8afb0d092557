"""Keyed hashes for finding encrypted values, and the keys they are made with.

To find a record by a name without decrypting every row, a keyed hash of the
normalised name (a "blind index") is stored beside it: equal names give equal
hashes, but the hash cannot be reversed or recomputed without the key. It reveals
only that two records share a name. The words of titles and narratives are hashed
the same way for full-text search (`vault.search`).

The hashing keys never leave this module. They are derived, one per purpose (names;
the words of each kind of record), from a master key of Vigil's own, random, kept
wrapped (encrypted) in the database (`vault.WrappedKey`), so that they survive every
rotation of the encryption keys.

When that master must change (an installation upgraded from before v2, whose
master was made from an encryption key that has since been retired, or whose search
entries shared one key across confidential and public texts), every hash is
computed again from the decrypted records, under a fresh master, in one transaction:
a search never sees half of each. The old master is deleted in the same transaction,
so a retired encryption key does not live on in the database. Each app that keeps
hashes registers a function that recomputes its own (`register`, from its
AppConfig.ready); `rebuild` runs them all.
"""

import base64
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import IntegrityError, transaction

INDEX_KEY = "blind index v2"
# Before v2 an upgraded installation's index key was made from the then-newest
# encryption key, so a retired key lived on in the database; `rebuild` replaces such
# a key with a random one and deletes it (after `migrate`).
LEGACY_INDEX_KEY = "blind index"
TOKEN_HEX = 16  # 64 bits: collisions among a record's words are vanishingly rare

_next_master: list[bytes] = []  # set by `rebuild` while it recomputes
_rebuilders: list[Callable[[], None]] = []


def _new_master() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@cache
def _master() -> bytes:
    """The master of the hashing keys: random, made once per installation, and kept
    wrapped in the database. It does not change when the encryption keys rotate, so
    names and words indexed before a rotation are found after it."""
    from vigil.vault.models import WrappedKey

    if _next_master:
        return _next_master[0]
    row = WrappedKey.objects.filter(purpose=INDEX_KEY).first()
    if row is None:  # a new or emptied database (tests, `flush`)
        try:
            with transaction.atomic():
                row = WrappedKey.objects.create(purpose=INDEX_KEY, key=_new_master())
        except IntegrityError:  # another process made it first
            row = WrappedKey.objects.get(purpose=INDEX_KEY)
    return base64.urlsafe_b64decode(row.key)


@cache
def _key(purpose: str) -> bytes:
    # One key per purpose, so that a hash made for one kind of value cannot be
    # matched against another kind (a published letter's words tell nothing about
    # a confidential narrative's).
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"vigil blind index " + purpose.encode(),
    ).derive(_master())


def reset_caches() -> None:
    """Forget the master and the keys derived from it (after a rebuild, a rotation,
    a change of database)."""
    _master.cache_clear()
    _key.cache_clear()


def normalise(text: str) -> str:
    """Fold case, accents and spacing, so that "José  Pérez" finds "jose perez"."""
    if text.isascii():  # nothing to decompose (most words, and the quick way)
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def blind_index(text: str, *, purpose: str) -> str:
    """The keyed hash of the normalised `text`, for exact-match lookup."""
    return hmac.new(_key(purpose), normalise(text).encode(), hashlib.sha256).hexdigest()


def word_token(word: str, *, kind: str) -> str:
    """The search token of one normalised word of a record of `kind`."""
    digest = hmac.new(_key(f"search {kind}"), word.encode(), hashlib.sha256).hexdigest()
    # A letter first: FTS5 and tsquery then treat every token as a plain word.
    return "t" + digest[:TOKEN_HEX]


# --- Rebuilding every hash under a new master ---------------------------------------


def register(rebuild: Callable[[], None]) -> None:
    """Add a function that recomputes one app's blind indexes or search entries
    with the current keys (`blind_index`, `vault.search.index`)."""
    if rebuild not in _rebuilders:
        _rebuilders.append(rebuild)


def needs_rebuild() -> bool:
    """Whether the database still holds a master of the old kind."""
    from vigil.vault.models import WrappedKey

    return WrappedKey.objects.filter(purpose=LEGACY_INDEX_KEY).exists()


def rebuild() -> None:
    """Make a new random master and recompute every hash under it; delete the old
    master. All or nothing."""
    from vigil.vault.models import WrappedKey

    fresh = _new_master()
    reset_caches()
    _next_master[:] = [base64.urlsafe_b64decode(fresh)]
    try:
        with transaction.atomic():
            WrappedKey.objects.filter(purpose__in=[INDEX_KEY, LEGACY_INDEX_KEY]).delete()
            WrappedKey.objects.create(purpose=INDEX_KEY, key=fresh)
            for recompute in _rebuilders:
                recompute()
    finally:
        _next_master.clear()
        reset_caches()


def rebuild_if_needed(**kwargs: object) -> None:
    """After `migrate`: replace a master of the old kind (post_migrate)."""
    if needs_rebuild():
        rebuild()

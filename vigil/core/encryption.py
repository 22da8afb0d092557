"""Encryption at rest, and keyed hashes for finding encrypted values.

Identity fields, narratives and files are stored as Fernet tokens (AES-128-CBC with
HMAC-SHA256, from the `cryptography` library) under the keys in
`VIGIL_ENCRYPTION_KEYS`, which live outside the database. Someone who copies the
database, or seizes the disk without the keys, reads tokens, not names.

To find a record by a name without decrypting every row, a keyed hash of the
normalised name (a "blind index") is stored beside it: equal names give equal
hashes, but the hash cannot be reversed or recomputed without the key. It reveals
only that two records share a name. The hashing key is Vigil's own, kept wrapped
(encrypted) in the database, so it survives every rotation of the encryption keys:
`rotate_keys` re-encrypts the data and re-wraps that key, and lookups keep working.
"""

import base64
import hashlib
import hmac
import secrets
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@cache
def _fernets() -> tuple[Fernet, ...]:
    try:
        return tuple(Fernet(key.encode()) for key in settings.ENCRYPTION_KEYS)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "VIGIL_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 bytes, URL-safe base64)."
        ) from error


@cache
def _cipher() -> MultiFernet:
    return MultiFernet(list(_fernets()))


INDEX_KEY = "blind index"


def new_index_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@cache
def _index_master() -> bytes:
    """The blind-index key: random, made once per installation (by migration), and
    kept wrapped in the database (`core.WrappedKey`). It does not change when the
    encryption keys rotate, so names and words indexed before a rotation are found
    after it."""
    from django.db import IntegrityError, transaction

    from vigil.core.models import WrappedKey

    row = WrappedKey.objects.filter(purpose=INDEX_KEY).first()
    if row is None:  # a database emptied since its migration (tests, `flush`)
        try:
            with transaction.atomic():
                row = WrappedKey.objects.create(purpose=INDEX_KEY, key=new_index_key())
        except IntegrityError:  # another process made it first
            row = WrappedKey.objects.get(purpose=INDEX_KEY)
    return base64.urlsafe_b64decode(row.key)


@cache
def _index_key(purpose: str) -> bytes:
    # One key per purpose, so that a hash made for one kind of value cannot be
    # matched against another kind.
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"vigil blind index " + purpose.encode(),
    ).derive(_index_master())


def reset_caches() -> None:
    """Forget the derived keys (after the key settings change: rotation, tests)."""
    _fernets.cache_clear()
    _cipher.cache_clear()
    _index_master.cache_clear()
    _index_key.cache_clear()


def encrypt(text: str) -> str:
    return _cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        # Say which problem, never what the value was.
        raise DecryptionError(
            "a stored value cannot be decrypted with the configured keys"
        ) from error


def encrypt_bytes(content: bytes) -> bytes:
    return _cipher().encrypt(content)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher().decrypt(token)
    except InvalidToken as error:
        raise DecryptionError(
            "a stored file cannot be decrypted with the configured keys"
        ) from error


def is_current(token: bytes) -> bool:
    """Whether `token` is already sealed under the newest key (its HMAC checks out
    under that key; nothing is decrypted)."""
    try:
        _fernets()[0].extract_timestamp(token)  # the newest key, made once
    except InvalidToken:
        return False
    return True


def readable(token: bytes) -> bool:
    """Whether one of the configured keys opens `token` (its HMAC checks out under
    that key; nothing is decrypted)."""
    for fernet in _fernets():
        try:
            fernet.extract_timestamp(token)
        except InvalidToken:
            continue
        return True
    return False


def reseal(token: bytes) -> bytes:
    """`token` decrypted with whichever key opens it and sealed under the newest."""
    try:
        return _cipher().rotate(token)
    except InvalidToken as error:
        raise DecryptionError(
            "a stored value cannot be decrypted with the configured keys"
        ) from error


def normalise(text: str) -> str:
    """Fold case, accents and spacing, so that "José  Pérez" finds "jose perez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def blind_index(text: str, *, purpose: str) -> str:
    """The keyed hash of the normalised `text`, for exact-match lookup."""
    return hmac.new(_index_key(purpose), normalise(text).encode(), hashlib.sha256).hexdigest()

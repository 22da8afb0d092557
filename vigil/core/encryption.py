"""Encryption at rest, and keyed hashes for finding encrypted values.

Identity fields, narratives and files are stored as Fernet tokens (AES-128-CBC with
HMAC-SHA256, from the `cryptography` library) under the keys in
`VIGIL_ENCRYPTION_KEYS`, which live outside the database. Someone who copies the
database, or seizes the disk without the keys, reads tokens, not names.

To find a record by a name without decrypting every row, a keyed hash of the
normalised name (a "blind index") is stored beside it: equal names give equal
hashes, but the hash cannot be reversed or recomputed without the key. It reveals
only that two records share a name.
"""

import hashlib
import hmac
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
def _cipher() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.ENCRYPTION_KEYS])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "VIGIL_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 bytes, URL-safe base64)."
        ) from error


@cache
def _index_key(purpose: str) -> bytes:
    # Derived from the newest key, one key per purpose, so that a hash made for
    # one kind of value cannot be matched against another kind.
    newest = settings.ENCRYPTION_KEYS[0].encode()
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"vigil blind index " + purpose.encode(),
    ).derive(newest)


def reset_caches() -> None:
    """Forget the derived keys (after the key settings change: rotation, tests)."""
    _cipher.cache_clear()
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


def normalise(text: str) -> str:
    """Fold case, accents and spacing, so that "José  Pérez" finds "jose perez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def blind_index(text: str, *, purpose: str) -> str:
    """The keyed hash of the normalised `text`, for exact-match lookup."""
    return hmac.new(_index_key(purpose), normalise(text).encode(), hashlib.sha256).hexdigest()

"""Encryption at rest: sealing values and files under the configured keys.

Identity fields, narratives and files are sealed with AES-256-GCM (an
authenticated cipher, from the `cryptography` library) under keys derived from
`VIGIL_ENCRYPTION_KEYS`, which live outside the database. Someone who copies the
database, or seizes the disk without the keys, reads ciphertext, not names.

A sealed value is `version | key id | nonce | ciphertext and tag`, in URL-safe
base64 for text columns. The tag also covers where the value belongs (`where`: the
table and column of an encrypted field, the store name of a file), so a value copied
elsewhere by someone who can write the database but holds no key does not open
there: a sealed name moved into a published letter's summary is refused, not shown.
It carries nothing else: no time (Fernet, used before, put its encryption time in
every token, readable without a key, so each report and file told when it arrived),
and the plain text is padded to a multiple of 16 bytes so that the length of a name
is known only to within 16 bytes. The key id is 4 bytes derived from the key (not
the key): it says which configured key opens the value, so a rotation can tell what
is still under an old one. Values sealed with Fernet before this format are still
read, and `rotate_keys` re-seals them.

To find a record by a name without decrypting every row, a keyed hash of the
normalised name (a "blind index") is stored beside it: equal names give equal
hashes, but the hash cannot be reversed or recomputed without the key. It reveals
only that two records share a name. The hashing keys are derived, one per purpose,
from a key of Vigil's own kept wrapped (encrypted) in the database, so that they
survive every rotation of the encryption keys.
"""

import base64
import secrets
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


VERSION = 1  # the first byte of every sealed value (Fernet's is 0x80)
KEY_ID_BYTES = 4
NONCE_BYTES = 12  # random: safe for far more values than one key ever seals here
HEADER = 1 + KEY_ID_BYTES
OVERHEAD = HEADER + NONCE_BYTES + 16  # and the tag; plus up to 16 bytes of padding


def _derive(key: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


class _Key:
    """One configured key: its AES key and its id, both derived from it."""

    def __init__(self, raw: bytes, text: str) -> None:
        self.aead = AESGCM(_derive(raw, b"vigil sealed values v1"))
        self.id = _derive(raw, b"vigil key id v1", KEY_ID_BYTES)
        self.fernet = Fernet(text.encode())  # reads what was sealed before v1


def _raw(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode())
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "VIGIL_ENCRYPTION_KEYS holds a value that is not a key "
            "(32 random bytes in URL-safe base64; the README shows how to make one)."
        )
    return raw


@cache
def _keys() -> tuple[_Key, ...]:
    return tuple(_Key(_raw(text), text) for text in settings.ENCRYPTION_KEYS)


@cache
def _legacy() -> MultiFernet:
    return MultiFernet([key.fernet for key in _keys()])


def _associated(header: bytes, where: str) -> bytes:
    return header + b"\x00" + where.encode()


def _seal(content: bytes, where: str) -> bytes:
    newest = _keys()[0]
    padder = padding.PKCS7(128).padder()
    padded = padder.update(content) + padder.finalize()
    header = bytes([VERSION]) + newest.id
    nonce = secrets.token_bytes(NONCE_BYTES)
    # The header is authenticated too, so a value cannot be passed off under
    # another key id; and so is where it belongs.
    return header + nonce + newest.aead.encrypt(nonce, padded, _associated(header, where))


def _open(sealed: bytes, where: str) -> bytes:
    """The content of `sealed` (binary), sealed for `where`, under whichever
    configured key opens it."""
    if sealed[:1] == bytes([VERSION]) and len(sealed) >= OVERHEAD:
        header, nonce = sealed[:HEADER], sealed[HEADER : HEADER + NONCE_BYTES]
        for key in _keys():
            if key.id != header[1:]:
                continue
            try:
                padded = key.aead.decrypt(
                    nonce, sealed[HEADER + NONCE_BYTES :], _associated(header, where)
                )
                unpadder = padding.PKCS7(128).unpadder()
                return unpadder.update(padded) + unpadder.finalize()
            except (InvalidTag, ValueError):
                break
        raise InvalidToken
    # A value sealed with Fernet before this format (its version byte is 0x80); it
    # names no place, and `rotate_keys` re-seals it in this format.
    return _legacy().decrypt(base64.urlsafe_b64encode(sealed))


def _binary(token: bytes) -> bytes:
    try:
        return base64.urlsafe_b64decode(token)
    except (ValueError, TypeError):
        return b""


def reset_caches() -> None:
    """Forget the derived keys (after the key settings change: rotation, tests), and
    the index keys they unwrap."""
    from vigil.vault import index

    _keys.cache_clear()
    _legacy.cache_clear()
    index.reset_caches()


def encrypt(text: str, *, where: str) -> str:
    """`text` sealed for the place `where` (for a field, "table.column")."""
    return base64.urlsafe_b64encode(_seal(text.encode(), where)).decode()


def decrypt(token: str, *, where: str) -> str:
    try:
        return _open(_binary(token.encode()), where).decode()
    except (InvalidToken, UnicodeDecodeError) as error:
        # Say which problem, never what the value was.
        raise DecryptionError(
            "a stored value cannot be decrypted with the configured keys"
        ) from error


def encrypt_bytes(content: bytes, *, where: str) -> bytes:
    """`content` sealed for `where`, in URL-safe base64 (as files are stored)."""
    return base64.urlsafe_b64encode(_seal(content, where))


def decrypt_bytes(token: bytes, *, where: str) -> bytes:
    try:
        return _open(_binary(token), where)
    except InvalidToken as error:
        raise DecryptionError(
            "a stored file cannot be decrypted with the configured keys"
        ) from error


def is_current(token: bytes) -> bool:
    """Whether `token` is sealed in this format under the newest key (by its header;
    nothing is decrypted)."""
    sealed = _binary(token[:8])  # 6 bytes: the version and the key id
    return sealed[:1] == bytes([VERSION]) and sealed[1:HEADER] == _keys()[0].id


def readable(token: bytes, *, where: str) -> bool:
    """Whether one of the configured keys opens `token`, sealed for `where`."""
    try:
        _open(_binary(token), where)
    except InvalidToken:
        return False
    return True


def open_with(key: str, token: bytes, *, where: str) -> bytes:
    """What `token` holds, opened with `key` alone (one key of the configured
    format, configured or not): for checking which key a value is sealed under."""
    one = _Key(_raw(key), key)
    sealed = _binary(token)
    try:
        if sealed[:1] == bytes([VERSION]) and sealed[1:HEADER] == one.id:
            nonce = sealed[HEADER : HEADER + NONCE_BYTES]
            padded = one.aead.decrypt(
                nonce, sealed[HEADER + NONCE_BYTES :], _associated(sealed[:HEADER], where)
            )
            unpadder = padding.PKCS7(128).unpadder()
            return unpadder.update(padded) + unpadder.finalize()
        return one.fernet.decrypt(base64.urlsafe_b64encode(sealed))
    except (InvalidTag, InvalidToken, ValueError) as error:
        raise DecryptionError("the value is not sealed under this key") from error


def reseal(token: bytes, *, where: str) -> bytes:
    """`token` opened with whichever key opens it and sealed under the newest, for
    the same place."""
    try:
        return base64.urlsafe_b64encode(_seal(_open(_binary(token), where), where))
    except InvalidToken as error:
        raise DecryptionError(
            "a stored value cannot be decrypted with the configured keys"
        ) from error

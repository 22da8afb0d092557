"""Receipt codes: random passphrases a reporter can write down and type back.

Seven words from the EFF large word list (7,776 words), chosen by a keyed hash of
the form's random token (`intake/services.py`), give about 90 bits: nobody guesses
one, even without the throttle. Only a slow,
keyed hash of the code is stored (scrypt with a key derived from the secret key),
so a copy of the database does not let anyone open reports or try codes offline
without also holding the server's key.
"""

import hashlib
import hmac
from functools import cache

from django.conf import settings
from xkcdpass import xkcd_password

WORDS = 7


@cache
def word_list() -> tuple[str, ...]:
    path = xkcd_password.locate_wordfile("eff-long")
    with open(path, encoding="utf-8") as handle:
        words = tuple(sorted({line.strip() for line in handle if line.strip()}))
    assert len(words) == 7776, "the EFF large word list has 7,776 words"
    return words


def normalise(code: str) -> str:
    """Forgive case, extra spaces and hyphens: people copy codes by hand."""
    return " ".join(code.replace("-", " ").casefold().split())


def digest(code: str) -> str:
    """The stored form of a code: scrypt, keyed with a secret the database lacks.

    Deterministic (so a report is found by its code with one index lookup) and slow
    (about 50 ms), so that trying codes costs real time even for someone who has
    the key.
    """
    salt = hmac.new(settings.SECRET_KEY.encode(), b"vigil receipt codes", hashlib.sha256).digest()
    return hashlib.scrypt(normalise(code).encode(), salt=salt, n=2**14, r=8, p=1, dklen=32).hex()

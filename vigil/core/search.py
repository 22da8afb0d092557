"""Full-text search over encrypted text, with each database's own index.

Titles and narratives are encrypted at rest, so the database cannot index their
words. Instead each word is normalised (case and accents folded) and replaced by
a keyed hash (HMAC-SHA256 under a key derived from VIGIL_ENCRYPTION_KEYS, cut to
64 bits); the hashes of a record are stored as one "document", which PostgreSQL
indexes with a GIN index over `to_tsvector('simple', ...)` and SQLite with an FTS5
table. A query hashes its words the same way and asks the index for documents
holding all of them.

What this gives up, knowingly: a match is on whole words, with no stemming or
prefixes ("raid" does not find "raided"); and someone with the database and the
key could test guesses of words. Without the key the index reveals only how many
distinct words a record has and which records share a word.

When the newest encryption key changes, every document must be rebuilt
(`rebuild` below; `rotate_keys` calls it).
"""

import hashlib
import hmac
import re
from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL

from vigil.core.encryption import _index_key, normalise
from vigil.core.models import SearchEntry

WORD = re.compile(r"\w+")
TOKEN_HEX = 16  # 64 bits: collisions among a record's words are vanishingly rare


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


def _token(word: str) -> str:
    digest = hmac.new(_index_key("search"), word.encode(), hashlib.sha256).hexdigest()
    # A letter first: FTS5 and tsquery then treat every token as a plain word.
    return "t" + digest[:TOKEN_HEX]


def tokens_for(texts: Iterable[str]) -> str:
    unique = {_token(word) for text in texts if text for word in words(text)}
    return " ".join(sorted(unique))


def index(*, kind: str, object_id: int, texts: Iterable[str]) -> None:
    """(Re)index one record's texts under `kind` (for example "cases.incident")."""
    SearchEntry.objects.update_or_create(
        kind=kind, object_id=object_id, defaults={"tokens": tokens_for(texts)}
    )


def matching_ids(*, kind: str, query: str) -> RawSQL | None:
    """A subquery of the ids of `kind` records that hold every word of `query`.

    Use it as `Model.objects.filter(pk__in=matching_ids(...))`. None when the
    query has no words (the caller then does not filter).
    """
    tokens = sorted({_token(word) for word in words(query)})
    if not tokens:
        return None
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT object_id FROM core_searchentry WHERE kind = %s "
            "AND to_tsvector('simple', tokens) @@ to_tsquery('simple', %s)",
            [kind, " & ".join(tokens)],
        )
    return RawSQL(
        "SELECT e.object_id FROM core_searchentry_fts AS f "
        "JOIN core_searchentry AS e ON e.id = f.rowid "
        "WHERE core_searchentry_fts MATCH %s AND e.kind = %s",
        [" ".join(f'"{t}"' for t in tokens), kind],
    )

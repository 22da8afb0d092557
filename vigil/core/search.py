"""Full-text search over encrypted text, with each database's own index.

Titles and narratives are encrypted at rest, so the database cannot index their
words. Instead each word is normalised (case and accents folded) and replaced by
a keyed hash (HMAC-SHA256, cut to 64 bits) under a key of its own for each kind of
record (`encryption._index_key("search " + kind)`, all derived from the wrapped
index master); the hashes of a record are stored as one "document", which
PostgreSQL indexes with a GIN index over `to_tsvector('simple', ...)` and SQLite
with an FTS5 table. A query hashes its words the same way and asks the index for
documents holding all of them.

One key per kind matters: published letters are public, so anyone can pair their
words with their hashes; under a shared key that table would decode the same words
in confidential narratives (names included). Under separate keys it decodes
nothing else.

What the index still reveals to someone with the database but not the keys: how
many distinct words each record has, which records of the same kind share a word,
and how often each hashed word occurs in that kind; with outside knowledge of the
language's word frequencies, the most common words of a kind can be guessed. Rare
words (names) stay unknown unless a guess is confirmed by other means. A match is
on whole words, with no stemming or prefixes ("raid" does not find "raided").

`core.indexes.rebuild` recomputes every entry under a new index master.
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


def _token(word: str, kind: str) -> str:
    digest = hmac.new(_index_key(f"search {kind}"), word.encode(), hashlib.sha256).hexdigest()
    # A letter first: FTS5 and tsquery then treat every token as a plain word.
    return "t" + digest[:TOKEN_HEX]


def tokens_for(texts: Iterable[str], *, kind: str) -> str:
    unique = {_token(word, kind) for text in texts if text for word in words(text)}
    return " ".join(sorted(unique))


def index(*, kind: str, object_id: int, texts: Iterable[str]) -> None:
    """(Re)index one record's texts under `kind` (for example "cases.incident")."""
    SearchEntry.objects.update_or_create(
        kind=kind, object_id=object_id, defaults={"tokens": tokens_for(texts, kind=kind)}
    )


def replace_all(*, kind: str, entries: Iterable[tuple[int, Iterable[str]]]) -> None:
    """Replace every entry of `kind` with those of `entries` ((object id, texts) pairs),
    for `core.indexes.rebuild`."""
    SearchEntry.objects.filter(kind=kind).delete()
    batch: list[SearchEntry] = []
    for object_id, texts in entries:
        batch.append(
            SearchEntry(kind=kind, object_id=object_id, tokens=tokens_for(texts, kind=kind))
        )
        if len(batch) >= 1000:
            SearchEntry.objects.bulk_create(batch)
            batch.clear()
    SearchEntry.objects.bulk_create(batch)


def matching_ids(*, kind: str, query: str) -> RawSQL | None:
    """A subquery of the ids of `kind` records that hold every word of `query`.

    Use it as `Model.objects.filter(pk__in=matching_ids(...))`. None when the
    query has no words (the caller then does not filter).
    """
    tokens = sorted({_token(word, kind) for word in words(query)})
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

"""Full-text search over encrypted text, with each database's own index.

Titles and narratives are encrypted at rest, so the database cannot index their
words. Instead each word is normalised (case and accents folded) and replaced by
a keyed hash (HMAC-SHA256, cut to 64 bits) under a key of its own for each kind of
record (`vault.index.word_token`: the keys never leave that module); the hashes
of a record are stored as one "document", which
PostgreSQL indexes with a GIN index over the document's words as an array and SQLite
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

`vault.index.rebuild` recomputes every entry under a new index master.
"""

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL

from vigil.vault.index import normalise, word_token
from vigil.vault.models import SearchEntry

WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


def tokens_for(texts: Iterable[str], *, kind: str) -> str:
    unique = {word_token(word, kind=kind) for text in texts if text for word in words(text)}
    return " ".join(sorted(unique))


def index(*, kind: str, object_id: int, texts: Iterable[str]) -> None:
    """(Re)index one record's texts under `kind` (for example "cases.incident")."""
    SearchEntry.objects.update_or_create(
        kind=kind, object_id=object_id, defaults={"tokens": tokens_for(texts, kind=kind)}
    )


def new_entries(*, kind: str, entries: Iterable[tuple[int, Iterable[str]]]) -> list[tuple]:
    """The search entries of records of `kind` that have none yet ((object id, texts)
    pairs), as (kind, object id, tokens) rows for a bulk write (an import's new
    records, exchange/importer.py). Each word is hashed once per call (texts repeat
    their words), and the words are forgotten when it returns."""
    tokens: dict[str, str] = {}

    def token(word: str) -> str:
        found = tokens.get(word)
        if found is None:
            found = tokens[word] = word_token(word, kind=kind)
        return found

    def tokens_of(texts: Iterable[str]) -> str:
        unique = {w for text in texts if text for w in words(text)}
        return " ".join(sorted({token(w) for w in unique}))

    rows = [(kind, object_id, tokens_of(texts)) for object_id, texts in entries]
    tokens.clear()
    return rows


def replace_all(*, kind: str, entries: Iterable[tuple[int, Iterable[str]]]) -> None:
    """Replace every entry of `kind` with those of `entries` ((object id, texts) pairs),
    for `vault.index.rebuild`."""
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
    tokens = sorted({word_token(word, kind=kind) for word in words(query)})
    if not tokens:
        return None
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT object_id FROM core_searchentry WHERE kind = %s "
            "AND string_to_array(tokens, ' ') @> %s::text[]",
            [kind, tokens],
        )
    return RawSQL(
        "SELECT e.object_id FROM core_searchentry_fts AS f "
        "JOIN core_searchentry AS e ON e.id = f.rowid "
        "WHERE core_searchentry_fts MATCH %s AND e.kind = %s",
        [" ".join(f'"{t}"' for t in tokens), kind],
    )

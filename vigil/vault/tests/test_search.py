"""Search over encrypted text through keyed word hashes, on either database."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.vault import search
from vigil.vault.models import SearchEntry

pytestmark = pytest.mark.django_db

KIND = "test.document"


def found(query: str) -> set[int]:
    subquery = search.matching_ids(kind=KIND, query=query)
    return set(
        SearchEntry.objects.filter(kind=KIND, object_id__in=subquery).values_list(
            "object_id", flat=True
        )
    )


def test_it_finds_documents_holding_every_word_in_any_case_or_accent():
    search.index(kind=KIND, object_id=1, texts=["Police raided the office", "in Bogotá"])
    search.index(kind=KIND, object_id=2, texts=["The police questioned the lawyer"])
    search.index(kind="other.kind", object_id=1, texts=["police"])
    assert found("police") == {1, 2}
    assert found("POLICE office") == {1}
    assert found("bogota") == {1}
    assert found("police sheriff") == set()
    assert search.matching_ids(kind=KIND, query=" ,;. ") is None


def test_the_index_holds_no_words_in_the_clear():
    search.index(kind=KIND, object_id=7, texts=["Maria Example was threatened"])
    tokens = SearchEntry.objects.get(kind=KIND, object_id=7).tokens
    assert "maria" not in tokens.lower() and "threatened" not in tokens
    assert len(tokens.split()) == 4


def test_reindexing_replaces_the_old_words():
    search.index(kind=KIND, object_id=3, texts=["first draft"])
    search.index(kind=KIND, object_id=3, texts=["second version"])
    assert found("draft") == set()
    assert found("second") == {3}
    assert SearchEntry.objects.filter(kind=KIND, object_id=3).count() == 1


words = st.text(alphabet=st.characters(categories=["Ll", "Lu", "Nd"]), min_size=1, max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(words, min_size=1, max_size=8), st.data())
def test_any_words_of_a_document_find_it(text_words, data):
    SearchEntry.objects.filter(kind=KIND).delete()
    search.index(kind=KIND, object_id=42, texts=[" ".join(text_words)])
    chosen = data.draw(st.lists(st.sampled_from(text_words), min_size=1, max_size=3))
    assert found(" ".join(chosen)) == {42}
    absent = "zz" + "".join(sorted(set(text_words)))[:20] + "qq"
    assert found(f"{chosen[0]} {absent}") == set()

"""Hypothesis drives the public forms with arbitrary input (any text, any length, NUL
and control characters, right-to-left marks, wrong choices, forged tokens): no answer
is a server error, and a refused request stores nothing. (The API has the same from
schemathesis, in api/tests/test_schema.py.)"""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.intake.models import Submission

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # Hypothesis: many examples per form

RUNS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=300) | st.sampled_from(["", " ", "\x00", "\u202e", "x" * 20_000])
choice = st.sampled_from(["COL", "KEN", "", "XXX", "col", "\x00"]) | st.text(max_size=5)
OK = {200, 302, 400, 429}


def fresh_token(client: Client) -> str:
    page = client.get("/submit/").content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page)[1]


@RUNS
@given(
    fields=st.fixed_dictionaries(
        {"what_happened": text, "country": choice},
        optional={
            "targeted": text,
            "relation": choice,
            "when": text,
            "where": text,
            "perpetrators": text,
            "urgent": text,
            "consent_publish": text,
        },
    ),  # fmt: skip
    token=st.sampled_from(["fresh", "forged", "missing"]),
)
def test_the_report_form_never_fails_and_stores_only_what_it_accepts(db, fields, token):
    cache.clear()  # the per-connection limit is tested elsewhere
    client = Client(raise_request_exception=False)
    if token == "fresh":
        fields = {**fields, "form_token": fresh_token(client)}
    elif token == "forged":
        fields = {**fields, "form_token": "forged-" + fields["what_happened"][:40]}
    before = Submission.objects.count()
    response = client.post("/submit/", fields)
    assert response.status_code in OK
    receipt = b"receipt" in response.content and b"<span>" in response.content
    stored = Submission.objects.count() - before
    assert stored == (1 if response.status_code == 200 and receipt else 0)
    if stored:
        saved = Submission.objects.latest("pk")
        assert saved.what_happened == fields["what_happened"].strip()  # kept as sent


@RUNS
@given(code=text)
def test_the_receipt_code_form_never_fails_and_opens_nothing(db, code):
    cache.clear()
    client = Client(raise_request_exception=False)
    response = client.post("/submit/follow-up/", {"code": code})
    assert response.status_code in OK
    assert response.status_code != 302  # no code opens a report here: none exists
    assert not any(name.startswith("vigil_follow") for name in response.cookies)


@RUNS
@given(
    words=text,
    filters=st.dictionaries(
        st.sampled_from(["country", "addressee", "kind", "year", "theme", "page"]), text
    ),
)
def test_the_public_searches_never_fail(db, words, filters):
    client = Client(raise_request_exception=False)
    # The posted words carry a marker that must never reach the address searched.
    searched = client.post("/communications/", {**filters, "text": f"qzxmarker {words}"})
    assert searched.status_code in OK
    if searched.status_code == 302:
        assert "qzxmarker" not in searched["Location"]
        assert client.get(searched["Location"]).status_code in OK
    assert client.get("/communications/", filters).status_code in OK
    assert client.get("/statistics/", filters).status_code in OK
    assert client.get("/library/", filters).status_code in OK

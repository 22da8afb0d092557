"""The API's writes name records only within the token user's countries: a record of
another country is the same 404, with the same body, as an id nobody used."""

import pytest

from vigil.api import tokens
from vigil.cases.models import Act, Source
from vigil.cases.tests import factories as make

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, plaintext = tokens.issue(actor=user, user=user, name="t", scopes=["write:cases"])
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_every_id_a_write_names_resolves_only_within_the_users_countries(client, alice, carol):
    kenyan_case = make.case(carol, country="KEN")
    kenyan_incident = make.incident(carol, country="KEN", case=kenyan_case)
    kenyan = make.defender(carol, country="KEN", name="Someone in Kenya")
    kenyan_act = make.act(carol, incident=kenyan_incident, victim=kenyan)
    own_incident = make.incident(alice, country="COL")
    own = make.defender(alice, country="COL")
    headers = bearer(alice)
    missing = 10**9

    def post(path: str, body: dict) -> tuple[int, dict]:
        response = client.post(path, body, content_type="application/json", **headers)
        return response.status_code, response.json()

    incident = {"title": "T", "narrative": "N", "start_date": "2025-01-01", "country": "COL"}
    defender = {"kind": "person", "name": "A", "country": "COL"}
    act = {"violation": "threats"}
    source = {"name": "S", "kind": "ngo"}
    attempts = [
        ("/api/v1/incidents", {**incident, "case_id": "{}"}, kenyan_case.pk),
        ("/api/v1/defenders", {**defender, "case_id": "{}"}, kenyan_case.pk),
        ("/api/v1/acts", {**act, "incident_id": "{}", "victim_id": own.pk}, kenyan_incident.pk),
        ("/api/v1/acts", {**act, "incident_id": own_incident.pk, "victim_id": "{}"}, kenyan.pk),
        ("/api/v1/sources", {**source, "incident_id": "{}"}, kenyan_incident.pk),
        ("/api/v1/sources", {**source, "incident_id": own_incident.pk, "act_ids": ["{}"]},
         kenyan_act.pk),
    ]  # fmt: skip
    for path, body, foreign in attempts:

        def naming(pk: int, body: dict = body) -> dict:
            return {k: (pk if v == "{}" else [pk] if v == ["{}"] else v) for k, v in body.items()}

        assert post(path, naming(foreign)) == post(path, naming(missing)), path
        assert post(path, naming(foreign))[0] == 404, path
    assert Act.objects.count() == 1 and not Source.objects.exists()

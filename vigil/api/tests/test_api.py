"""The API: tokens kept as digests and revoked at will, scopes bounded by roles,
identities only with their scope and audited, the desk's refusals, cursor pages,
and the OpenAPI document with docs served by Vigil itself."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from vigil.api import tokens
from vigil.api.models import ApiToken
from vigil.cases.tests import factories as make
from vigil.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ALL_READS = ["read:cases", "read:identities", "read:communications", "read:stats"]


def bearer(user, scopes):
    _token, plaintext = tokens.issue(actor=None, user=user, name="test", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.fixture
def records(alice, bob):
    """A case in Colombia (Alice's) and one in Kenya (Bob's), each with a defender,
    an incident, an act and a source."""
    made = {}
    for officer, country, name in ((alice, "COL", "Marta Quispe"), (bob, "KEN", "Wanjiru Kamau")):
        case = make.case(officer, country=country, title=f"{name}: threats")
        defender = make.defender(officer, country=country, name=name, contact="+57 300 000")
        incident = make.incident(officer, country=country, case=case)
        act = make.act(officer, incident=incident, victim=defender)
        source = make.source(officer, incident=incident, acts=[act], name="A neighbour")
        made[country] = {"case": case, "defender": defender, "incident": incident, "act": act,
                         "source": source}  # fmt: skip
    return made


def test_a_token_is_stored_only_as_a_digest_and_works_until_revoked(client, alice, records):
    token, plaintext = tokens.issue(actor=None, user=alice, name="sync", scopes=["read:cases"])
    assert plaintext.startswith("vgl_") and len(plaintext) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plaintext not in repr(stored) and stored["digest"] == tokens.digest_of(plaintext)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    assert client.get("/api/v1/cases", **headers).status_code == 200
    tokens.revoke(actor=None, token=token)
    response = client.get("/api/v1/cases", **headers)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer vgl_guess").status_code == 401
    assert {e.action for e in AuditEntry.objects.all()} >= {"api.token_issued", "api.token_revoked"}


def test_a_deactivated_user_s_tokens_stop_working(client, alice, records):
    headers = bearer(alice, ["read:cases"])
    alice.is_active = False
    alice.save()
    assert client.get("/api/v1/cases", **headers).status_code == 401


def test_a_token_never_grants_more_than_the_role(client, dave, records):
    with pytest.raises(ValidationError, match="read:cases"):
        tokens.issue(actor=None, user=dave, name="x", scopes=["read:cases"])  # an analyst
    headers = bearer(dave, ["read:stats"])
    response = client.get("/api/v1/cases", **headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "This token does not grant read:cases."}
    dutch = client.get("/api/v1/cases", HTTP_ACCEPT_LANGUAGE="nl", **headers)
    assert dutch.json() == {"detail": "Dit token geeft geen read:cases."}
    assert client.get("/api/v1/statistics/breakdowns/country", **headers).status_code == 200


def test_identity_fields_need_their_scope_and_each_read_is_audited(client, alice, records):
    case = records["COL"]["case"]
    without = client.get(
        f"/api/v1/defenders/{records['COL']['defender'].pk}", **bearer(alice, ["read:cases"])
    )
    body = without.json()
    assert body["name"] is None and body["contact"] is None and body["country"] == "COL"
    assert "Marta" not in without.content.decode()
    assert not AuditEntry.objects.filter(action="api.identities_read").exists()

    named = bearer(alice, ["read:cases", "read:identities"])
    body = client.get(f"/api/v1/defenders/{records['COL']['defender'].pk}", **named).json()
    assert body["name"] == "Marta Quispe" and body["contact"] == "+57 300 000"
    listed = client.get("/api/v1/cases", **named).json()
    assert [c["title"] for c in listed["items"]] == ["Marta Quispe: threats"]
    reads = AuditEntry.objects.filter(action="api.identities_read")
    assert {(e.object_type, e.object_id) for e in reads} >= {
        ("cases.defender", str(records["COL"]["defender"].pk)), ("cases.case", str(case.pk)),
    }  # fmt: skip


DESK_AND_API = [
    ("case", "cases:case_detail", "/api/v1/cases/{}"),
    ("defender", None, "/api/v1/defenders/{}"),
    ("incident", None, "/api/v1/incidents/{}"),
    ("act", None, "/api/v1/acts/{}"),
]


def test_the_api_refuses_every_read_the_desk_refuses(client, alice, bob, carol, records):
    """The desk's answer for each user and record decides the API's: 200 both, or
    404 both (a record outside one's countries does not exist for them)."""
    from vigil.cases import access

    getters = {
        "case": access.get_case_for_user, "defender": access.get_defender_for_user,
        "incident": access.get_incident_for_user, "act": access.get_act_for_user,
    }  # fmt: skip
    for user in (alice, bob, carol):
        headers = bearer(user, ["read:cases"])
        for country in ("COL", "KEN"):
            for kind, desk_url, api_url in DESK_AND_API:
                record = records[country][kind]
                try:
                    getters[kind](user, record.pk)
                    desk = 200
                except Exception:  # noqa: BLE001 - Http404
                    desk = 404
                if desk_url:
                    client.force_login(user)
                    assert client.get(reverse(desk_url, args=[record.pk])).status_code == desk
                    client.logout()
                got = client.get(api_url.format(record.pk), **headers).status_code
                assert got == desk, (user.username, country, kind, got, desk)
        listed = client.get("/api/v1/acts", **headers).json()["items"]
        expected = {c for c in ("COL", "KEN") if user is carol or (user is alice) == (c == "COL")}
        assert {a["incident_id"] for a in listed} == {records[c]["incident"].pk for c in expected}


def test_pages_follow_the_cursor_without_skipping_or_repeating(client, carol):
    for n in range(5):
        make.case(carol, title=f"Case {n}")
    headers = bearer(carol, ["read:cases"])
    seen, cursor = [], None
    while True:
        url = "/api/v1/cases?limit=2&ordering=id" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, **headers).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5
    newest_first = client.get("/api/v1/cases?limit=5", **headers).json()["items"]
    assert [c["updated_at"] for c in newest_first] == sorted(
        (c["updated_at"] for c in newest_first), reverse=True
    )
    bad = client.get("/api/v1/cases?cursor=not-ours", **headers)
    assert bad.status_code == 400 and "cursor" in bad.json()["detail"]
    unknown = client.get("/api/v1/cases?ordering=title", **headers)
    assert unknown.status_code == 422 and "-updated_at" in unknown.content.decode()


def test_the_openapi_document_and_the_docs_are_served_by_vigil(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Vigil API"
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "http://" not in docs and "https://" not in docs  # nothing from elsewhere


def test_the_command_lists_and_revokes_tokens_but_makes_none(alice, capsys):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="/desk/api-tokens/"):
        call_command("api_token", "create", "alice", "--name", "sync", "--scope", "read:cases")
    assert not ApiToken.objects.exists()
    token, plaintext = tokens.issue(user=alice, name="sync", scopes=["read:cases"])
    call_command("api_token", "list", "alice")
    assert token.prefix in capsys.readouterr().out
    call_command("api_token", "revoke", token.prefix)
    assert tokens.authenticate(plaintext) is None


def test_records_are_made_through_the_desks_services_within_ones_countries(client, alice, records):
    import json as jsonlib

    headers = bearer(alice, ["read:cases", "write:cases", "read:identities"])

    def post(url, body):
        return client.post(url, jsonlib.dumps(body), content_type="application/json", **headers)

    made = post("/api/v1/defenders", {"kind": "person", "name": "Rosa Tupac", "country": "COL",
                                      "case_id": records["COL"]["case"].pk})  # fmt: skip
    assert made.status_code == 201 and made.json()["name"] == "Rosa Tupac"
    defender_id = made.json()["id"]
    assert records["COL"]["case"].defenders.filter(pk=defender_id).exists()
    incident = post(
        "/api/v1/incidents",
        {"title": "Threat", "narrative": "By phone.", "start_date": "2026-02-01", "country": "COL"},
    ).json()
    act = post("/api/v1/acts", {"incident_id": incident["id"], "victim_id": defender_id,
                                "violation": "threats", "perpetrators": ["police"]})  # fmt: skip
    assert act.status_code == 201 and act.json()["verification"] == "reported"
    source = post("/api/v1/sources", {"incident_id": incident["id"], "name": "Her lawyer",
                                      "kind": "family", "act_ids": [act.json()["id"]]})  # fmt: skip
    assert source.status_code == 201, source.content
    assert AuditEntry.objects.filter(action="cases.act_created", actor_id=alice.pk).exists()

    # Not in her countries, not her records, not valid: refused, nothing made.
    assert (
        post("/api/v1/defenders", {"kind": "person", "name": "X", "country": "KEN"}).status_code
        == 403
    )
    kenyan = records["KEN"]["incident"].pk
    assert post("/api/v1/acts", {"incident_id": kenyan, "victim_id": defender_id,
                                 "violation": "threats"}).status_code == 404  # fmt: skip
    bad = post("/api/v1/acts", {"incident_id": incident["id"], "victim_id": defender_id,
                                "violation": "threats", "reprisal_body": "ohchr"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["detail"].startswith("reprisal:")
    assert post("/api/v1/acts", {"violation": "flying"}).status_code == 422
    reader = bearer(alice, ["read:cases"])
    body = jsonlib.dumps({"kind": "person", "name": "Y", "country": "COL"})
    refused = client.post("/api/v1/defenders", body, content_type="application/json", **reader)
    assert refused.status_code == 403


def test_communications_follow_the_desks_scope_and_a_stakeholder_reads_no_case(
    client, alice, bob, carol, sam, records
):
    from vigil.communications.tests.helpers import draft

    letters = {
        "COL": draft(carol, records["COL"]["case"]),
        "KEN": draft(
            carol, records["KEN"]["case"], addressees=[{"kind": "state", "country": "KEN"}]
        ),
    }
    for user in (alice, bob, carol):
        headers = bearer(user, ["read:communications"])
        for letter in letters.values():
            client.force_login(user)
            desk = client.get(reverse("communications:detail", args=[letter.pk])).status_code
            client.logout()
            api = client.get(f"/api/v1/communications/{letter.pk}", **headers).status_code
            assert api == desk and desk in (200, 404), (user.username, letter.pk, api, desk)
        listed = {c["id"] for c in client.get("/api/v1/communications", **headers).json()["items"]}
        visible = {
            letter.pk for country, letter in letters.items()
            if user is carol or (user is alice) == (country == "COL")
        }  # fmt: skip
        assert listed == visible, user.username
    with pytest.raises(ValidationError):
        tokens.issue(actor=None, user=sam, name="x", scopes=["read:cases"])  # a stakeholder
    assert (
        client.get("/api/v1/activity-reports", **bearer(sam, ["read:activities"])).status_code
        == 200
    )

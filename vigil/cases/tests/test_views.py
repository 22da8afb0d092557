"""The case desk through HTTP: who may open what, and what each form does."""

from datetime import date

import pytest
from django.urls import reverse

from vigil.cases import services
from vigil.cases.models import Act, Case, Defender, Incident, Source
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import Verification
from vigil.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def colombia(alice):
    """A Colombian case with a defender, an incident, an act and a source."""
    case = make.case(alice, title="Land collective of El Carmen")
    defender = make.defender(alice, name="Ana Example")
    case.defenders.add(defender)
    incident = make.incident(alice, case=case)
    act = make.act(alice, incident=incident, victim=defender)
    source = make.source(alice, incident=incident, acts=[act])
    task = services.case_add_task(actor=alice, case=case, title="Call the lawyer")
    return {
        "case": case,
        "defender": defender,
        "incident": incident,
        "act": act,
        "source": source,
        "task": task,
    }


def desk_urls(records) -> list[tuple[str, str]]:
    """Every case desk page, with the method that uses it."""
    case, incident = records["case"].pk, records["incident"].pk
    return [
        ("get", reverse("cases:case_list")),
        ("get", reverse("cases:case_create")),
        ("get", reverse("cases:case_detail", args=[case])),
        ("get", reverse("cases:case_edit", args=[case])),
        ("post", reverse("cases:note_add", args=[case])),
        ("post", reverse("cases:task_add", args=[case])),
        ("post", reverse("cases:task_done", args=[records["task"].pk])),
        ("get", reverse("cases:defender_create", args=[case])),
        ("get", reverse("cases:defender_edit", args=[records["defender"].pk])),
        ("get", reverse("cases:incident_create", args=[case])),
        ("get", reverse("cases:incident_edit", args=[incident])),
        ("get", reverse("cases:act_create", args=[incident])),
        ("get", reverse("cases:source_create", args=[incident])),
        ("get", reverse("cases:act_verify", args=[records["act"].pk])),
        ("get", reverse("cases:act_edit", args=[records["act"].pk])),
        ("get", reverse("cases:source_edit", args=[records["source"].pk])),
        ("get", reverse("cases:relation_add", args=[records["defender"].pk])),
        ("get", reverse("cases:case_pdf", args=[case])),
    ]


@pytest.mark.parametrize(
    ("person", "allowed"),
    [
        ("alice", True),
        ("carol", True),
        ("bob", False),
        ("dave", False),
        ("erin", False),
        ("sam", False),
    ],
)
@pytest.mark.slow  # every desk page, per person
def test_every_desk_page_is_open_to_those_who_may_and_404_to_everyone_else(
    client, request, colombia, person, allowed
):
    # Alice covers Colombia; Carol coordinates everywhere; Bob covers Kenya only;
    # the analyst, the administrator and the stakeholder never open case records.
    client.force_login(request.getfixturevalue(person))
    own_list_and_forms = {reverse("cases:case_list"), reverse("cases:case_create")}
    for method, url in desk_urls(colombia):
        response = getattr(client, method)(
            url, {"text": "x", "title": "x"} if method == "post" else None
        )
        if allowed:
            assert response.status_code in (200, 302), (person, url, response.status_code)
        elif person == "bob" and url in own_list_and_forms:
            assert response.status_code == 200, (person, url)  # his own, empty, list
        else:
            assert response.status_code == 404, (person, url, response.status_code)


def test_visitors_are_sent_to_log_in(client, colombia):
    response = client.get(reverse("cases:case_detail", args=[colombia["case"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")


def test_an_officer_sees_only_the_cases_of_their_countries(client, alice, bob):
    make.case(alice, title="Colombian case", country="COL")
    make.case(bob, title="Kenyan case", country="KEN")
    client.force_login(bob)
    content = client.get(reverse("cases:case_list")).content.decode()
    assert "Kenyan case" in content and "Colombian case" not in content


def test_opening_a_case_file_is_audited(client, alice, colombia):
    client.force_login(alice)
    response = client.get(reverse("cases:case_detail", args=[colombia["case"].pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Land collective of El Carmen" in content and "Ana Example" in content
    viewed = AuditEntry.objects.filter(action="cases.case_viewed").get()
    assert (viewed.actor_id, viewed.object_id) == (alice.pk, str(colombia["case"].pk))
    assert "Ana" not in str(viewed.fields)


def test_an_officer_opens_a_case_and_records_its_people_and_facts(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("cases:case_create"),
        {
            "title": "Threats against the river committee",
            "country": "COL",
            "priority": "high",
            "risk": "high",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])

    client.post(
        reverse("cases:defender_create", args=[case.pk]),
        {
            "kind": "person",
            "name": "Luz Example",
            "sex_gender": "woman",
            "age_group": "30_59",
            "country": "COL",
            "victim_categories": ["hrd", "journalist"],
            "focus_groups": ["environment"],
            "consent_share_state": "on",
        },
    )
    luz = Defender.objects.get()
    assert luz.is_woman_defender and list(case.defenders.all()) == [luz]
    # Consent is recorded as given, and every consent not given stays off.
    assert (luz.consent_share_state, luz.consent_share_business, luz.consent_publish) == (
        True, False, False,
    )  # fmt: skip
    assert (luz.is_hrd, luz.is_journalist, luz.is_trade_unionist) == (True, True, False)
    assert luz.focus_groups == ["environment"]

    client.post(
        reverse("cases:incident_create", args=[case.pk]),
        {
            "title": "Night visit",
            "narrative": "Armed men came to the house.",
            "start_date": "2025-06-01",
            "start_precision": "day",
            "end_precision": "day",
            "country": "COL",
        },
    )
    incident = Incident.objects.get()
    client.post(
        reverse("cases:act_create", args=[incident.pk]),
        {
            "victim": luz.pk,
            "violation": "threats",
            "rights_affected": ["life", "integrity"],
            "perpetrator": "armed_group",
            "involvement": "direct",
        },
    )
    act = Act.objects.get()
    assert act.rights_affected == ["life", "integrity"]
    assert act.perpetrators.get().category == "armed_group"

    client.post(
        reverse("cases:source_create", args=[incident.pk]),
        {
            "name": "River committee statement",
            "kind": "ngo",
            "reliability": "reliable",
            "acts": [act.pk],
        },
    )
    assert list(Source.objects.get().acts.all()) == [act]

    response = client.post(
        reverse("cases:act_verify", args=[act.pk]),
        {"version": act.version, "verification": "verified", "independent_sources": 1},
    )
    assert response.status_code == 302
    assert Act.objects.get().verification == Verification.VERIFIED


def test_a_refused_incident_keeps_everything_typed_and_says_what_to_fix(client, alice, colombia):
    client.force_login(alice)
    case = colombia["case"]
    response = client.post(
        reverse("cases:incident_create", args=[case.pk]),
        {
            "title": "Arrest at the march",
            "narrative": "Detained for twelve hours.",
            "start_date": "2025-05-02",
            "end_date": "2025-05-01",
            "start_precision": "day",
            "end_precision": "day",
            "country": "COL",
            "place": "Plaza Bolívar",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The end date is before the start date." in content
    for typed in (
        "Arrest at the march",
        "Detained for twelve hours.",
        "2025-05-02",
        "Plaza Bolívar",
    ):
        assert typed in content
    assert Incident.objects.count() == 1


def test_verifying_without_a_source_is_refused_with_the_reason(client, alice, colombia):
    client.force_login(alice)
    act = make.act(alice, incident=colombia["incident"], victim=colombia["defender"])
    response = client.post(
        reverse("cases:act_verify", args=[act.pk]),
        {"version": act.version, "verification": "verified", "independent_sources": 1},
    )
    assert response.status_code == 200
    assert b"cannot be verified before a source is linked" in response.content


def test_the_second_of_two_edits_is_refused_and_the_input_shown_back(
    client, alice, carol, colombia
):
    defender = colombia["defender"]
    url = reverse("cases:defender_edit", args=[defender.pk])
    form = {
        "kind": "person",
        "name": "Ana Example",
        "sex_gender": "woman",
        "age_group": "unknown",
        "country": "COL",
        "victim_categories": ["hrd"],
        "version": defender.version,
    }
    client.force_login(alice)
    assert client.post(url, {**form, "occupation": "Teacher"}).status_code == 302
    client.force_login(carol)
    response = client.post(url, {**form, "occupation": "Community leader"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else saved this record after you opened it" in content
    assert 'value="Community leader"' in content
    assert Defender.objects.get(pk=defender.pk).occupation == "Teacher"


@pytest.mark.slow  # about 3 s
def test_the_case_list_filters_by_facts_of_the_same_act(client, alice):
    verified_killing = make.case(alice, title="Verified killing")
    incident = make.incident(alice, case=verified_killing, start_date=date(2024, 2, 1))
    victim = make.defender(alice)
    killing = make.act(alice, incident=incident, victim=victim, violation="killing")
    make.source(alice, incident=incident, acts=[killing])
    services.act_set_verification(
        actor=alice,
        act=killing,
        version=killing.version,
        verification="verified",
        independent_sources=1,
    )
    mixed = make.case(alice, title="Reported killing, verified threat")
    incident2 = make.incident(alice, case=mixed, start_date=date(2024, 3, 1))
    make.act(alice, incident=incident2, victim=victim, violation="killing")
    threat = make.act(alice, incident=incident2, victim=victim, violation="threats")
    make.source(alice, incident=incident2, acts=[threat])
    services.act_set_verification(
        actor=alice,
        act=threat,
        version=threat.version,
        verification="verified",
        independent_sources=1,
    )
    client.force_login(alice)
    content = client.get(
        reverse("cases:case_list"), {"violation": "killing", "verification": "verified"}
    ).content.decode()
    assert "Verified killing" in content
    assert "Reported killing, verified threat" not in content
    content = client.get(reverse("cases:case_list"), {"sdg_category": "killing"}).content.decode()
    assert "Verified killing" in content and "Reported killing, verified threat" in content
    content = client.get(
        reverse("cases:case_list"), {"date_from": "2024-02-15", "date_to": "2024-12-31"}
    ).content.decode()
    assert "Reported killing, verified threat" in content and "Verified killing" not in content


def test_a_bad_filter_is_explained_not_ignored(client, alice):
    client.force_login(alice)
    response = client.get(
        reverse("cases:case_list"), {"date_from": "2024-05-01", "date_to": "2024-01-01"}
    )
    assert response.status_code == 200
    assert b"The end of the period is before its start." in response.content


def search_cases(client, text: str, **filters: str):
    """Search as the list page does: post the words, follow to the token URL."""
    response = client.post(reverse("cases:case_list"), {"text": text, **filters})
    assert response.status_code == 302
    return response["Location"], client.get(response["Location"])


def test_a_word_of_a_narrative_finds_its_case_without_reaching_the_url(client, alice):
    river = make.case(alice, title="River committee")
    make.incident(alice, case=river, narrative="Soldiers burned the seed bank at dawn.")
    other = make.case(alice, title="Teachers' union")
    make.incident(alice, case=other, narrative="The union office was searched.")
    client.force_login(alice)
    location, response = search_cases(client, "seed BANK")
    assert "seed" not in location.lower() and "bank" not in location.lower()
    content = response.content.decode()
    assert river.reference in content and other.reference not in content
    assert 'value="seed BANK"' in content  # the box shows what was searched


def test_a_defenders_full_name_finds_their_cases(client, alice):
    case = make.case(alice, title="Threats by text message")
    case.defenders.add(make.defender(alice, name="Beatriz Olmedo", aliases="La Profe"))
    make.case(alice, title="Unrelated")
    client.force_login(alice)
    for query in ("beatriz olmedo", "La  Profe"):
        location, response = search_cases(client, query)
        assert "olmedo" not in location.lower() and "profe" not in location.lower()
        content = response.content.decode()
        assert case.reference in content and "Unrelated" not in content
    _location, response = search_cases(client, "Beatriz Olmedo Ruiz")
    assert case.reference not in response.content.decode()


def test_search_combines_with_filters_and_respects_the_scope(client, alice, bob):
    make.incident(alice, case=make.case(alice, title="Colombian"), narrative="harvest burned")
    make.incident(
        bob,
        case=make.case(bob, title="Kenyan", country="KEN"),
        country="KEN",
        narrative="harvest burned",
    )
    client.force_login(bob)
    _location, response = search_cases(client, "harvest")
    content = response.content.decode()
    assert "Kenyan" in content and "Colombian" not in content
    _location, response = search_cases(client, "harvest", status="closed")
    assert "Kenyan" not in response.content.decode()


def test_an_expired_search_says_so(client, alice):
    client.force_login(alice)
    response = client.get(reverse("cases:case_list"), {"q": "no-such-token"})
    assert b"That search has expired" in response.content


def test_another_users_search_token_is_useless(client, alice, carol):
    client.force_login(alice)
    location, _response = search_cases(client, "anything at all")
    client.force_login(carol)
    assert b"That search has expired" in client.get(location).content


@pytest.mark.slow  # a PDF, laid out
def test_the_case_record_downloads_as_a_pdf_that_says_what_the_file_says(client, alice, colombia):
    from io import BytesIO

    from pypdf import PdfReader

    client.force_login(alice)
    case = colombia["case"]
    response = client.get(reverse("cases:case_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.reference}.pdf"'
    assert response["Cache-Control"] == "no-store"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    for expected in (
        case.reference,
        "Land collective of El Carmen",
        "Ana Example",
        "Threats",
        "Police raided the office",
        "Confidential case record",
    ):
        assert expected in " ".join(text.split()), expected
    exported = AuditEntry.objects.get(action="cases.case_exported")
    assert exported.actor_id == alice.pk


def test_the_pdf_is_as_closed_to_others_as_the_case(client, bob, colombia):
    client.force_login(bob)
    assert client.get(reverse("cases:case_pdf", args=[colombia["case"].pk])).status_code == 404


def edit_case(client, case, **changes):
    data = {
        "title": case.title,
        "country": case.country,
        "priority": case.priority,
        "risk": case.risk,
        "status": case.status,
        "outcome": case.outcome,
        "version": case.version,
        **changes,
    }
    return client.post(reverse("cases:case_edit", args=[case.pk]), data)


def test_a_coordinator_assigns_officers_who_cover_the_country(client, alice, bob, carol):
    case = make.case(carol, title="Assigned")
    client.force_login(carol)
    response = edit_case(client, case, officers=[alice.pk, carol.pk], priority="urgent")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(case.officers.all()) == {alice, carol}
    case.refresh_from_db()
    assert case.priority == "urgent"
    kinds = set(case.events.values_list("kind", flat=True))
    assert {"officers", "updated"} <= kinds


def test_an_officer_who_cannot_see_the_country_is_refused_and_nothing_changes(client, bob, carol):
    case = make.case(carol, title="Assigned")
    client.force_login(carol)
    response = edit_case(client, case, officers=[bob.pk], priority="urgent")
    assert response.status_code == 200
    assert b"bob cannot see cases of this country." in response.content
    case.refresh_from_db()
    assert case.priority == "normal"  # the whole edit was refused, not half of it
    assert list(case.officers.all()) == [carol]


def test_a_relative_is_recorded_as_a_person_of_their_own(client, alice, colombia):
    client.force_login(alice)
    defender = colombia["defender"]
    response = client.post(
        reverse("cases:relation_add", args=[defender.pk]),
        {
            "relation": "family",
            "kind": "person",
            "name": "Pedro Example",
            "sex_gender": "man",
            "age_group": "under_18",
            "country": "COL",
        },
    )
    assert response.status_code == 302
    link = defender.relations.get()
    assert (link.relation, link.relative.name) == ("family", "Pedro Example")
    # In the case, so that an act against him can be recorded, and not counted
    # as a defender unless someone says so.
    assert link.relative in colombia["case"].defenders.all()
    assert link.relative.victim_categories == []
    content = client.get(reverse("cases:case_detail", args=[colombia["case"].pk])).content.decode()
    assert "Family member: Pedro Example" in content


def test_an_act_is_corrected_and_its_perpetrator_replaced(client, alice, colombia):
    client.force_login(alice)
    act = colombia["act"]
    response = client.post(
        reverse("cases:act_edit", args=[act.pk]),
        {
            "version": act.version,
            "victim": colombia["defender"].pk,
            "violation": "physical_attack",
            "perpetrator": "business",
            "involvement": "ordered",
            "company_name": "Andes Minerals",
            "company_sector": "extractives",
            "company_country": "CAN",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    act = Act.objects.get(pk=act.pk)
    assert act.violation == "physical_attack"
    perpetrator = act.perpetrators.get()
    assert (perpetrator.category, perpetrator.company_name) == ("business", "Andes Minerals")
    assert AuditEntry.objects.filter(action="cases.act_changed").exists()


def test_a_business_perpetrator_needs_a_company_name(client, alice, colombia):
    client.force_login(alice)
    act = colombia["act"]
    response = client.post(
        reverse("cases:act_edit", args=[act.pk]),
        {
            "version": act.version,
            "victim": colombia["defender"].pk,
            "violation": "threats",
            "perpetrator": "business",
        },
    )
    assert response.status_code == 200
    assert b"Name the company involved." in response.content


def test_a_source_cannot_be_unlinked_from_an_act_verified_on_it(client, alice, colombia):
    act, source = colombia["act"], colombia["source"]
    services.act_set_verification(
        actor=alice, act=act, version=act.version, verification="verified", independent_sources=1
    )
    client.force_login(alice)
    response = client.post(
        reverse("cases:source_edit", args=[source.pk]),
        {
            "version": source.version,
            "name": source.name,
            "kind": source.kind,
            "reliability": source.reliability,
        },  # no acts ticked
    )
    assert response.status_code == 200
    assert b"is verified on this source" in response.content
    assert list(Source.objects.get(pk=source.pk).acts.all()) == [act]


def test_the_refusal_of_a_stale_edit_speaks_the_readers_language(client, alice, carol, colombia):
    incident = colombia["incident"]
    url = reverse("cases:incident_edit", args=[incident.pk])
    form = {
        "title": "Raid",
        "narrative": "x",
        "start_date": "2025-03-14",
        "start_precision": "day",
        "end_precision": "day",
        "country": "COL",
        "version": incident.version,
    }
    client.force_login(alice)
    assert client.post(url, form).status_code == 302
    client.force_login(carol)
    client.cookies["vigil_language"] = "nl"
    response = client.post(url, {**form, "title": "Inval"})
    assert response.status_code == 200
    assert "Iemand anders heeft deze gegevens opgeslagen" in response.content.decode()

"""Every route answers as the need-to-know table (vigil/routes.py) says.

First the table is held against the URLconf and the API's OpenAPI document: a route
missing from it (or an entry for a route that is gone) fails here, so a new page
ships only once someone has decided who may open it. Then the walk: a Colombian
case with everything hanging from it, a letter, a report to intake, a proposal, an
activity report, a report build and an import, and every route opened with real
arguments by a visitor and by each of the suite's people. Alice covers Colombia, so
where a case officer may work she gets in; Bob covers Kenya, so he meets the same
404 as for a record that does not exist. A POST that is refused must change nothing.
"""

import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import resolve, reverse
from django.utils import timezone

from vigil import routes
from vigil.api import tokens
from vigil.cases import services as case_services
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import SourceType, ViolationType
from vigil.communications import services as letter_services
from vigil.communications.models import Communication
from vigil.communications.tests.helpers import draft, sent
from vigil.core.models import AuditEntry
from vigil.core.uploads import Upload
from vigil.core.vocabularies import Role
from vigil.routes import ANONYMOUS, Countries, Kind, Rule
from vigil.vault import files

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")

PEOPLE = ["anonymous", "alice", "bob", "carol", "dave", "erin", "sam"]
ROLE_OF = {
    "alice": Role.CASE_OFFICER.value,
    "bob": Role.CASE_OFFICER.value,
    "carol": Role.COORDINATOR.value,
    "dave": Role.ANALYST.value,
    "erin": Role.ADMINISTRATOR.value,
    "sam": Role.STAKEHOLDER.value,
}
# The countries each person's records come from: None is every country. Written out
# here rather than asked of core/permissions.py, so that the walk checks it too.
COVERS: dict[str, set[str] | None] = {
    "alice": {"COL", "PHL"},
    "bob": {"KEN"},
    "carol": None,
    "dave": None,
    "erin": set(),
    "sam": set(),
}

# The routes the walk cannot open, each with its reason in the table. Kept here as
# well, so that a new one is a visible change to this test.
UNWALKED = {
    "admin:login",  # its address is /admin/login/, which reaches our own view (walked)
    "admin:password_change",  # likewise /admin/password_change/ (walked)
    "admin:autocomplete",  # answers only the admin's own widgets, none configured
    "admin:view_on_site",  # no model in the admin has a page of its own
}


@dataclass
class Target:
    """The record a route's URL names: its country and who made it (or none, for an
    address that names a format or a table rather than a record)."""

    url: str
    country: str = "COL"
    owner: str = ""
    record: bool = True


@dataclass
class World:
    case: Any
    defender: Any
    incident: Any
    act: Any
    source: Any
    evidence: Any
    task: Any
    draft: Any
    letter: Any
    addressee: Any
    reply_file: Any
    visit: Any
    submission: Any
    submission_file: Any
    receipt_code: str
    proposal: Any
    recommendation: Any
    activity: Any
    activity_file: Any
    build: Any
    job: Any
    resolution: Any
    token: Any
    group: Any
    alice: Any


@pytest.fixture
def world(alice, bob, carol, dave, erin, sam) -> World:
    """Colombian records for each kind of page, made through the services."""
    from vigil.activities import services as activity_services
    from vigil.exchange.models import ImportJob
    from vigil.intake import services as intake_services
    from vigil.library.models import Resolution
    from vigil.measures import services as measure_services
    from vigil.reports.models import ReportBuild

    case = make.case(alice, title="River committee")
    defender = make.defender(alice, name="Marta Quispe", consent_share_state=True)
    case_services.case_add_defender(actor=alice, case=case, defender=defender)
    incident = make.incident(alice, case=case)
    act = make.act(alice, incident=incident, victim=defender)
    source = make.source(alice, incident=incident, acts=[act])
    evidence = case_services.evidence_add(
        actor=alice, incident=incident, content=PNG, filename="photo.png"
    )
    task = case_services.case_add_task(actor=alice, case=case, title="Call the lawyer")

    letter = sent(alice, carol, case, timezone.localdate() - timedelta(days=70))
    other = draft(alice, case)
    reply = letter_services.reply_log(
        actor=alice, communication=letter, received_on=timezone.localdate(),
        sender="Permanent Mission of Colombia", kind="partial",
        uploads=[Upload(name="reply.png", content=PNG)],
    )  # fmt: skip
    letter = Communication.objects.get(pk=letter.pk)
    letter = letter_services.communication_publish(
        actor=carol, communication=letter, version=letter.version
    )
    visit = letter_services.visit_record(
        actor=alice, country="COL", requested_on=date(2025, 1, 10), status="requested"
    )

    receipt = intake_services.submission_create(
        form_token=intake_services.new_form_token(), language="es", country="COL",
        what_happened="Armed men came to the farm.", when="last Tuesday",
        uploads=[Upload(name="farm.png", content=PNG)],
    )  # fmt: skip

    proposal = measure_services.measure_create(
        actor=sam, country="COL", kind="law", title="Protection programme law",
        effect="enabling", status="in_force", status_on=date(2024, 5, 1),
    )  # fmt: skip
    recommendation = measure_services.recommendation_add(
        actor=alice, measure=proposal, source="nhri", text="Fund the programme."
    )
    activity = activity_services.report_submit(
        actor=sam, countries=["COL"], stakeholder="Defensoría del Pueblo",
        stakeholder_type="nhri", title="Training for community leaders", kind="training",
        starts_on=date(2026, 3, 10), level_local=True, description="Two days.",
        uploads=[Upload(name="programme.png", content=PNG)],
    )  # fmt: skip

    stored = files.save(b"%PDF-1.4 the report")
    build = ReportBuild.objects.create(
        report="sdg16101", fmt="pdf", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
        language="en", requested_by=carol, state=ReportBuild.State.DONE,
        stored_name=stored.name, filename="sdg16101-2025.pdf", finished_at=timezone.now(),
    )  # fmt: skip
    job = ImportJob.objects.create(
        requested_by=alice, filename="upload.csv", state=ImportJob.State.DONE
    )
    token, _plaintext = tokens.issue(actor=alice, user=alice, name="walk", scopes=["read:cases"])
    return World(
        case=case, defender=defender, incident=incident, act=act, source=source,
        evidence=evidence, task=task, draft=other, addressee=other.addressees.get(), letter=letter,
        reply_file=reply.files.get(), visit=visit, submission=receipt.submission,
        submission_file=receipt.submission.files.get(), receipt_code=receipt.code,
        proposal=proposal, recommendation=recommendation, activity=activity,
        activity_file=activity.files.get(), build=build, job=job,
        resolution=Resolution.objects.create(symbol="A/RES/53/144", title="Declaration"),
        token=token, group=Group.objects.create(name="unused"), alice=alice,
    )  # fmt: skip


# How to open each route whose address names something: its arguments, each either a
# record of the world (by the world's field name, for its id) or a literal; "_owner"
# for whose record it is, "_record": False when the address names no record (a
# format, a table), "_url" for a pattern without a name. The records are Colombian.
ARGS: dict[str, dict[str, Any]] = {
    "cases:case_detail": {"case_id": "case"},
    "cases:case_edit": {"case_id": "case"},
    "cases:case_pdf": {"case_id": "case"},
    "cases:note_add": {"case_id": "case"},
    "cases:task_add": {"case_id": "case"},
    "cases:defender_create": {"case_id": "case"},
    "cases:incident_create": {"case_id": "case"},
    "cases:task_done": {"task_id": "task"},
    "cases:defender_edit": {"defender_id": "defender"},
    "cases:relation_add": {"defender_id": "defender"},
    "cases:act_edit": {"act_id": "act"},
    "cases:act_verify": {"act_id": "act"},
    "cases:source_edit": {"source_id": "source"},
    "cases:incident_edit": {"incident_id": "incident"},
    "cases:act_create": {"incident_id": "incident"},
    "cases:source_create": {"incident_id": "incident"},
    "cases:evidence_add": {"incident_id": "incident"},
    "cases:evidence_download": {"evidence_id": "evidence"},
    "intake:detail": {"submission_id": "submission"},
    "intake:file_download": {"file_id": "submission_file"},
    # The letter (to Colombia, about the Colombian case) was sent, answered and
    # published; the draft is another letter to Colombia about the same case.
    "communications:detail": {"communication_id": "letter"},
    "communications:edit": {"communication_id": "draft"},
    "communications:move": {"communication_id": "draft"},
    "communications:publish": {"communication_id": "letter"},
    "communications:follow_up": {"communication_id": "letter"},
    "communications:reply_log": {"communication_id": "letter"},
    "communications:letter": {
        "communication_id": "draft",
        "addressee_id": "addressee",
        "fmt": "docx",
    },  # fmt: skip
    "communications:reply_file": {"file_id": "reply_file"},
    "communications:visit_edit": {"visit_id": "visit"},
    "published:detail": {"communication_id": "letter"},
    # Sam proposed the measure and submitted the activity report.
    "measures:detail": {"measure_id": "proposal", "_owner": "sam"},
    "measures:edit": {"measure_id": "proposal", "_owner": "sam"},
    "measures:status_add": {"measure_id": "proposal", "_owner": "sam"},
    "measures:recommendation_add": {"measure_id": "proposal", "_owner": "sam"},
    "measures:review": {"measure_id": "proposal", "_owner": "sam"},
    "measures:uptake": {"recommendation_id": "recommendation", "_owner": "sam"},
    "activities:detail": {"report_id": "activity", "_owner": "sam"},
    "activities:edit": {"report_id": "activity", "_owner": "sam"},
    "activities:review": {"report_id": "activity", "_owner": "sam"},
    "activities:file": {"file_id": "activity_file", "_owner": "sam"},
    # Carol asked for the report build, Alice for the import.
    "reports:status": {"pk": "build", "_owner": "carol"},
    "reports:progress": {"pk": "build", "_owner": "carol"},
    "reports:download": {"pk": "build", "_owner": "carol"},
    "exchange:import_status": {"pk": "job", "_owner": "alice"},
    "exchange:import_progress": {"pk": "job", "_owner": "alice"},
    "exchange:export": {"fmt": "csv", "_record": False},
    "stats:export": {"name": "country", "fmt": "csv", "_record": False},
    "public_stats:export": {"name": "sdg_by_sex", "fmt": "csv", "_record": False},
    "library:detail": {"resolution_id": "resolution"},
    "tokens:revoke": {"token_id": "token", "_owner": "alice"},
    # The admin: accounts, API tokens, and Django's groups (which Vigil does not use).
    "admin:app_list": {"app_label": "accounts"},
    "admin:auth_user_password_change": {"id": "alice"},
    "admin/(?P<url>.*)$": {"_url": "/admin/nothing-here/"},
}
for _model, _field in (("accounts_user", "alice"), ("api_apitoken", "token"), ("auth_group", "group")):  # fmt: skip  # noqa: E501
    for _view in ("change", "history", "delete"):
        ARGS[f"admin:{_model}_{_view}"] = {"object_id": _field}
    _path = "admin/" + _model.replace("_", "/", 1) + "/"
    ARGS[_path + "<path:object_id>/"] = {"_url": f"/{_path}{{{_field}}}/"}


# --- The answers expected ----------------------------------------------------------------


def reaches(person: str, countries: Countries, target: Target | None) -> bool:
    """Whether `person`, whose role may use the route, reaches the record it names."""
    if target is None or not target.record:
        return True
    covered = COVERS.get(person, set())
    in_country = covered is None or target.country in covered
    stakeholder = ROLE_OF.get(person) == Role.STAKEHOLDER
    if countries in (Countries.OWN, Countries.LETTER):
        return in_country
    if countries == Countries.OWN_RECORDS:
        return target.owner == person
    if countries == Countries.OWN_OR_PROPOSED:
        return target.owner == person if stakeholder else in_country
    if countries == Countries.ALL_OR_OWN:
        return target.owner == person if stakeholder else True
    return True  # n/a, all countries, published only


def may(person: str, rule: Rule, target: Target | None) -> bool:
    audience = ANONYMOUS if person == "anonymous" else ROLE_OF[person]
    return audience in rule.who and reaches(person, rule.countries, target)


LOGIN = "/desk/login/"


def _problem_if_allowed(key: str, rule: Rule, response: Any) -> str | None:
    """What is wrong with the answer to someone who may use the route, if anything."""
    status = response.status_code
    if rule.post_only:
        return None if status == 405 else f"a GET should be 405 (POST only), not {status}"
    if status in (401, 403, 404) or status >= 500:
        return f"refused ({status})"
    location = response.get("Location", "")
    if status == 302 and location.startswith((LOGIN, "/admin/login/")) and key != "admin/login/":
        return f"sent to log in ({location})"
    return None


def _problem_if_refused(person: str, rule: Rule, response: Any) -> str | None:
    """What is wrong with the answer to someone who may not use the route."""
    status, location = response.status_code, response.get("Location", "")
    role_may = person != "anonymous" and ROLE_OF[person] in rule.who
    if rule.post_only and role_may and status == 405 and response.wsgi_request.method == "GET":
        # A role that may POST here, about a record it may not reach: the 405 comes
        # before the record is looked up, the same for one that does not exist. The
        # POST that follows must be the 404.
        return None
    if rule.kind == Kind.ADMIN:
        # Django's admin: to its login (then the desk's login or "Not allowed").
        if (status == 302 and location.startswith("/admin/")) or status in (403, 404):
            return None
        return f"the admin should refuse, not answer {status} {location}"
    if person == "anonymous" and rule.kind == Kind.DESK:
        if status == 302 and location.startswith(f"{LOGIN}?next="):
            return None
        return f"a visitor should be sent to log in, not get {status} {location}"
    return None if status == 404 else f"should be 404, not {status}"


def fingerprint() -> dict[str, int]:
    """How many rows each table holds, and how long the audit trail is: a refused
    request must leave both as they were (every change writes an audit entry)."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions"}
    }
    counts["audit"] = AuditEntry.objects.count()
    return counts


def _login(client: Any, request: Any, person: str) -> None:
    client.logout()
    if person != "anonymous":
        client.force_login(request.getfixturevalue(person))


def _walkable() -> list[tuple[str, str, Rule]]:
    """(key, path, rule) of every URL pattern the page walk opens."""
    walk = []
    for key, path in routes.url_patterns():
        rule = routes.rule_for(key)
        assert rule is not None, key
        if rule.kind == Kind.API or rule.unwalked:
            continue  # the API's operations are walked one by one below
        walk.append((key, path, rule))
    return walk


def _target(key: str, world: World) -> Target | None:
    """The address of `key` for the world's records, and whose record it names."""
    if key not in ARGS:
        return None
    spec = dict(ARGS[key])
    owner, record, url = spec.pop("_owner", ""), spec.pop("_record", True), spec.pop("_url", "")
    fields = World.__dataclass_fields__
    if url:
        url = re.sub(r"{(\w+)}", lambda m: str(getattr(world, m.group(1)).pk), url)
    else:
        kwargs = {k: getattr(world, v).pk if v in fields else v for k, v in spec.items()}
        url = reverse(key, kwargs=kwargs)
    return Target(url, owner=owner, record=record)


def _url(key: str, path: str, target: Target | None) -> str:
    if target is not None:
        return target.url
    return reverse(key) if ":" in key or key == "set_language" else "/" + path


# --- The table against the code ----------------------------------------------------------


def test_every_route_and_api_operation_is_in_the_table_and_no_entry_is_stale():
    patterns = routes.url_patterns()
    keys = {key for key, _path in patterns}
    missing = sorted(key for key in keys if routes.rule_for(key) is None)
    assert missing == [], f"add these routes to vigil/routes.py: {missing}"
    assert sorted(set(routes.ROUTES) - keys) == [], "entries for routes that are gone"
    assert all(any(key.startswith(p) for key in keys) for p in routes.PREFIXES)

    operations = routes.api_operations()
    assert sorted(set(operations) - set(routes.API_OPERATIONS)) == [], (
        "add these API operations to API_OPERATIONS in vigil/routes.py"
    )
    assert sorted(set(routes.API_OPERATIONS) - set(operations)) == [], "stale API entries"
    # Each URL pattern of the API that has no entry of its own serves operations
    # that do: its path is one of the OpenAPI document's.
    api_paths = {operation.split(" ", 1)[1] for operation in operations}
    for key, path in patterns:
        if key.startswith("api-v1:") and key not in routes.ROUTES:
            as_openapi = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
            assert as_openapi in api_paths, key


def test_every_entry_names_known_audiences_and_an_api_entry_its_scope():
    for key, rule in {**routes.ROUTES, **routes.PREFIXES, **routes.API_OPERATIONS}.items():
        assert rule.who <= set(routes.AUDIENCES), key
        assert (rule.kind == Kind.API) == bool(rule.scope) or key in routes.PREFIXES, key
    for operation, rule in routes.API_OPERATIONS.items():
        assert rule.scope in tokens.SCOPES, operation
        assert ANONYMOUS not in rule.who, operation


def test_the_docs_show_the_table_as_it_is():
    text = (settings.BASE_DIR / "docs" / "permissions.md").read_text()
    shown = text.split(routes.BEGIN + "\n", 1)[1].split(routes.END, 1)[0]
    assert shown == routes.markdown(), (
        "docs/permissions.md is out of step: run `.venv/bin/python -m vigil.routes`"
    )


def test_the_routes_not_walked_are_these_each_with_its_reason():
    unwalked = {key for key, rule in routes.ROUTES.items() if rule.unwalked}
    assert unwalked == UNWALKED
    # The shadowed ones really are: their address reaches another pattern, walked.
    for key in ("admin:login", "admin:password_change"):
        match = resolve(reverse(key))
        assert match.view_name != key and match.route in routes.ROUTES, key
    # Every other route is opened, with arguments when its path needs some.
    for key, path, _rule in _walkable():
        assert "<" not in path and "(?P" not in path or key in ARGS, f"no arguments for {key}"


# --- The walk ------------------------------------------------------------------------------


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.slow  # the walk: every route, per person
def test_every_page_answers_as_the_table_says(client, request, world, person):
    """GET every route as `person`; where they are refused, POST too, and check that
    the refusal changed nothing."""
    _login(client, request, person)
    problems, walked = [], 0
    for key, path, rule in _walkable():
        target = _target(key, world)
        url = _url(key, path, target)
        allowed = may(person, rule, target)
        if key == "submission:report":  # the reporter's page opens with a receipt code
            client.post(reverse("submission:follow_up"), {"code": world.receipt_code})
        response = client.get(url)
        walked += 1
        check = _problem_if_allowed if allowed else _problem_if_refused
        problem = check(key, rule, response) if allowed else check(person, rule, response)
        if problem:
            problems.append(f"GET {key} {url}: {problem}")
        if allowed or rule.kind != Kind.DESK:
            continue
        before = fingerprint()
        response = client.post(url, {"version": "1", "to": "submitted", "text": "x"})
        problem = _problem_if_refused(person, rule, response)
        if problem:
            problems.append(f"POST {key} {url}: {problem}")
        if fingerprint() != before:
            problems.append(f"POST {key} {url}: a refused request changed something")
    assert problems == [], "\n".join(problems)
    assert walked == len(_walkable()) > 100


# --- The API -------------------------------------------------------------------------------

ITEMS = {  # a list operation, and the record of the world it must list only to some
    "GET /api/v1/cases": "case",
    "GET /api/v1/defenders": "defender",
    "GET /api/v1/incidents": "incident",
    "GET /api/v1/acts": "act",
    "GET /api/v1/sources": "source",
    "GET /api/v1/communications": "letter",
    "GET /api/v1/measures": "proposal",
    "GET /api/v1/activity-reports": "activity",
}


def _api_call(operation: str, world: World) -> tuple[str, str, dict[str, Any], Target | None]:
    """The method, address and body of one call to `operation`, and whose record."""
    method, path = operation.split(" ", 1)
    ids = {
        "case_id": world.case.pk, "defender_id": world.defender.pk,
        "incident_id": world.incident.pk, "act_id": world.act.pk,
        "communication_id": world.letter.pk, "name": "country",
    }  # fmt: skip
    names = re.findall(r"{(\w+)}", path)
    url = path.format(**{name: ids[name] for name in names})
    if path.endswith("/sdg16101"):
        url += "?year=2025"
    bodies = {
        "POST /api/v1/defenders": {"kind": "person", "name": "Ana Walker", "country": "COL"},
        "POST /api/v1/incidents": {
            "title": "Raid",
            "narrative": "The office was raided.",
            "start_date": "2025-03-14",
            "country": "COL",
        },  # fmt: skip
        "POST /api/v1/acts": {
            "incident_id": world.incident.pk,
            "victim_id": world.defender.pk,
            "violation": ViolationType.THREATS.value,
        },  # fmt: skip
        "POST /api/v1/sources": {
            "incident_id": world.incident.pk,
            "name": "Colectivo",
            "kind": SourceType.NGO.value,
        },  # fmt: skip
    }
    names_a_record = bool(names) and "name" not in names or method == "POST"
    return method, url, bodies.get(operation, {}), Target(url) if names_a_record else None


def _bearer(person: str, request: Any) -> dict[str, str]:
    if person == "anonymous":
        return {}
    user = request.getfixturevalue(person)
    scopes = [scope for scope in tokens.SCOPES if tokens.role_allows(user, scope)]
    _token, plaintext = tokens.issue(actor=user, user=user, name="walk", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.slow  # the walk: every API operation, per person
def test_every_api_operation_answers_as_the_table_says(client, request, world, person):
    """Each operation with a token holding every scope the person's role allows: 200
    (201 for a write) where the table allows it; 401 without a token, 403 for a role
    that can never hold the scope, 404 for a record outside the person's reach, and
    nothing changed by a refused write. A list shows the world's record only to those
    who reach it."""
    headers = _bearer(person, request)
    problems = []
    for operation, rule in routes.API_OPERATIONS.items():
        method, url, body, target = _api_call(operation, world)
        before = fingerprint()
        if method == "POST":
            response = client.post(url, json.dumps(body), "application/json", **headers)
        else:
            response = client.get(url, **headers)
        status = response.status_code
        role_may = person != "anonymous" and ROLE_OF[person] in rule.who
        if may(person, rule, target):
            expected = 201 if method == "POST" else 200
        elif person == "anonymous":
            expected = 401
        elif not role_may:
            expected = 403
        else:  # the role may, the country or the owner may not
            expected = 403 if operation in ("POST /api/v1/defenders", "POST /api/v1/incidents") else 404  # fmt: skip  # noqa: E501
        if status != expected:
            problems.append(f"{operation} {url}: {status}, expected {expected}")
        if status >= 400 and fingerprint() != before:
            problems.append(f"{operation}: a refused request changed something")
        if operation in ITEMS and status == 200:
            listed = {item["id"] for item in response.json()["items"]}
            record = getattr(world, ITEMS[operation])
            owner = "sam" if ITEMS[operation] in ("proposal", "activity") else ""
            if (record.pk in listed) != may(person, rule, Target(url, owner=owner)):
                problems.append(f"{operation}: lists #{record.pk} to the wrong people")
    assert problems == [], "\n".join(problems)


# --- Countries both ways, and a stakeholder's own ----------------------------------------


def test_a_kenyan_record_opens_for_bob_and_is_404_for_alice(client, alice, bob, carol):
    from vigil.intake import services as intake_services

    case = make.case(bob, country="KEN", title="Nairobi land case")
    letter = draft(
        bob, case, summary="Kenya.", body="", addressees=[{"kind": "state", "country": "KEN"}]
    )
    visit = letter_services.visit_record(
        actor=bob, country="KEN", requested_on=date(2025, 2, 1), status="requested"
    )
    submission = intake_services.submission_create(
        form_token=intake_services.new_form_token(), language="en", country="KEN",
        what_happened="Threats at the market.", when="yesterday",
    ).submission  # fmt: skip
    urls = [
        reverse("cases:case_detail", args=[case.pk]),
        reverse("communications:detail", args=[letter.pk]),
        reverse("communications:visit_edit", args=[visit.pk]),
        reverse("intake:detail", args=[submission.pk]),
    ]
    for person, expected in ((bob, 200), (carol, 200), (alice, 404)):
        client.force_login(person)
        assert [client.get(url).status_code for url in urls] == [expected] * 4, person
    for person, expected in ((bob, 200), (alice, 404)):
        _token, plaintext = tokens.issue(
            actor=person, user=person, name="t", scopes=["read:cases", "read:communications"]
        )
        headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
        for url in (f"/api/v1/cases/{case.pk}", f"/api/v1/communications/{letter.pk}"):
            assert client.get(url, **headers).status_code == expected, (person, url)


def test_a_letter_to_a_state_about_a_case_elsewhere_is_only_for_who_covers_both(
    client, alice, bob, carol
):
    from conftest import make_user

    kenyan = make.case(bob, country="KEN")
    letter = letter_services.communication_create(
        actor=carol, kind="AL", summary="To Colombia, about Kenya.",
        addressees=[{"kind": "state", "country": "COL"}], cases=[kenyan],
    )  # fmt: skip
    both = make_user("fiona", Role.CASE_OFFICER, ["COL", "KEN"])
    url = reverse("communications:detail", args=[letter.pk])
    for person, expected in ((alice, 404), (bob, 404), (both, 200), (carol, 200)):
        client.force_login(person)
        assert client.get(url).status_code == expected, person.username
    # A letter whose first addressee has no country follows its cases alone.
    to_a_group = letter_services.communication_create(
        actor=carol, kind="AL", summary="To an armed group, about Kenya.",
        addressees=[{"kind": "other", "name": "An armed group", "country": ""}], cases=[kenyan],
    )  # fmt: skip
    url = reverse("communications:detail", args=[to_a_group.pk])
    for person, expected in ((alice, 404), (bob, 200), (both, 200)):
        client.force_login(person)
        assert client.get(url).status_code == expected, person.username


@pytest.mark.slow  # the walk's world: records of every kind
def test_a_stakeholder_reaches_only_what_they_proposed_or_reported(client, sam, world):
    from conftest import make_user

    other = make_user("tess", Role.STAKEHOLDER)
    client.force_login(other)
    for url in (
        reverse("measures:detail", args=[world.proposal.pk]),
        reverse("activities:detail", args=[world.activity.pk]),
        reverse("activities:edit", args=[world.activity.pk]),
        reverse("activities:file", args=[world.activity_file.pk]),
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(sam)
    assert client.get(reverse("activities:edit", args=[world.activity.pk])).status_code == 200


@pytest.mark.slow  # the walk's world: records of every kind
def test_a_report_build_is_followed_only_by_who_asked_for_it(client, dave, world):
    client.force_login(dave)  # an analyst may build reports, not open Carol's
    for name in ("reports:status", "reports:progress", "reports:download"):
        assert client.get(reverse(name, args=[world.build.pk])).status_code == 404
    world.build.refresh_from_db()
    assert world.build.state == "done"


@pytest.mark.slow  # the walk's world: records of every kind
def test_a_refused_post_to_a_post_only_page_changes_nothing(client, bob, dave, sam, world):
    """Spelled out once for the letter's steps: Bob (Kenya) and the roles without
    letters try to move, publish and follow up a Colombian letter."""
    letter = Communication.objects.get(pk=world.draft.pk)
    for person in (bob, dave, sam):
        client.force_login(person)
        for name, data in (
            ("communications:move", {"to": "submitted", "version": letter.version}),
            ("communications:publish", {"version": letter.version}),
            ("communications:follow_up", {}),
        ):
            before = fingerprint()
            response = client.post(reverse(name, args=[letter.pk]), data)
            assert response.status_code == 404, (person.username, name)
            assert fingerprint() == before, (person.username, name)
    assert Communication.objects.get(pk=letter.pk).status == "draft"


@pytest.mark.slow  # the walk's world: records of every kind
def test_the_walk_reads_real_files(client, alice, world):
    """The downloads the walk opens are the files stored, not error pages."""
    client.force_login(alice)
    evidence = client.get(reverse("cases:evidence_download", args=[world.evidence.pk]))
    reply = client.get(reverse("communications:reply_file", args=[world.reply_file.pk]))
    assert evidence.content == PNG and reply.content == PNG
    letter = client.get(_target("communications:letter", world).url)
    assert letter["Content-Disposition"].endswith('.docx"')
    assert io.BytesIO(letter.content).read(2) == b"PK"

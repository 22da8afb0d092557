"""The desk's dashboard, through HTTP."""

import html
import re

import pytest

from conftest import make_user
from vigil.core import audit
from vigil.core.vocabularies import Role

pytestmark = pytest.mark.django_db

URL = "/desk/"


def figures_on(response) -> list[tuple[str, int]]:
    """The (label, number) pairs the page shows, in order."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", response.content.decode())
    return [(html.unescape(label), int(value)) for label, value in pairs]


def test_it_sends_visitors_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/desk/login/?next=/desk/"


@pytest.mark.parametrize("person", ["alice", "carol", "dave", "erin", "sam"])
def test_every_role_has_a_dashboard(client, request, person):
    user = request.getfixturevalue(person)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert f"You are signed in as {user.get_role_display()}".encode() in response.content


def test_an_inactive_account_has_no_desk(client, alice):
    alice.is_active = False
    alice.save()
    client.force_login(alice)
    assert client.get(URL).status_code == 302  # Django logs the inactive user out


def test_it_shows_an_officer_their_countries(client, alice):
    client.force_login(alice)
    content = client.get(URL).content.decode()
    assert "<li>Colombia</li><li>Philippines</li>" in content
    assert "Kenya" not in content


def test_it_tells_an_officer_without_countries_what_to_do(client, db):
    client.force_login(make_user("nina", Role.CASE_OFFICER, []))
    assert b"No country is assigned to you yet" in client.get(URL).content


def test_it_counts_the_viewers_own_recorded_actions(client, alice, bob):
    for _ in range(3):
        audit.record(actor=alice, action="test.something")
    audit.record(actor=bob, action="test.something")
    client.force_login(alice)
    figures = dict(figures_on(client.get(URL)))
    assert figures["Your recorded actions in the last 7 days"] == 3


def test_it_shows_administrators_the_accounts_per_role(client, erin, alice, bob, carol):
    client.force_login(erin)
    figures = dict(figures_on(client.get(URL)))
    assert figures["Active accounts: Case officer"] == 2
    assert figures["Active accounts: Coordinator"] == 1
    assert figures["Active accounts: Administrator"] == 1
    assert figures["Active accounts: Analyst"] == 0
    # Creating the four accounts wrote four entries (force_login writes none).
    assert figures["Audit entries in the last 24 hours"] == 4


def test_it_shows_officers_no_account_or_audit_figures(client, alice):
    client.force_login(alice)
    labels = [label for label, _value in figures_on(client.get(URL))]
    assert labels == [
        "Your recorded actions in the last 7 days",
        "Open cases",
        "Open cases assigned to you",
        "Reports waiting",
        "Urgent reports waiting",
        "Communications past their deadline without a reply",
    ]


def test_it_counts_cases_and_reports_in_the_officers_countries(client, alice, bob, carol):
    from vigil.cases import services as cases
    from vigil.cases.tests import factories as make
    from vigil.intake import services as intake

    make.case(alice)  # Alice's, in Colombia
    make.case(carol)  # Carol's, in Colombia
    closed = make.case(alice)
    cases.case_update(
        actor=alice, case=closed, version=closed.version, status="closed", outcome="released"
    )
    make.case(bob, country="KEN")
    for country, urgent in (("COL", True), ("COL", False), ("KEN", True)):
        intake.submission_create(
            form_token=intake.new_form_token(),
            language="en",
            what_happened="x",
            country=country,
            urgent=urgent,
        )
    client.force_login(alice)
    figures = dict(figures_on(client.get(URL)))
    assert figures["Open cases"] == 2
    assert figures["Open cases assigned to you"] == 1
    assert figures["Reports waiting"] == 2
    assert figures["Urgent reports waiting"] == 1


def test_desk_pages_are_never_cached_and_carry_a_strict_policy(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"

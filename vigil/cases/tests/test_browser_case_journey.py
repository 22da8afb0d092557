"""A case officer documents a case from start to finish, in a real browser
(headless Chromium): open it, record a defender, an incident, two acts and a
source, verify the acts, then find the case again by a word and by a name."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import log_in_with_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


DEFENDER = "Marisol Quintero"


def save(page: Page, message: str) -> None:
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(message)


def record_act(page: Page, violation: str, perpetrator: str = "") -> None:
    page.get_by_role("link", name="Record an act").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an act")
    victim = page.get_by_label("Victim")
    option = victim.locator("option", has_text=DEFENDER)
    expect(option).to_have_count(1)
    victim.select_option(option.get_attribute("value"))
    page.get_by_label("Violation").select_option(violation)
    if perpetrator:
        page.get_by_label("Who did it").select_option(perpetrator)
    save(page, "Act recorded.")


def verify_act(page: Page, violation_label: str) -> None:
    # The link reads "Change" on screen; its hidden text names the act.
    page.get_by_role("link", name=f"Change ({violation_label}, {DEFENDER})").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Verify: {violation_label}")
    page.get_by_label("Verification").select_option("verified")
    page.get_by_label("Independent, reliable sources").fill("1")
    save(page, "Verification saved.")


def search_cases(page: Page, text: str) -> None:
    filters = page.locator("details.filters")
    if filters.get_attribute("open") is None:
        page.get_by_text("Filter the list").click()
    expect(filters).to_have_attribute("open", "")
    page.get_by_label("Search").fill(text)
    before = page.url
    page.get_by_role("button", name="Apply filters").click()
    # Each search gets a fresh random token, so the URL always changes: wait for
    # it, lest the assertions that follow read the previous results.
    expect(page).not_to_have_url(before)
    expect(page).to_have_url(re.compile(r"/cases/\?q=[\w-]+$"))
    expect(page.get_by_label("Search")).to_have_value(text)


def test_an_officer_documents_a_case_verifies_it_and_finds_it_again(
    officer, live_server, browser, test_output
):
    page = browser.new_page()
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))

    # Log in and go to the cases.
    log_in_with_browser(page, live_server.url, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")

    # Open a case.
    page.get_by_role("link", name="Open a case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a case")
    page.get_by_label("Title").fill("Threats against the river committee")
    page.locator("#id_country").select_option("COL")
    page.get_by_role("button", name="Save").click()
    reference = page.locator("h1 .reference")
    expect(reference).to_have_text(re.compile(r"^VGL-\d{4}-\d{5}$"))
    reference = reference.inner_text()
    expect(page.get_by_role("status")).to_have_text(f"Case {reference} opened.")
    case_url = page.url

    # Record the defender.
    page.get_by_role("link", name="Record a defender").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a defender")
    page.get_by_label("Kind").select_option(label="Person")
    page.get_by_label(re.compile(r"^Name\b")).fill(DEFENDER)
    page.get_by_label("Sex and gender").select_option(label="Woman")
    page.locator("#id_country").select_option("COL")
    page.get_by_label("Human rights defender").check()
    page.get_by_label("Environmental, land or indigenous rights").check()
    save(page, "Defender recorded.")
    card = page.locator(".card", has_text=DEFENDER)
    expect(card).to_contain_text("Person · Colombia · Woman defender")
    expect(card).to_contain_text("Human rights defender · Environmental, land or indigenous rights")

    # Record the incident.
    page.get_by_role("link", name="Record an incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an incident")
    page.get_by_label("Title").fill("Night visit to the cooperative")
    page.get_by_label("What happened").fill(
        "Armed men came to the cacao cooperative at night and threatened its leader."
    )
    page.get_by_label(re.compile(r"^Start date\b")).fill("2025-03-14")
    page.locator("#id_country").select_option("COL")
    save(page, "Incident recorded.")
    incident = page.get_by_role("article", name="Night visit to the cooperative")
    expect(incident).to_contain_text("cacao cooperative")

    # Two acts against her, one with a perpetrator named.
    record_act(page, "threats", perpetrator="armed_group")
    record_act(page, "physical_attack")
    acts = incident.get_by_role("table", name="Acts")
    threats = acts.get_by_role("row").filter(has_text="Threats")
    attack = acts.get_by_role("row").filter(has_text="Physical attack")
    expect(threats).to_contain_text("Armed group")
    expect(threats).to_contain_text("Reported")
    expect(attack).to_contain_text("Reported")

    # One source for both acts.
    incident.get_by_role("link", name="Add a source").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a source")
    page.get_by_label("Who or what reported it").fill("Local human rights network")
    page.get_by_label(re.compile(r"^Type\b")).select_option("ngo")
    page.get_by_label("Reliability").select_option("reliable")
    page.get_by_label(f"Threats: {DEFENDER}").check()
    page.get_by_label(f"Physical attack: {DEFENDER}").check()
    save(page, "Source recorded.")
    expect(incident).to_contain_text("Local human rights network: Civil-society organisation")

    # Verify both acts.
    verify_act(page, "Threats")
    verify_act(page, "Physical attack")
    expect(page).to_have_url(re.compile(re.escape(case_url) + r"#incident-\d+$"))
    for row in (threats, attack):
        expect(row.get_by_role("cell").last).to_have_text(re.compile(r"^\s*Verified\b"))
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.get_by_role("listitem").filter(has_text="Verification changed")).to_have_count(
        2
    )
    page.screenshot(path=test_output / "case-file.png", full_page=True)

    # Find the case again by a word of the narrative...
    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Cases").click()
    search_cases(page, "cacao")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert "cacao" not in page.url.lower()

    # ...and by the defender's full name, which never reaches the URL.
    search_cases(page, DEFENDER)
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert "marisol" not in page.url.lower() and "quintero" not in page.url.lower()
    page.screenshot(path=test_output / "case-search.png", full_page=True)

    # A word in no record finds nothing.
    search_cases(page, "zanahoria")
    expect(page.get_by_text("No case matches.")).to_be_visible()
    expect(page.get_by_role("link", name=reference)).to_have_count(0)

    assert requested_hosts == {live_server.url.split("/")[2]}

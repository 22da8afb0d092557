"""A stakeholder reports an activity, the desk accepts it, the compilation is built
and downloaded, and the library shows the report under paragraph 15 (headless
Chromium)."""

import re

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect

from conftest import PASSWORD, log_in_with_browser, make_user
from vigil.core.vocabularies import Role
from vigil.library import parsing, services
from vigil.library.tests.test_parsing import SEED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Reading the Declaration aloud in ten towns"


@pytest.fixture
def journey(officer):
    """Made before the browser starts (see conftest)."""
    make_user("carol", Role.COORDINATOR, password=PASSWORD)
    make_user("sam", Role.STAKEHOLDER, password=PASSWORD)
    return services.resolution_import(parsing.parse(SEED.read_text(encoding="utf-8")))


def log_in(page: Page, base: str, username: str) -> None:
    log_in_with_browser(page, base, username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_an_activity_report_goes_from_a_stakeholder_to_the_compilation_and_the_library(
    journey, live_server, browser, test_output
):
    base = live_server.url
    today = timezone.localdate()

    # The stakeholder reports the activity, under paragraph 15.
    stakeholder = browser.new_context().new_page()
    log_in(stakeholder, base, "sam")
    stakeholder.get_by_role("navigation", name="Desk").get_by_role(
        "link", name="Activity reports"
    ).click()
    stakeholder.get_by_role("link", name="Report an activity").click()
    stakeholder.get_by_label("Reporting organisation").fill("Red Nacional de Defensoras")
    stakeholder.get_by_label("Type of stakeholder").select_option("civil_society")
    stakeholder.get_by_label("Title", exact=True).fill(TITLE)
    stakeholder.get_by_label("Kind of activity").select_option("event")
    stakeholder.get_by_label("From").fill(today.isoformat())
    stakeholder.get_by_label("National", exact=True).check()
    stakeholder.get_by_label("Countries").select_option(["COL", "PER"])
    stakeholder.get_by_label("Languages").fill("Spanish, Quechua")
    stakeholder.get_by_label("Description").fill("Public readings with community radio.")
    stakeholder.get_by_label("A/RES/72/247 15. Encourages").check()
    stakeholder.get_by_role("button", name="Save").click()
    expect(stakeholder.get_by_role("status")).to_contain_text("The desk will review your report")
    stakeholder.screenshot(path=test_output / "activity-submitted.png", full_page=True)

    # The officer accepts it.
    officer = browser.new_context().new_page()
    log_in(officer, base, "alice")
    officer.get_by_role("navigation", name="Desk").get_by_role(
        "link", name="Activity reports"
    ).click()
    officer.get_by_role("link", name=TITLE).click()
    officer.get_by_label("Accept").check()
    officer.get_by_role("button", name="Save the review").click()
    expect(officer.get_by_role("status")).to_contain_text("Review saved.")
    expect(officer.locator(".facts")).to_contain_text("Accepted")

    # The coordinator builds the compilation and downloads it.
    coordinator = browser.new_context(accept_downloads=True).new_page()
    log_in(coordinator, base, "carol")
    coordinator.goto(f"{base}/desk/activities/")
    coordinator.get_by_role("link", name="Compilation of activity reports").click()
    coordinator.get_by_label("Activities from").fill(f"{today.year}-01-01")
    coordinator.get_by_label("Activities until").fill(today.isoformat())
    coordinator.get_by_label("Format").select_option("docx")
    with coordinator.expect_download() as started:
        coordinator.get_by_role("button", name="Build and download").click()
    download = started.value
    assert re.fullmatch(
        r"compilation-\d{4}-01-01-\d{4}-\d\d-\d\d\.docx", download.suggested_filename
    )
    text = "\n".join(p.text for p in Document(str(download.path())).paragraphs)
    assert TITLE in text
    assert "Latin American and Caribbean Group" in text
    assert "Resolution paragraphs: 15" in text

    # The public library shows the report under paragraph 15.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/library/")
    visitor.get_by_role("link", name="A/RES/72/247").click()
    row = visitor.locator("#op-15")
    expect(row).to_contain_text("Encourages")
    expect(row).to_contain_text(TITLE)
    expect(visitor.locator("#op-14")).not_to_contain_text(TITLE)
    visitor.screenshot(path=test_output / "library.png", full_page=False)

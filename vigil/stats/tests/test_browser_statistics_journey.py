"""An analyst opens the statistics, filters by a region, follows a bar to the
records behind it and downloads them as CSV, without meeting a name (headless
Chromium)."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, log_in_with_browser, make_user
from vigil.core.vocabularies import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


NAMES = ["Wanjiru Kamau", "Otieno Barasa"]


@pytest.fixture
def journey(officer, dataset, carol):
    """Made before the browser starts (see conftest): the hand-built dataset, two
    named defenders attacked in Kenya, and an analyst."""
    from datetime import date

    from vigil.cases.tests import factories as make
    from vigil.cases.vocabularies import ViolationType
    from vigil.stats.tests.builders import verified

    for name in NAMES:
        person = make.defender(carol, name=name, country="KEN")
        verified(carol, person, ViolationType.THREATS, date(2025, 8, 1), "KEN")
    make_user("dave", Role.ANALYST, password=PASSWORD)
    return NAMES


def test_an_analyst_follows_a_bar_to_the_records_and_downloads_them(
    journey, live_server, browser, test_output
):
    page = browser.new_context(accept_downloads=True).new_page()
    log_in_with_browser(page, live_server.url, "dave")
    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")

    page.get_by_text("Filter the figures").click()
    page.get_by_label("Regional group", exact=True).select_option("african")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"region=african"))
    section = page.locator("section", has=page.locator("#h-violation"))
    expect(section).to_contain_text("Kidnapping or abduction")
    page.screenshot(path=test_output / "statistics-african.png", full_page=True)

    # Kenya: B's kidnapping and F's disappearance. Follow the kidnapping bar.
    section.get_by_role("row", name=re.compile("Kidnapping")).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The records behind the figures")
    expect(page.locator(".result-count")).to_have_text("1 act")
    expect(page.locator("tbody")).to_contain_text("Kenya")
    with page.expect_download() as started:
        page.get_by_role("link", name="Download as CSV").click()
    content = started.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert len(rows) == 2 and rows[1][3] == "Kidnapping or abduction"

    for name in journey:
        assert name not in page.content() and name not in content

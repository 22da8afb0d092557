"""An analyst writes the assessment's narrative, asks for the report, watches it
being built in the background and downloads it (headless Chromium)."""

import re

import pytest
from docx import Document
from playwright.sync_api import expect

from conftest import PASSWORD, log_in_with_browser, make_user
from vigil.core.vocabularies import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Laws on foreign funding spread across the region this year."


@pytest.fixture
def analyst(officer, dataset):
    """Made before the browser starts (see conftest): the hand-built dataset of 2025,
    and a build whose process will be seen to stop eight seconds after it is made."""
    from datetime import date, timedelta

    from django.utils import timezone

    from vigil.reports import builds
    from vigil.reports.models import ReportBuild

    dave = make_user("dave", Role.ANALYST, password=PASSWORD)
    stopping = ReportBuild.objects.create(
        report="annual", fmt="pdf", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
        language="en", requested_by=dave,
    )  # fmt: skip
    soon = timezone.now() - builds.STALLED_AFTER + timedelta(seconds=8)
    ReportBuild.objects.filter(pk=stopping.pk).update(updated_at=soon)
    return stopping


def test_an_analyst_builds_the_assessment_in_the_background_and_downloads_it(
    analyst, live_server, browser, test_output
):
    page = browser.new_context(accept_downloads=True).new_page()
    log_in_with_browser(page, live_server.url, "dave")

    # A build still waiting when the page opens: the script polls its progress and
    # tells, without a reload, when its process is seen to have stopped.
    page.goto(f"{live_server.url}/desk/reports/{analyst.pk}/")
    expect(page.get_by_role("status")).to_have_text("The report is waiting to start.")
    expect(page.get_by_role("status")).to_contain_text(
        "The build stopped before it finished", timeout=20_000
    )
    expect(page.get_by_role("link", name="Download the report")).to_be_hidden()

    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Periodic reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periodic reports")
    # An analyst is not offered the report that names people.
    options = page.get_by_label("Report", exact=True).locator("option").all_text_contents()
    assert "Reprisals for cooperation with the United Nations" not in options

    page.get_by_role("link", name="Write the narrative sections of the assessment").click()
    page.get_by_label("From").fill("2025-01-01")
    page.get_by_label("Until").fill("2025-12-31")
    page.get_by_role("button", name="Open this period").click()
    page.get_by_label("Challenges").fill(NARRATIVE)
    page.get_by_role("button", name="Save the narrative").click()
    expect(page.get_by_role("status")).to_contain_text("The narrative is saved.")

    page.get_by_role("link", name="Periodic reports", exact=True).first.click()
    page.get_by_label("Report", exact=True).select_option("assessment")
    page.get_by_label("From").fill("2025-01-01")
    page.get_by_label("Until").fill("2025-12-31")
    page.get_by_label("Format").select_option("docx")
    page.get_by_role("button", name="Build the report").click()

    # The page follows the build by itself and offers the file when it is ready.
    expect(page).to_have_url(re.compile(r"/desk/reports/[0-9a-f-]{36}/$"))
    download = page.get_by_role("link", name="Download the report")
    expect(download).to_be_visible(timeout=60_000)
    expect(page.get_by_role("status")).to_have_text("The report is ready.")
    expect(page.locator("progress")).to_have_attribute("value", "100")
    page.screenshot(path=test_output / "report-ready.png", full_page=True)
    with page.expect_download() as started:
        download.click()
    assert started.value.suggested_filename == "assessment-2025-01-01-2025-12-31.docx"
    document = Document(started.value.path())
    text = "\n".join(p.text for p in document.paragraphs)
    assert NARRATIVE in text
    assert text.index("Challenges") < text.index(NARRATIVE)
    assert len(document.inline_shapes) >= 3  # the charts

    # The list of the analyst's reports offers it again.
    page.get_by_role("link", name="Periodic reports", exact=True).first.click()
    expect(page.get_by_role("row", name=re.compile("Assessment and analysis"))).to_contain_text(
        "Download"
    )

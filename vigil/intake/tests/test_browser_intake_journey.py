"""A report's way from a frightened reporter to a case, in real browsers: the
reporter's with JavaScript switched off and in Dutch, the officer's as usual."""

import re

import pytest
from playwright.sync_api import expect

from conftest import log_in_with_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHAT_HAPPENED = "Gewapende mannen kwamen 's nachts naar de cacaocoöperatie."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_a_report_sent_in_dutch_without_javascript_becomes_a_case(
    officer, live_server, browser, test_output, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    # A small phone, with JavaScript off (as in Tor Browser's safest mode).
    reporter = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    ).new_page()
    hosts = set()
    reporter.on("request", lambda r: hosts.add(r.url.split("/")[2]))

    # The reporter chooses Dutch and sends a report with only the two required answers.
    reporter.goto(f"{live_server.url}/submit/")
    reporter.locator("#language-select").select_option("nl")
    reporter.locator(".language-switcher button").click()
    expect(reporter.locator("html")).to_have_attribute("lang", "nl")
    overflow = reporter.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the form is {overflow}px wider than the phone"
    reporter.locator("#id_what_happened").fill(WHAT_HAPPENED)
    reporter.locator("#id_country").select_option("COL")
    reporter.locator("#id_urgent").check()
    reporter.locator("#id_files").set_input_files(
        [{"name": "schuur.png", "mimeType": "image/png", "buffer": PNG}]
    )
    reporter.locator("form.record-form button[type=submit]").click()
    words = reporter.locator("#receipt-code span").all_inner_texts()
    assert len(words) == 7
    code = " ".join(words)
    reporter.screenshot(path=test_output / "intake-receipt-nl.png", full_page=True)

    # The officer finds it first in the queue, reads it and asks a question.
    desk = browser.new_page()
    log_in_with_browser(desk, live_server.url, "alice")
    desk.get_by_role("link", name="Reports", exact=True).click()
    desk.locator("table.records a").first.click()
    expect(desk.get_by_text(WHAT_HAPPENED)).to_be_visible()
    expect(desk.get_by_role("link", name="schuur.png")).to_be_visible()
    desk.get_by_label("Message to the reporter").fill("Is iedereen nu veilig?")
    desk.get_by_role("button", name="Send to the reporter").click()
    expect(desk.locator(".thread")).to_contain_text("Is iedereen nu veilig?")

    # The reporter comes back with the code, reads the question and answers.
    reporter.goto(f"{live_server.url}/submit/follow-up/")
    reporter.locator("#id_code").fill(code.upper())
    reporter.locator("form:has(#id_code) button[type=submit]").click()
    expect(reporter.locator(".thread")).to_contain_text("Is iedereen nu veilig?")
    expect(reporter.locator("html")).to_have_attribute("lang", "nl")
    reporter.locator("#id_text").fill("Ja, we zijn naar een ander dorp gegaan.")
    reporter.locator("form:has(#id_text) button[type=submit]").click()
    expect(reporter.locator(".thread")).to_contain_text("Ja, we zijn naar een ander dorp gegaan.")
    reporter.screenshot(path=test_output / "intake-follow-up-nl.png", full_page=True)

    # The officer sees the answer and opens a case from the report.
    desk.reload()
    expect(desk.locator(".thread")).to_contain_text("Ja, we zijn naar een ander dorp gegaan.")
    desk.get_by_label("Title of the new case").fill("Cacaocoöperatie bedreigd")
    desk.get_by_role("button", name="Open a case from this report").click()
    expect(desk.locator("h1")).to_contain_text(re.compile(r"VGL-\d{4}-\d{5}"))
    expect(desk.locator(".narrative")).to_contain_text(WHAT_HAPPENED)
    expect(desk.get_by_role("link", name="schuur.png")).to_be_visible()  # now evidence

    # And the reporter's page says so, in plain words.
    reporter.reload()
    expect(reporter.locator(".facts dd").first).to_have_text("In behandeling genomen")
    assert hosts == {live_server.url.split("/")[2]}

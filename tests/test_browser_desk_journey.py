"""A case officer's first visit, in a real browser (headless Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, fresh_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_logs_in_sees_the_desk_switches_to_dutch_and_logs_out(
    officer, live_server, browser, test_output
):
    page = browser.new_page()
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))

    page.goto(f"{live_server.url}/desk/")
    expect(page).to_have_url(re.compile(r"/desk/login/\?next=/desk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the desk")

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The password is only half: the desk asks for the authenticator app's code.
    expect(page).to_have_url(re.compile(r"/desk/two-factor/\?next=%2Fdesk%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step of logging in")
    expect(page.get_by_role("navigation", name="Desk").get_by_role("link")).to_have_count(0)
    page.get_by_label("Code").fill(fresh_totp_code("alice"))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_text("You are signed in as Case officer")).to_be_visible()
    expect(page.locator(".tag-list li")).to_have_text(["Colombia", "Philippines"])

    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_text("U bent ingelogd als Dossierbehandelaar")).to_be_visible()
    expect(page.locator(".tag-list li")).to_have_text(["Colombia", "Filipijnen"])
    expect(page.get_by_role("link", name="Wachtwoord wijzigen")).to_be_visible()
    page.screenshot(path=test_output / "desk-dashboard-nl.png", full_page=True)

    page.get_by_role("button", name=re.compile(r"^Uitloggen")).click()
    expect(page).to_have_url(re.compile(r"/desk/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen op de werkplek")
    page.goto(f"{live_server.url}/desk/")
    expect(page).to_have_url(re.compile(r"/desk/login/"))  # the session is gone

    assert requested_hosts == {live_server.url.split("/")[2]}


def test_the_desk_fits_a_phone_and_works_from_the_keyboard(
    officer, live_server, browser, test_output
):
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
    page.goto(f"{live_server.url}/desk/login/")

    # Log in with the keyboard alone: the username field has the focus already.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # Then the code, in the field that has the focus already.
    expect(page.get_by_label("Code")).to_be_focused()
    page.keyboard.type(fresh_totp_code("alice"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    # The first Tab lands on the skip link, which shows itself and skips the menu.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone's screen"
    page.screenshot(path=test_output / "desk-dashboard-phone.png", full_page=True)

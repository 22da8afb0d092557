"""A report sent and followed up in Arabic (right to left) and in Chinese, in a real
browser, with screenshots: the language comes from the address or the switcher, stays
chosen, and no page falls back to English."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_language(language: str, english: str) -> str:
    with translation.override(language):
        return translation.gettext(english)


@pytest.mark.parametrize(
    ("language", "how", "direction", "text"),
    [
        ("ar", "address", "rtl", "اقتحم رجال مسلحون مكتب الجمعية ليلاً."),
        ("zh-hans", "switcher", "ltr", "夜里有武装人员闯入了协会办公室。"),
    ],
)
def test_a_report_is_sent_and_followed_up_in_arabic_and_chinese(
    transactional_db, live_server, browser, test_output, settings, tmp_path,
    language, how, direction, text,
):  # fmt: skip
    settings.DATA_DIR = tmp_path
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    if how == "address":  # a link shared by an organisation: /submit/?lang=ar
        page.goto(f"{live_server.url}/submit/?lang={language}")
    else:
        page.goto(f"{live_server.url}/submit/")
        page.locator("#language-select").select_option(language)
        page.locator(".language-switcher button").click()
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", direction)
    send = in_language(language, "Send the report")
    assert send != "Send the report"
    expect(page.locator("form.record-form button[type=submit]")).to_have_text(send)

    # Mirrored for Arabic: the form's labels start at the right edge of the screen.
    label = page.locator("label[for=id_what_happened]").bounding_box()
    width = page.viewport_size["width"]
    if direction == "rtl":
        assert label["x"] + label["width"] > width * 0.8
    else:
        assert label["x"] < width * 0.2
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    page.locator("#id_what_happened").fill(text)
    page.locator("#id_country").select_option("COL")
    page.screenshot(path=test_output / f"intake-form-{language}.png", full_page=True)
    page.locator("form.record-form button[type=submit]").click()
    words = page.locator("#receipt-code span").all_inner_texts()
    assert len(words) == 7
    expect(html).to_have_attribute("lang", language)
    page.screenshot(path=test_output / f"intake-receipt-{language}.png", full_page=True)

    # The follow-up page, a new visit: the choice was remembered, not guessed again.
    page.goto(f"{live_server.url}/submit/follow-up/")
    expect(html).to_have_attribute("lang", language)
    page.locator("#id_code").fill(" ".join(words))
    page.locator("form:has(#id_code) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/submit/follow-up/report/$"))
    # (The reporter's page shows the report's state, never its text back.)
    expect(page.locator("h1")).to_have_text(in_language(language, "Your report"))
    expect(page.locator("main")).to_contain_text(
        in_language(language, "Your report has arrived. Nobody has read it yet.")
    )
    expect(html).to_have_attribute("dir", direction)
    body = page.locator("main").inner_text()
    for english in ("Your report", "Received", "Send", "What happened"):
        assert english not in body, f"an English word on the {language} page"
    page.screenshot(path=test_output / f"intake-follow-up-{language}.png", full_page=True)

"""An urgent appeal from draft to publication, in a real browser (headless
Chromium): an officer drafts it from a case, a coordinator approves and sends it,
the letters are downloaded and read back, a reply is logged, the clock moves past
the confidentiality date, the coordinator publishes, and the public page shows
the letter without the name of the defender who did not consent."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from conftest import PASSWORD, log_in_with_browser, make_user
from vigil.cases import services as case_services
from vigil.cases.tests import factories as make
from vigil.core.vocabularies import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMED = "Marta Quispe"  # consented to the State and to publication
WITHHELD = "Rosa Tupac"  # consented to nothing
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@pytest.fixture
def journey(officer):
    """Everything the journey needs, made before the browser starts (see conftest)."""
    make_user("carol", Role.COORDINATOR, password=PASSWORD)
    case = make.case(officer, title="River committee of El Carmen")
    marta = make.defender(officer, name=NAMED, consent_share_state=True, consent_publish=True)
    rosa = make.defender(officer, name=WITHHELD)
    for defender in (marta, rosa):
        case_services.case_add_defender(actor=officer, case=case, defender=defender)
    incident = make.incident(officer, case=case)
    make.act(officer, incident=incident, victim=marta)
    make.act(officer, incident=incident, victim=rosa)
    return case


def log_in(page: Page, base: str, username: str) -> None:
    log_in_with_browser(page, base, username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def step(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The communication has moved on.")


def download(page: Page, link: str) -> bytes:
    with page.expect_download() as started:
        page.get_by_role("button", name=link).first.click()
    return open(started.value.path(), "rb").read()


def test_an_urgent_appeal_goes_from_a_case_to_the_public_page(
    journey, live_server, browser, test_output, monkeypatch
):
    base = live_server.url
    officer = browser.new_context().new_page()

    # The officer drafts an urgent appeal from the case: the case and its country
    # are filled in already.
    log_in(officer, base, "alice")
    officer.goto(f"{base}/desk/cases/{journey.pk}/")
    officer.get_by_role("link", name="Draft a communication").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Draft a communication")
    expect(officer.get_by_label("Cases concerned")).to_have_value(journey.reference)
    expect(officer.locator("#id_to-0-country")).to_have_value("COL")
    officer.get_by_label("Summary").fill(f"Death threats against {NAMED} and {WITHHELD}.")
    officer.get_by_label("The facts").fill(
        f"{NAMED} and {WITHHELD} lead the river committee of El Carmen.\n\n"
        f"On 14 March armed men threatened {WITHHELD} at the office of the dam watch."
    )
    officer.get_by_label("Environment, land and indigenous peoples").check()
    officer.get_by_role("button", name="Save").click()
    expect(officer.get_by_role("status")).to_contain_text("Draft saved.")
    # The preview says that one person is described without their name.
    expect(officer.locator(".notice")).to_contain_text("1 person is described without")
    expect(officer.locator(".letter")).not_to_contain_text(WITHHELD)
    expect(officer.locator(".letter")).to_contain_text(NAMED)
    # An officer cannot approve; they submit.
    expect(officer.get_by_role("button", name="Approve")).to_have_count(0)
    step(officer, "Submit for approval")
    detail_url = officer.url
    officer.screenshot(path=test_output / "communication-submitted.png", full_page=True)

    # The coordinator approves and sends it, and it gets its reference.
    coordinator = browser.new_context(accept_downloads=True).new_page()
    log_in(coordinator, base, "carol")
    coordinator.get_by_role("navigation", name="Desk").get_by_role(
        "link", name="Communications"
    ).click()
    coordinator.get_by_role("link", name=re.compile(r"^Draft \d+$")).click()
    step(coordinator, "Approve")
    step(coordinator, "Mark as sent")
    year = timezone.localdate().year
    reference = f"UA COL 1/{year}"
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(reference)

    # The letters, read back out of the files.
    pdf = download(coordinator, "Letter (PDF)")
    docx = download(coordinator, "Letter (Word)")
    pdf_text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    for text in (pdf_text, docx_text):
        assert reference in text
        assert "Permanent Mission of Colombia" in text
        assert NAMED in text
        assert "Rosa" not in text and "Tupac" not in text
        assert "a human rights defender from Colombia" in text

    # A reply comes, with its file.
    coordinator.get_by_role("link", name="Log a reply").click()
    coordinator.get_by_label("Received on").fill(timezone.localdate().isoformat())
    coordinator.get_by_label("From").fill("Permanent Mission of Colombia")
    coordinator.get_by_label("Type of reply").select_option("partial")
    coordinator.get_by_label("Assessment").fill("Protection measures are promised, not described.")
    coordinator.get_by_label("The reply and its annexes").set_input_files(
        files=[{"name": "reply.png", "mimeType": "image/png", "buffer": PNG}]
    )
    coordinator.get_by_role("button", name="Save").click()
    expect(coordinator.get_by_role("status")).to_contain_text("Reply logged.")
    expect(coordinator.locator("#replies")).to_contain_text("Permanent Mission of Colombia")
    expect(coordinator.get_by_role("button", name="Publish")).to_have_count(0)  # confidential

    # Sixty-one days later, the confidentiality has lapsed.
    real_localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda *a, **k: real_localdate(*a, **k) + timedelta(days=61)
    )
    coordinator.goto(detail_url)
    coordinator.get_by_role("button", name="Publish").click()
    expect(coordinator.get_by_role("status")).to_contain_text("Published.")

    # The public finds it by a word, and reads it without the withheld name.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/communications/")
    visitor.get_by_label("Words").fill("dam")
    visitor.get_by_role("button", name="Search").click()
    expect(visitor).to_have_url(re.compile(r"/communications/\?q=[\w-]+$"))
    visitor.get_by_role("link", name=reference).click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(reference)
    body = visitor.locator("main")
    expect(body).to_contain_text(NAMED)
    expect(body).to_contain_text("Partial reply from Permanent Mission of Colombia")
    expect(body).not_to_contain_text("Rosa")
    expect(body).not_to_contain_text("Tupac")
    visitor.screenshot(path=test_output / "communication-public.png", full_page=True)

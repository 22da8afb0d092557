"""Nothing sensitive leaks into logs, error pages or e-mail.

Recognisable canary values (a name, a phone number, an e-mail address, a receipt
code, an API token) go in through every entry point: the public intake form and its
follow-up, the desk's forms, the API. Then requests fail on purpose: wrong codes and
tokens, invalid forms, missing records, and server errors whose exception messages
quote the values (as a database error quoting the row it refused would). Every log
line, at every level, every error page and every e-mail is then searched."""

import logging
import re

import pytest
from django.core import mail
from django.test import Client

from vigil.api import tokens
from vigil.cases.models import Case, Defender
from vigil.core.logs import RedactingFormatter

pytestmark = pytest.mark.django_db

NAME = "Zenobia Canarywing"
PHONE = "+31 6 9999 0123"
EMAIL = "zenobia.canary@example.org"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs():
    """Every log record at every level, formatted as Vigil's configuration does."""
    capture, root = Capture(), logging.getLogger()
    previous = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture)
    root.setLevel(previous)


def leaked(texts: list[str], canaries: list[str]) -> int:
    """How many canaries appear anywhere in `texts` (a count: the test's own output
    must not carry them either)."""
    joined = "\n".join(texts)
    return sum(1 for canary in canaries if canary in joined)


def test_no_canary_reaches_a_log_an_error_page_or_an_email(logs, alice, settings, monkeypatch):
    settings.ADMINS = [("Operations", "ops@vigil.example")]  # were error mails ever sent
    errors: list[str] = []  # the body of every answer that is not a success

    def keep(response):
        if response.status_code >= 400:
            errors.append(response.content.decode(errors="replace"))
        return response

    # --- The public intake form and its follow-up --------------------------------
    public = Client(raise_request_exception=False)
    page = public.get("/submit/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page)[1]
    receipt = public.post(
        "/submit/",
        {
            "form_token": token,
            "what_happened": f"{NAME} ({PHONE}, {EMAIL}) was followed home.",
            "targeted": NAME,
            "country": "COL",
        },
    )
    code = " ".join(re.findall(r"<span>([a-z-]+)</span>", receipt.content.decode()))
    assert len(code.split()) == 7
    keep(public.post("/submit/follow-up/", {"code": code.replace(" ", "-") + "x"}))
    keep(public.post("/submit/", {"form_token": token, "what_happened": "", "targeted": NAME}))

    def failing_lookup(text):
        raise RuntimeError(f"no report for code {text} of {NAME}")

    with monkeypatch.context() as patch:
        patch.setattr("vigil.intake.services.submission_for_code", failing_lookup)
        assert keep(public.post("/submit/follow-up/", {"code": code})).status_code == 500

    # --- The desk ------------------------------------------------------------------
    desk = Client(raise_request_exception=False)
    desk.force_login(alice)
    created = desk.post(
        "/desk/cases/new/",
        {"title": f"Threats against {NAME}", "country": "COL", "priority": "high", "risk": "high"},
    )  # fmt: skip
    assert created.status_code == 302
    case = Case.objects.get()
    fields = {"kind": "person", "name": NAME, "contact": f"{PHONE} {EMAIL}", "country": "COL",
              "sex_gender": "woman", "age_group": "30_59"}  # fmt: skip
    desk.post(f"/desk/cases/{case.pk}/defenders/new/", fields)
    assert Defender.objects.get().name == NAME
    keep(desk.post(f"/desk/cases/{case.pk}/defenders/new/", {**fields, "country": "XXX"}))
    keep(desk.get("/desk/cases/999999/"))
    keep(desk.post("/desk/cases/", {"text": NAME}))  # a search by name, posted

    def failing_save(**kwargs):
        raise RuntimeError(f"could not save {kwargs.get('name')} {kwargs.get('contact')}")

    secret = tokens.issue(actor=None, user=alice, name="canary", scopes=list(tokens.SCOPES))[1]
    api = Client(raise_request_exception=False)
    bearer = {"Authorization": f"Bearer {secret}"}
    keep(api.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}x"}))
    keep(api.get("/api/v1/cases/999999", headers=bearer))
    with monkeypatch.context() as patch:
        patch.setattr("vigil.cases.services.defender_create", failing_save)
        response = keep(desk.post(f"/desk/cases/{case.pk}/defenders/new/", fields))
        assert response.status_code == 500
        # --- The API, failing the same way ---------------------------------------
        body = {"name": NAME, "contact": PHONE, "country": "COL", "kind": "person"}
        answer = keep(
            api.post("/api/v1/defenders", body, content_type="application/json", headers=bearer)
        )
        assert answer.status_code == 500

    canaries = [NAME, "Canarywing", PHONE, "9999 0123", EMAIL, code, secret, secret[8:]]
    # The failures really happened and were logged, with their tracebacks' frames.
    assert sum("Internal Server Error" in line for line in logs.lines) >= 3
    assert any("RuntimeError (message withheld)" in line for line in logs.lines)
    assert any(" 500 " in e or "Something went wrong" in e for e in errors)
    assert len(errors) >= 6
    found = (
        leaked(logs.lines, canaries),
        leaked(errors, [code, secret, PHONE, EMAIL]),  # a form may show its own name back
        leaked([m.message().as_string() for m in mail.outbox], canaries),
    )
    assert found == (0, 0, 0), "canaries found in (logs, error pages, e-mails)"
